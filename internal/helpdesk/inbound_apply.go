package helpdesk

import (
	"context"
	"fmt"
	"strings"
)

// ErrorUnsupportedType is Meta's code for a message type the Cloud API
// cannot deliver to businesses (polls, view-once media, …); the customer
// gets a short apology (ApologyJob).
const ErrorUnsupportedType = 131051

// ApplyInbound applies one customer message to the helpdesk inside tx:
// the customer is found or created, the message lands on the customer's
// live ticket on ch (or on a new one), and the jobs it needs are enqueued
// in the same transaction. Applying the same wamid again changes nothing,
// so a redelivered webhook or a re-processed delivery is harmless.
// Call Flush before the transaction commits.
func (s *Service) ApplyInbound(ctx context.Context, tx Tx, ev *Events, b *InboundBatch, ch *Channel, m *InboundMessage) (InboundOutcome, error) {
	switch {
	case m.Reaction != nil:
		return s.applyReaction(ctx, tx, ev, b, ch, m)
	case m.Change != nil:
		return s.applyIdentityChange(ctx, tx, ev, b, ch, m)
	}
	c, err := s.customer(ctx, tx, b, m.From, true)
	if err != nil {
		return "", err
	}
	t, err := b.liveTicket(ctx, tx, c, ch)
	if err != nil {
		return "", err
	}
	if t == nil {
		// A redelivery of a message whose ticket was closed since must not
		// open a new, empty ticket.
		if dup, err := s.stored(ctx, tx, ch.ID, m.WAMID); err != nil || dup {
			return OutcomeDuplicate, err
		}
		if t, err = s.newTicket(ctx, tx, ev, b, c, ch, m.At); err != nil {
			return "", err
		}
	}
	msg, err := s.inboundMessage(ctx, tx, ch, c, t, m)
	if err != nil {
		return "", err
	}
	created, err := tx.InsertMessage(ctx, msg)
	if err != nil || !created {
		return OutcomeDuplicate, err
	}
	ev.Add(Event{Type: EventMessageCreated, TicketID: t.ID, MessageID: msg.ID, GroupID: t.GroupID})
	if err := s.afterInsert(ctx, tx, b, t, msg, m); err != nil {
		return "", err
	}
	countCustomerMessage(t, m)
	t.UpdatedAt = s.Now()
	b.touch(t, ch, m.At)
	return OutcomeCreated, nil
}

// stored reports whether the channel already has a message with this wamid.
func (s *Service) stored(ctx context.Context, tx Tx, channelID int64, wamid string) (bool, error) {
	if wamid == "" {
		return false, nil
	}
	_, err := tx.MessageRefByWAMID(ctx, channelID, wamid)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// inboundMessage builds the stored message: a customer message, or an
// internal note for what WhatsApp could not render.
func (s *Service) inboundMessage(ctx context.Context, tx Tx, ch *Channel, c *Customer, t *Ticket, m *InboundMessage) (*Message, error) {
	channelID, customerID := ch.ID, c.ID
	msg := &Message{TicketID: t.ID, ChannelID: &channelID, Direction: In, Type: m.Type, Text: m.Text,
		SenderKind: SenderCustomer, SenderID: &customerID, Status: StatusReceived, ReplyToWAMID: m.ReplyToWAMID,
		Payload: m.Payload, CreatedAt: m.At, UpdatedAt: s.Now()}
	if m.WAMID != "" {
		wamid := m.WAMID
		msg.WAMessageID = &wamid
	}
	if m.Unsupported != nil {
		msg.Internal, msg.Status = true, StatusNote
		e := *m.Unsupported
		msg.Error = &e
	}
	if m.ReplyToWAMID != "" {
		ref, err := tx.MessageRefByWAMID(ctx, ch.ID, m.ReplyToWAMID)
		switch {
		case err == nil && ref.TicketID == t.ID:
			msg.ReplyToID = &ref.ID
		case err != nil && !isNotFound(err):
			return nil, err
		}
	}
	return msg, nil
}

// afterInsert stores the attachment of a media message and queues the
// follow-up jobs of a new message.
func (s *Service) afterInsert(ctx context.Context, tx Tx, b *InboundBatch, t *Ticket, msg *Message, m *InboundMessage) error {
	if md := m.Media; md != nil {
		now := s.Now()
		a := &Attachment{MessageID: msg.ID, Filename: md.Filename, MIMEType: md.MIMEType, SHA256: md.SHA256,
			Voice: md.Voice, State: AttachmentDownloading, WAMediaID: md.MediaID, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertAttachment(ctx, a); err != nil {
			return err
		}
		b.enqueue(MediaDownloadJob{AttachmentID: a.ID})
	}
	if u := m.Unsupported; u != nil && u.Code == ErrorUnsupportedType {
		b.enqueue(ApologyJob{TicketID: t.ID, MessageID: msg.ID})
	}
	return nil
}

// countCustomerMessage applies a new customer message to its ticket: the
// 24-hour window runs from the message's own Meta time (a late delivery
// never extends it past that), it counts unread, and a pending ticket
// comes back to open (new stays new).
func countCustomerMessage(t *Ticket, m *InboundMessage) {
	if expiry := WindowExpiry(m.At); t.WindowExpiresAt == nil || expiry.After(*t.WindowExpiresAt) {
		t.WindowExpiresAt = &expiry
	}
	if t.LastInboundAt == nil || m.At.After(*t.LastInboundAt) {
		at := m.At
		t.LastInboundAt = &at
	}
	if m.At.After(t.LastMessageAt) {
		t.LastMessageAt = m.At
	}
	t.UnreadCount++
	if t.State == StatePending {
		t.State = StateOpen
	}
	t.ReminderSentAt = nil // a new customer message restarts the reminder clock
}

// UnsupportedText renders Meta's reason for an unsupported message as the
// text of its internal note.
func UnsupportedText(kind string, e *MessageError) string {
	var b strings.Builder
	b.WriteString("Unsupported WhatsApp message")
	if kind != "" {
		b.WriteString(" (" + kind + ")")
	}
	if e != nil {
		if e.Title != "" {
			b.WriteString(": " + e.Title)
		}
		if e.Message != "" && e.Message != e.Title {
			b.WriteString(" — " + e.Message)
		}
		if e.Code != 0 {
			fmt.Fprintf(&b, " [%d]", e.Code)
		}
	}
	return b.String()
}
