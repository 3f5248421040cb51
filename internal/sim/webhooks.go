package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"unicode/utf8"
)

// Webhook payload types (§1.2, §2, §3). Field order follows Meta's examples.

type whEnvelope struct {
	Object string    `json:"object"`
	Entry  []whEntry `json:"entry"`
}

type whEntry struct {
	ID      string     `json:"id"`
	Changes []whChange `json:"changes"`
}

type whChange struct {
	Field string  `json:"field"`
	Value whValue `json:"value"`
}

type whValue struct {
	MessagingProduct string            `json:"messaging_product"`
	Metadata         whMetadata        `json:"metadata"`
	Contacts         []whContact       `json:"contacts,omitempty"`
	Messages         []json.RawMessage `json:"messages,omitempty"`
	Statuses         []whStatus        `json:"statuses,omitempty"`
	Errors           []WebhookError    `json:"errors,omitempty"`
}

type whMetadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type whContact struct {
	Profile whProfile `json:"profile"`
	WaID    string    `json:"wa_id,omitempty"`
	UserID  string    `json:"user_id,omitempty"`
}

type whProfile struct {
	Name     string `json:"name"`
	Username string `json:"username,omitempty"`
}

type whStatus struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"`
	Timestamp       string         `json:"timestamp"`
	RecipientID     string         `json:"recipient_id,omitempty"`
	RecipientUserID string         `json:"recipient_user_id,omitempty"`
	BizOpaque       string         `json:"biz_opaque_callback_data,omitempty"`
	Pricing         *whPricing     `json:"pricing,omitempty"`
	Errors          []WebhookError `json:"errors,omitempty"`
}

type whPricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Type         string `json:"type"`
	Category     string `json:"category"`
}

// WebhookError is the async error object of §7.2.
type WebhookError struct {
	Code      int             `json:"code"`
	Title     string          `json:"title"`
	Message   string          `json:"message"`
	ErrorData *WebhookErrData `json:"error_data,omitempty"`
	Href      string          `json:"href,omitempty"`
}

// WebhookErrData carries the details of a WebhookError.
type WebhookErrData struct {
	Details string `json:"details"`
}

const errorHref = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

// webhookError converts a Graph error to its webhook form.
func webhookError(e *GraphError) WebhookError {
	title := errorTitles[e.Code]
	if title == "" {
		title = e.Title
	}
	return WebhookError{Code: e.Code, Title: title, Message: title, ErrorData: &WebhookErrData{Details: e.Details}, Href: errorHref}
}

func contactOf(c *Customer, withUsername bool) whContact {
	wc := whContact{Profile: whProfile{Name: c.Name}, WaID: c.WaID, UserID: c.UserID}
	if withUsername {
		wc.Profile.Username = c.Username
	}
	return wc
}

// encodeWebhook marshals and escapes non-ASCII as lowercase \uXXXX, the
// form Meta signs (§1.3): a receiver that re-marshals before checking the
// signature fails here as it would in production.
func encodeWebhook(env *whEnvelope) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Meta leaves & < > alone; only non-ASCII is escaped
	if err := enc.Encode(env); err != nil {
		return nil, err
	}
	return escapeNonASCII(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// marshalJSON is json.Marshal without HTML escaping, for parts of a
// webhook marshalled ahead of the envelope.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func escapeNonASCII(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return b
	}
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, len(b)+len(b)/4)
	u := func(r rune) {
		out = append(out, '\\', 'u', hexd[r>>12&0xf], hexd[r>>8&0xf], hexd[r>>4&0xf], hexd[r&0xf])
	}
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r > 0xffff {
			r -= 0x10000
			u(0xd800 + (r>>10)&0x3ff)
			u(0xdc00 + r&0x3ff)
		} else {
			u(r)
		}
	}
	return out
}

// sign is the X-Hub-Signature-256 value for body under the app secret.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
