package helpdesk

import (
	"context"
	"time"
)

// Primitives for the inbound processor: it runs them inside Service.Update
// so that customer, ticket and message are stored in one transaction.

// CustomerRef names a WhatsApp user as a webhook does: by wa_id (phone
// digits), by business-scoped user id, or both.
type CustomerRef struct {
	WAID, BSUID, Name, Username string
}

// FindOrCreateCustomer finds the customer by wa_id, then by BSUID, and
// creates it when neither is known. Identifiers and the profile name the
// webhook brings are recorded on the stored customer. created is true for a
// new customer.
func (s *Service) FindOrCreateCustomer(ctx context.Context, tx Tx, ref CustomerRef) (c *Customer, created bool, err error) {
	now := s.Now()
	c, err = tx.CustomerByWAID(ctx, ref.WAID)
	if isNotFound(err) {
		c, err = tx.CustomerByBSUID(ctx, ref.BSUID)
	}
	if isNotFound(err) {
		c = &Customer{Name: ref.Name, WAID: ref.WAID, BSUID: ref.BSUID, Username: ref.Username, CreatedAt: now, UpdatedAt: now}
		if ref.WAID != "" {
			c.Phone = "+" + ref.WAID
		}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return nil, false, err
		}
		return c, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	before := *c
	if c.WAID == "" && ref.WAID != "" {
		c.WAID, c.Phone = ref.WAID, "+"+ref.WAID
	}
	if c.BSUID == "" && ref.BSUID != "" {
		c.BSUID = ref.BSUID
	}
	if c.Name == "" && ref.Name != "" { // an agent's rename wins over the profile name
		c.Name = ref.Name
	}
	if ref.Username != "" {
		c.Username = ref.Username
	}
	if *c != before {
		c.UpdatedAt = now
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return nil, false, err
		}
	}
	return c, false, nil
}

// TicketForInbound returns the customer's ticket on the channel that is
// not closed, or creates a new one (state new, the channel's group, titled
// as InboundTitle says) and records ticket.created. Business-initiated
// conversations use it; webhook processing goes through ApplyInbound, which
// also queues the welcome message.
func (s *Service) TicketForInbound(ctx context.Context, tx Tx, ev *Events, ch *Channel, c *Customer, at time.Time) (t *Ticket, created bool, err error) {
	t, err = tx.OpenTicketFor(ctx, c.ID, ch.ID)
	if err == nil {
		return t, false, nil
	}
	if !isNotFound(err) {
		return nil, false, err
	}
	now := s.Now()
	channelID := ch.ID
	t = &Ticket{Title: truncate(InboundTitle(c), maxTitleLength), State: StateNew, ChannelID: &channelID, CustomerID: c.ID,
		GroupID: ch.GroupID, LastMessageAt: at, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateTicket(ctx, t); err != nil {
		return nil, false, err
	}
	// One live conversation per customer and channel: a concurrent twin
	// fails here with ErrConflict, and the caller's retry finds this one.
	if err := tx.ClaimConversation(ctx, t.ID); err != nil {
		return nil, false, err
	}
	ev.Add(Event{Type: EventTicketCreated, TicketID: t.ID, GroupID: t.GroupID})
	return t, true, nil
}

// AddInboundMessage stores a customer's message on t (idempotently on its
// wamid) and, when it is new, opens the 24-hour window from its Meta
// timestamp, counts it unread and moves a pending ticket back to open.
func (s *Service) AddInboundMessage(ctx context.Context, tx Tx, ev *Events, t *Ticket, m *Message) (created bool, err error) {
	m.TicketID, m.Direction, m.SenderKind = t.ID, In, SenderCustomer
	if m.Status == "" {
		m.Status = StatusReceived
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = s.Now()
	}
	if created, err = tx.InsertMessage(ctx, m); err != nil || !created {
		return created, err
	}
	if expiry := WindowExpiry(m.CreatedAt); t.WindowExpiresAt == nil || expiry.After(*t.WindowExpiresAt) {
		t.WindowExpiresAt = &expiry
	}
	if t.LastInboundAt == nil || m.CreatedAt.After(*t.LastInboundAt) {
		at := m.CreatedAt
		t.LastInboundAt = &at
	}
	if m.CreatedAt.After(t.LastMessageAt) {
		t.LastMessageAt = m.CreatedAt
	}
	t.UnreadCount++
	if t.State == StatePending {
		t.State = StateOpen
	}
	t.ReminderSentAt = nil // a new customer message restarts the reminder clock
	t.UpdatedAt = s.Now()
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return false, err
	}
	ev.Add(Event{Type: EventMessageCreated, TicketID: t.ID, MessageID: m.ID, GroupID: t.GroupID})
	ev.Add(Event{Type: EventTicketUpdated, TicketID: t.ID, GroupID: t.GroupID})
	return true, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
