package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
)

// ErrNotNotification is returned by ParseNotification for JSON that is not a
// webhook notification object (null, an array, a string…).
var ErrNotNotification = errors.New("whatsapp: body is not a webhook notification object")

// ParseNotification decodes a webhook POST body. It rejects invalid JSON and
// non-objects, ignores unknown fields, and keeps messages of unknown types
// (see Message). It does not check the signature: call VerifySignature on the
// same raw bytes first.
func ParseNotification(body []byte) (*Notification, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if !json.Valid(body) {
			return nil, fmt.Errorf("whatsapp: parse notification: invalid JSON")
		}
		return nil, ErrNotNotification
	}
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("whatsapp: parse notification: %w", err)
	}
	return &n, nil
}

// Inbound is one inbound message with what is needed to process it: the WABA
// (EntryID), the business number (Metadata) and the sender's Contact when the
// payload carries one (it does not for system messages).
type Inbound struct {
	EntryID  string
	Metadata Metadata
	Contact  *Contact
	Message  *Message
}

// StatusUpdate is one status of a sent message with its routing data; Contact
// is nil on failed statuses and pre-BSUID payloads.
type StatusUpdate struct {
	EntryID  string
	Metadata Metadata
	Contact  *Contact
	Status   *Status
}

// ValueError is one value-level error (§2.18) with its routing data.
type ValueError struct {
	EntryID  string
	Metadata Metadata
	Error    *WebhookError
}

// Changes yields every change of every entry, in order.
func (n *Notification) Changes() iter.Seq2[*Entry, *Change] {
	return func(yield func(*Entry, *Change) bool) {
		for i := range n.Entry {
			e := &n.Entry[i]
			for j := range e.Changes {
				if !yield(e, &e.Changes[j]) {
					return
				}
			}
		}
	}
}

// values yields every decoded "messages" value.
func (n *Notification) values() iter.Seq2[*Entry, *Value] {
	return func(yield func(*Entry, *Value) bool) {
		for e, c := range n.Changes() {
			if c.Value != nil && !yield(e, c.Value) {
				return
			}
		}
	}
}

// Messages yields every inbound message of every entry and change.
func (n *Notification) Messages() iter.Seq[Inbound] {
	return func(yield func(Inbound) bool) {
		for e, v := range n.values() {
			for i := range v.Messages {
				m := &v.Messages[i]
				in := Inbound{EntryID: e.ID, Metadata: v.Metadata, Message: m,
					Contact: v.findContact(m.FromUserID, m.From)}
				if !yield(in) {
					return
				}
			}
		}
	}
}

// Statuses yields every status update of every entry and change.
func (n *Notification) Statuses() iter.Seq[StatusUpdate] {
	return func(yield func(StatusUpdate) bool) {
		for e, v := range n.values() {
			for i := range v.Statuses {
				s := &v.Statuses[i]
				su := StatusUpdate{EntryID: e.ID, Metadata: v.Metadata, Status: s,
					Contact: v.findContact(s.RecipientUserID, s.RecipientID)}
				if !yield(su) {
					return
				}
			}
		}
	}
}

// Errors yields every value-level error (not those inside messages or
// statuses).
func (n *Notification) Errors() iter.Seq[ValueError] {
	return func(yield func(ValueError) bool) {
		for e, v := range n.values() {
			for i := range v.Errors {
				if !yield(ValueError{EntryID: e.ID, Metadata: v.Metadata, Error: &v.Errors[i]}) {
					return
				}
			}
		}
	}
}

// findContact matches a message sender or status recipient to the value's
// contacts by BSUID, then by wa_id. Batched values may hold several contacts
// in any order, so position is not trusted; a lone contact is used only when
// the item names nobody at all.
func (v *Value) findContact(userID, waID string) *Contact {
	for i := range v.Contacts {
		c := &v.Contacts[i]
		if userID != "" && (c.UserID == userID || c.ParentUserID == userID) {
			return c
		}
	}
	for i := range v.Contacts {
		c := &v.Contacts[i]
		if waID != "" && c.WaID == waID {
			return c
		}
	}
	if userID == "" && waID == "" && len(v.Contacts) == 1 {
		return &v.Contacts[0]
	}
	return nil
}
