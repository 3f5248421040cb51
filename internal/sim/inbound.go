package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Inbound is a message a simulated customer sends to a business number
// (§2). Set the fields of Type only; the rest stay empty.
type Inbound struct {
	PhoneNumberID string    `json:"phone_number_id"`
	From          string    `json:"from"`           // wa_id (digits, "+" tolerated) or BSUID
	Name          string    `json:"name,omitempty"` // profile name when From is new
	Type          string    `json:"type"`           // text, image, video, audio, document, sticker, location, contacts, interactive, button, reaction, order, system, unsupported
	Timestamp     time.Time `json:"timestamp,omitzero"`

	Text        string              `json:"text,omitempty"`
	Media       *InboundMedia       `json:"media,omitempty"`
	Location    *InboundLocation    `json:"location,omitempty"`
	Contacts    json.RawMessage     `json:"contacts,omitempty"` // the §2.8 array
	Interactive *InboundInteractive `json:"interactive,omitempty"`
	Button      *InboundButton      `json:"button,omitempty"`
	Reaction    *InboundReaction    `json:"reaction,omitempty"`
	Order       json.RawMessage     `json:"order,omitempty"` // the §2.14 object
	System      *InboundSystem      `json:"system,omitempty"`
	Unsupported string              `json:"unsupported,omitempty"` // original kind, e.g. "poll"
	Context     *InboundContext     `json:"context,omitempty"`
	Referral    json.RawMessage     `json:"referral,omitempty"` // the §2.15 object
}

// InboundMedia is the file of an image/video/audio/document/sticker. With
// no Data a small valid file of MimeType (or the type's default) is made.
type InboundMedia struct {
	Data     []byte `json:"data,omitempty"` // base64 in JSON
	MimeType string `json:"mime_type,omitempty"`
	Filename string `json:"filename,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
	Animated bool   `json:"animated,omitempty"`
}

// InboundLocation is a shared location; Name/Address/URL are optional.
type InboundLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// InboundInteractive is a tap on a reply button (button_reply), a list row
// (list_reply) or a completed Flow (nfm_reply).
type InboundInteractive struct {
	Type         string `json:"type"`
	ID           string `json:"id,omitempty"`
	Title        string `json:"title,omitempty"`
	Description  string `json:"description,omitempty"`
	Name         string `json:"name,omitempty"`          // nfm_reply
	Body         string `json:"body,omitempty"`          // nfm_reply
	ResponseJSON string `json:"response_json,omitempty"` // nfm_reply
}

// InboundButton is a tap on a template quick-reply button.
type InboundButton struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

// InboundReaction reacts to a message; empty Emoji removes the reaction.
type InboundReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// InboundSystem is a system notice; user_changed_number re-keys the customer.
type InboundSystem struct {
	Type    string `json:"type"` // user_changed_number
	NewWaID string `json:"new_wa_id"`
}

// InboundContext makes the message a reply (MessageID), a forward or a
// product inquiry. Replies to buttons get their context filled in
// automatically from the last matching message sent to the customer.
type InboundContext struct {
	MessageID           string           `json:"message_id,omitempty"`
	Forwarded           bool             `json:"forwarded,omitempty"`
	FrequentlyForwarded bool             `json:"frequently_forwarded,omitempty"`
	ReferredProduct     *ReferredProduct `json:"referred_product,omitempty"`
}

// ReferredProduct is the product a "Message business" inquiry is about.
type ReferredProduct struct {
	CatalogID         string `json:"catalog_id"`
	ProductRetailerID string `json:"product_retailer_id"`
}

// ErrInvalidInbound wraps errors in an Inbound given to CustomerSend.
var ErrInvalidInbound = errors.New("sim: invalid inbound message")

func badInbound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidInbound, fmt.Sprintf(format, args...))
}

// CustomerSend delivers a customer message to the business as a webhook
// and opens (resets) the 24-hour window. It returns the new wamid once the
// webhook is queued (delivery is asynchronous; see Deliveries).
func (s *Sim) CustomerSend(ctx context.Context, in Inbound) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.RLock()
	np := s.numbers[in.PhoneNumberID]
	s.mu.RUnlock()
	if np == nil {
		return "", fmt.Errorf("sim: customer send: number %q: %w", in.PhoneNumberID, ErrNotFound)
	}
	n := *np
	if in.From == "" {
		return "", badInbound("from is required (a wa_id or a BSUID)")
	}
	cust := s.customer(in.From, in.Name, true)
	if cust == nil {
		return "", fmt.Errorf("sim: customer send: BSUID %q is unknown; add the customer first: %w", in.From, ErrNotFound)
	}
	at := in.Timestamp
	if at.IsZero() {
		at = s.Now()
	}
	m := &whInbound{ID: s.newWamid(cust.WaID), Timestamp: strconv.FormatInt(at.Unix(), 10), Type: in.Type,
		From: cust.WaID, FromUserID: cust.UserID}
	if err := s.fillInbound(&n, cust, &in, m); err != nil {
		return "", err
	}
	raw, err := marshalJSON(m)
	if err != nil {
		return "", fmt.Errorf("sim: customer send: %w", err)
	}
	it := whItem{waba: n.WABAID, phoneID: n.ID, display: n.digits(), shard: cust.WaID + cust.UserID, message: raw}
	if in.Type != "system" { // system messages carry no contacts array (§2.16)
		c := contactOf(cust, true)
		it.contact = &c
		s.touchWindow(n.ID, cust, at)
	}
	s.messages.put(&Message{ID: m.ID, Direction: "in", PhoneNumberID: n.ID, WaID: cust.WaID, UserID: cust.UserID,
		Type: in.Type, Time: at, Status: "received", Payload: raw})
	s.emit(it)
	return m.ID, nil
}

// SystemError sends a value-level error webhook (§2.18): value.errors[]
// with no messages, as Meta does for problems not tied to one message.
func (s *Sim) SystemError(phoneNumberID string, code int, details string) error {
	s.mu.RLock()
	np := s.numbers[phoneNumberID]
	s.mu.RUnlock()
	if np == nil {
		return fmt.Errorf("sim: system error: number %q: %w", phoneNumberID, ErrNotFound)
	}
	title := errorTitles[code]
	if title == "" {
		title = "Something went wrong"
	}
	we := WebhookError{Code: code, Title: title, Message: title, ErrorData: &WebhookErrData{Details: details}, Href: errorHref}
	s.emit(whItem{waba: np.WABAID, phoneID: np.ID, display: np.digits(), shard: "system", errors: []WebhookError{we}})
	return nil
}
