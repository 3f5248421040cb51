package sim

import (
	"fmt"
	"time"
)

// windowLength is the customer service window of §8.4.
const windowLength = 24 * time.Hour

// windowKey is one (business number, customer) pair.
type windowKey struct{ phone, customer string }

// windowOpen reports whether the pair's 24-hour window is open now.
func (s *Sim) windowOpen(phoneID string, c *Customer) bool {
	s.mu.RLock()
	last, ok := s.windows[windowKey{phoneID, c.key()}]
	s.mu.RUnlock()
	return ok && s.Now().Before(last.Add(windowLength))
}

// touchWindow (re)opens the window at t, as each inbound message does.
func (s *Sim) touchWindow(phoneID string, c *Customer, t time.Time) {
	s.mu.Lock()
	k := windowKey{phoneID, c.key()}
	if t.After(s.windows[k]) {
		s.windows[k] = t
	}
	s.mu.Unlock()
}

// OpenWindow opens the 24-hour window between a number and a customer
// (wa_id or BSUID) now, without sending a webhook. Unknown phone customers
// are created.
func (s *Sim) OpenWindow(phoneNumberID, customer string) error {
	c := s.customer(customer, "", true)
	if c == nil {
		return fmt.Errorf("sim: open window: customer %q: %w", customer, ErrNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.numbers[phoneNumberID] == nil {
		return fmt.Errorf("sim: open window: number %q: %w", phoneNumberID, ErrNotFound)
	}
	s.windows[windowKey{phoneNumberID, c.key()}] = s.Now()
	return nil
}

// CloseWindow forgets the pair's last inbound message, closing the window.
func (s *Sim) CloseWindow(phoneNumberID, customer string) {
	if c := s.customer(customer, "", false); c != nil {
		s.mu.Lock()
		delete(s.windows, windowKey{phoneNumberID, c.key()})
		s.mu.Unlock()
	}
}
