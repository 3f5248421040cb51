package sim

import (
	"encoding/json"
	"sync"
	"time"
)

// Message is a message the Sim has seen: sent by the business ("out") or
// by a simulated customer ("in").
type Message struct {
	ID            string          `json:"id"`
	Direction     string          `json:"direction"` // "out" or "in"
	PhoneNumberID string          `json:"phone_number_id"`
	WaID          string          `json:"wa_id,omitempty"`
	UserID        string          `json:"user_id,omitempty"`
	Type          string          `json:"type"`
	Time          time.Time       `json:"time"`
	Status        string          `json:"status"` // out: accepted, sent, delivered, read, failed; in: received, read
	Error         *WebhookError   `json:"error,omitempty"`
	BizOpaque     string          `json:"biz_opaque_callback_data,omitempty"`
	Template      string          `json:"template,omitempty"`
	Payload       json.RawMessage `json:"payload"` // out: the send body; in: the webhook message object

	toBSUID  bool
	category string // pricing category, lowercase
	free     bool   // pricing type free_customer_service
}

// messageStore remembers the last N messages for statuses, mark-as-read,
// replies and the control API.
type messageStore struct {
	mu    sync.RWMutex
	byID  map[string]*Message
	order []string // ring of ids, oldest evicted first
	next  int
	limit int
}

func newMessageStore(limit int) *messageStore {
	return &messageStore{byID: map[string]*Message{}, limit: limit}
}

func (ms *messageStore) put(m *Message) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if len(ms.order) < ms.limit {
		ms.order = append(ms.order, m.ID)
	} else {
		delete(ms.byID, ms.order[ms.next])
		ms.order[ms.next] = m.ID
		ms.next = (ms.next + 1) % ms.limit
	}
	ms.byID[m.ID] = m
}

// get returns a copy, safe to read while statuses move on.
func (ms *messageStore) get(id string) (Message, bool) {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	m, ok := ms.byID[id]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// update changes a stored message under the lock.
func (ms *messageStore) update(id string, f func(*Message)) bool {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	m, ok := ms.byID[id]
	if ok {
		f(m)
	}
	return ok
}

// MessageFilter selects messages; empty fields match all.
type MessageFilter struct {
	PhoneNumberID string
	Customer      string // wa_id or BSUID
	Direction     string
}

// Messages lists remembered messages oldest first.
func (s *Sim) Messages(f MessageFilter) []Message {
	ms := s.messages
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	var out []Message
	n := len(ms.order)
	for i := 0; i < n; i++ {
		m := ms.byID[ms.order[(ms.next+i)%n]]
		if m == nil ||
			(f.PhoneNumberID != "" && m.PhoneNumberID != f.PhoneNumberID) ||
			(f.Direction != "" && m.Direction != f.Direction) ||
			(f.Customer != "" && m.WaID != onlyDigits(f.Customer) && m.UserID != f.Customer) {
			continue
		}
		out = append(out, *m)
	}
	return out
}

// Message returns one remembered message by wamid.
func (s *Sim) Message(id string) (Message, bool) { return s.messages.get(id) }
