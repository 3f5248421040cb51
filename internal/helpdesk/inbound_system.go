package helpdesk

import (
	"context"
	"errors"
	"time"
)

// applyIdentityChange handles a system message: the customer changed their
// phone number (new wa_id, and with it a new BSUID) or only their BSUID.
// The customer is re-keyed and their live ticket gets an internal note of
// type "system". Such a message names the customer by the old identity and
// never creates one: after the change nobody has the old identity, so a
// redelivery must neither re-apply nor resurrect it (the wamid check comes
// first for that reason).
func (s *Service) applyIdentityChange(ctx context.Context, tx Tx, ev *Events, b *InboundBatch, ch *Channel, m *InboundMessage) (InboundOutcome, error) {
	if dup, err := s.stored(ctx, tx, ch.ID, m.WAMID); err != nil || dup {
		return OutcomeDuplicate, err
	}
	c, err := s.customer(ctx, tx, b, m.From, false)
	if isNotFound(err) {
		return OutcomeIdentityUnknown, nil
	}
	if err != nil {
		return "", err
	}
	if err := s.rekey(ctx, tx, b, c, m.Change); err != nil {
		return "", err
	}
	t, err := b.liveTicket(ctx, tx, c, ch)
	if err != nil || t == nil {
		return OutcomeIdentityUnknown, err
	}
	channelID := ch.ID
	note := &Message{TicketID: t.ID, ChannelID: &channelID, Direction: In, Internal: true, Type: "system",
		Text: m.Text, SenderKind: SenderSystem, Status: StatusNote, Payload: m.Payload, CreatedAt: m.At, UpdatedAt: s.Now()}
	if m.WAMID != "" {
		wamid := m.WAMID
		note.WAMessageID = &wamid
	}
	created, err := tx.InsertMessage(ctx, note)
	if err != nil || !created {
		return OutcomeDuplicate, err
	}
	ev.Add(Event{Type: EventMessageCreated, TicketID: t.ID, MessageID: note.ID, GroupID: t.GroupID})
	t.UpdatedAt = s.Now()
	b.touch(t, ch, time.Time{}) // a note: no window, no reminder
	return OutcomeCreated, nil
}

// rekey moves the customer to the new identifiers. When another customer
// already holds one (both wrote to the business before), the identifiers
// stay as they are and only the note tells the story: merging customers
// is an agent's decision.
func (s *Service) rekey(ctx context.Context, tx Tx, b *InboundBatch, c *Customer, ch *IdentityChange) error {
	ic := b.cached(CustomerRef{WAID: c.WAID, BSUID: c.BSUID})
	profile := ""
	if ic != nil {
		profile = ic.profile
	}
	next := *c
	if ch.NewWAID != "" && ch.NewWAID != c.WAID {
		next.WAID, next.Phone = ch.NewWAID, "+"+ch.NewWAID
	}
	if ch.NewBSUID != "" {
		next.BSUID = ch.NewBSUID
	}
	if next == *c {
		return nil
	}
	var taken []CustomerRef
	if next.WAID != c.WAID {
		taken = append(taken, CustomerRef{WAID: next.WAID})
	}
	if next.BSUID != c.BSUID {
		taken = append(taken, CustomerRef{BSUID: next.BSUID})
	}
	for _, ref := range taken {
		other, _, err := tx.InboundCustomer(ctx, ref.WAID, ref.BSUID)
		if err == nil && other.ID != c.ID {
			s.log.Warn("identity change names another customer; not re-keyed", "customer_id", c.ID, "other_customer_id", other.ID)
			return nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	next.UpdatedAt = s.Now()
	if err := tx.UpdateInboundCustomer(ctx, &next, profile); err != nil {
		return err
	}
	*c = next
	if ic != nil {
		b.remember(ic)
	}
	return nil
}
