package whatsapp

import (
	"encoding/json"
	"fmt"
)

// ObjectWhatsAppBusinessAccount is the "object" of every Cloud API webhook.
const ObjectWhatsAppBusinessAccount = "whatsapp_business_account"

// Subscription fields ("field" of a change) the helpdesk reads.
const (
	FieldMessages                    = "messages"
	FieldMessageTemplateStatusUpdate = "message_template_status_update"
	FieldPhoneNumberQualityUpdate    = "phone_number_quality_update"
)

// Notification is the body of a webhook POST (reference §1.2). One POST may
// batch several entries, changes, messages and statuses: walk them with
// Messages, Statuses and Errors, never just the first.
type Notification struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry groups the changes of one WABA.
type Entry struct {
	ID      string    `json:"id"`             // the WABA ID, not the phone number ID
	Time    Timestamp `json:"time,omitempty"` // on some non-message fields
	Changes []Change  `json:"changes"`
}

// Change is one subscription event. For field "messages" Value is decoded;
// for every field RawValue keeps the value as received, so fields this
// package does not model (account_update, template_category_update, …) are
// never lost.
type Change struct {
	Field    string
	Value    *Value          // nil unless Field == "messages"
	RawValue json.RawMessage // the "value" object as received
}

// UnmarshalJSON decodes the value of "messages" changes and keeps all raw.
func (c *Change) UnmarshalJSON(b []byte) error {
	var w struct {
		Field string          `json:"field"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = Change{Field: w.Field, RawValue: append(json.RawMessage(nil), w.Value...)}
	if w.Field != FieldMessages || len(w.Value) == 0 || string(w.Value) == "null" {
		return nil
	}
	c.Value = new(Value)
	if err := json.Unmarshal(w.Value, c.Value); err != nil {
		return fmt.Errorf("change %q: %w", w.Field, err)
	}
	return nil
}

// MarshalJSON encodes Value when set (so a simulator can build changes from
// typed values), else RawValue.
func (c Change) MarshalJSON() ([]byte, error) {
	var v any = c.RawValue
	if c.Value != nil {
		v = c.Value
	} else if len(c.RawValue) == 0 {
		v = json.RawMessage("{}")
	}
	return json.Marshal(struct {
		Field string `json:"field"`
		Value any    `json:"value"`
	}{c.Field, v})
}

// DecodeValue decodes RawValue into v, for fields without a typed Value.
func (c *Change) DecodeValue(v any) error { return json.Unmarshal(c.RawValue, v) }

// Value is the value of a "messages" change: inbound messages, statuses of
// sent messages, or system errors, for the business number in Metadata.
// Code must not assume only one of the lists is set.
type Value struct {
	MessagingProduct string         `json:"messaging_product"`
	Metadata         Metadata       `json:"metadata"`
	Contacts         []Contact      `json:"contacts,omitempty"`
	Messages         []Message      `json:"messages,omitempty"`
	Statuses         []Status       `json:"statuses,omitempty"`
	Errors           []WebhookError `json:"errors,omitempty"`
}

// Metadata names the business number the change belongs to; route on
// PhoneNumberID.
type Metadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"` // digits only
	PhoneNumberID      string `json:"phone_number_id"`
}

// Contact is the user a message came from or a status went to. Since 2026
// WaID may be missing (username users) while UserID (BSUID) is the stable
// key; see reference §1.5.
type Contact struct {
	Profile         Profile `json:"profile"`
	WaID            string  `json:"wa_id,omitempty"`
	UserID          string  `json:"user_id,omitempty"`
	ParentUserID    string  `json:"parent_user_id,omitempty"`
	IdentityKeyHash string  `json:"identity_key_hash,omitempty"`
}

// Profile is the user's WhatsApp profile.
type Profile struct {
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// Status values of a sent message, in the order they can advance; failed is
// terminal unless a later delivered/read arrives.
const (
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusPlayed    = "played"
	StatusFailed    = "failed"
)

// Status is a status update of a message the business sent (§3).
type Status struct {
	ID                       string         `json:"id"` // wamid returned by the send
	Status                   string         `json:"status"`
	Timestamp                Timestamp      `json:"timestamp"`
	RecipientID              string         `json:"recipient_id,omitempty"` // omitted for BSUID sends
	RecipientUserID          string         `json:"recipient_user_id,omitempty"`
	RecipientParentUserID    string         `json:"recipient_parent_user_id,omitempty"`
	RecipientType            string         `json:"recipient_type,omitempty"` // groups only
	RecipientParticipantID   string         `json:"recipient_participant_id,omitempty"`
	RecipientIdentityKeyHash string         `json:"recipient_identity_key_hash,omitempty"`
	BizOpaqueCallbackData    string         `json:"biz_opaque_callback_data,omitempty"`
	Pricing                  *Pricing       `json:"pricing,omitempty"`
	Conversation             *Conversation  `json:"conversation,omitempty"`
	Errors                   []WebhookError `json:"errors,omitempty"` // only with failed

	// Raw is the status object as received.
	Raw json.RawMessage `json:"-"`
	// DecodeErr is set when optional parts did not fit the Go types; the
	// identity fields (ID, Status, Timestamp, recipients) are still filled.
	DecodeErr error `json:"-"`
}

// UnmarshalJSON decodes a status, accepting the parent_recipient_user_id
// spelling seen in one SDK snapshot, and keeps the raw JSON. Like Message, a
// status whose optional parts (pricing, conversation, errors) have an
// unexpected shape keeps its identity fields and reports DecodeErr: losing a
// "failed" would leave a message looking sent forever.
func (s *Status) UnmarshalJSON(b []byte) error {
	type plain Status
	var w struct {
		plain
		ParentRecipientUserID string `json:"parent_recipient_user_id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		var h struct {
			ID                    string          `json:"id"`
			Status                string          `json:"status"`
			Timestamp             json.RawMessage `json:"timestamp"`
			RecipientID           string          `json:"recipient_id"`
			RecipientUserID       string          `json:"recipient_user_id"`
			BizOpaqueCallbackData string          `json:"biz_opaque_callback_data"`
			Errors                json.RawMessage `json:"errors"`
		}
		if herr := json.Unmarshal(b, &h); herr != nil {
			return err
		}
		var ts Timestamp
		_ = ts.UnmarshalJSON(h.Timestamp) // best effort, zero means unknown
		w.plain = plain{ID: h.ID, Status: h.Status, Timestamp: ts, RecipientID: h.RecipientID,
			RecipientUserID: h.RecipientUserID, BizOpaqueCallbackData: h.BizOpaqueCallbackData, DecodeErr: err}
		// The error codes are what a failed status is for; keep them if they
		// were not the broken part.
		_ = json.Unmarshal(h.Errors, &w.Errors)
	}
	*s = Status(w.plain)
	if s.RecipientParentUserID == "" {
		s.RecipientParentUserID = w.ParentRecipientUserID
	}
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Error returns the first error of a failed status as *Error, or nil.
func (s *Status) Error() *Error {
	if len(s.Errors) == 0 {
		return nil
	}
	return s.Errors[0].Err()
}

// Pricing is the per-message pricing of a status (since July 2025).
type Pricing struct {
	Billable     *bool  `json:"billable,omitempty"` // deprecated by Meta; use Type and Category
	PricingModel string `json:"pricing_model,omitempty"`
	Type         string `json:"type,omitempty"`     // regular, free_customer_service, free_entry_point
	Category     string `json:"category,omitempty"` // service, utility, marketing, authentication, …
}

// Conversation is the legacy conversation block of a status.
type Conversation struct {
	ID                  string    `json:"id,omitempty"`
	ExpirationTimestamp Timestamp `json:"expiration_timestamp,omitempty"`
	Origin              *struct {
		Type string `json:"type"`
	} `json:"origin,omitempty"`
}

// WebhookError is an error object inside a webhook: on failed statuses, on
// unsupported messages, or at value level (§2.18, §7.2).
type WebhookError struct {
	Code      int    `json:"code"`
	Title     string `json:"title,omitempty"`
	Message   string `json:"message,omitempty"`
	ErrorData *struct {
		Details string `json:"details"`
	} `json:"error_data,omitempty"`
	Href string `json:"href,omitempty"`
}

// Details returns error_data.details, "" if absent.
func (w WebhookError) Details() string {
	if w.ErrorData == nil {
		return ""
	}
	return w.ErrorData.Details
}

// Err converts the webhook error to *Error so IsWindowClosed, IsAuthError and
// Retryable classify it like a synchronous one. HTTPStatus is 0.
func (w WebhookError) Err() *Error {
	title := w.Title
	if title == "" {
		title = titleFromMessage(w.Message)
	}
	return &Error{Code: w.Code, Type: "webhook", Title: title, Message: w.Message, Details: w.Details()}
}

// TemplateStatusUpdate is the value of a message_template_status_update
// change: a template was approved, rejected, paused, disabled, …
type TemplateStatusUpdate struct {
	Event                   string     `json:"event"` // APPROVED, REJECTED, PAUSED, DISABLED, PENDING_DELETION, …
	MessageTemplateID       FlexString `json:"message_template_id"`
	MessageTemplateName     string     `json:"message_template_name"`
	MessageTemplateLanguage string     `json:"message_template_language"`
	Reason                  string     `json:"reason,omitempty"`
}

// QualityUpdate is the value of a phone_number_quality_update change.
type QualityUpdate struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	Event              string `json:"event"` // FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, THROUGHPUT_UPGRADE, …
	// CurrentLimit was removed in Feb 2026 in favour of the field below.
	CurrentLimit                     string     `json:"current_limit,omitempty"`
	MaxDailyConversationsPerBusiness FlexString `json:"max_daily_conversations_per_business,omitempty"`
}

// TemplateStatusUpdate decodes the change as a template status update, or
// returns nil and no error when the change has another field.
func (c *Change) TemplateStatusUpdate() (*TemplateStatusUpdate, error) {
	if c.Field != FieldMessageTemplateStatusUpdate {
		return nil, nil
	}
	var u TemplateStatusUpdate
	if err := c.DecodeValue(&u); err != nil {
		return nil, fmt.Errorf("whatsapp: %s: %w", c.Field, err)
	}
	return &u, nil
}

// QualityUpdate decodes the change as a phone number quality update, or
// returns nil and no error when the change has another field.
func (c *Change) QualityUpdate() (*QualityUpdate, error) {
	if c.Field != FieldPhoneNumberQualityUpdate {
		return nil, nil
	}
	var u QualityUpdate
	if err := c.DecodeValue(&u); err != nil {
		return nil, fmt.Errorf("whatsapp: %s: %w", c.Field, err)
	}
	return &u, nil
}
