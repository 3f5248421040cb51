package helpdesk

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Automatic messages: the welcome text on a new ticket, the reminder
// before the window closes and the apology for an unsupported message. They
// go through the same path as an agent's reply (a queued system message and
// a SendMessageJob), so they show in the ticket and obey FIFO, rate limits
// and the channel pause.

// DefaultReminderText is sent when a channel's reminder has no text of its own.
const DefaultReminderText = "We haven't heard from you in a while. If you still need help, just reply to this message — otherwise this conversation will close soon."

// DefaultApologyText answers a message type WhatsApp could not pass on (131051).
const DefaultApologyText = "Sorry, we could not read your last message: this type of message is not supported here. Please send it as text, a photo or a document."

// QueueWelcome queues the channel's welcome message on a new ticket, once.
// It does nothing when the channel has no welcome text.
func (o *Outbox) QueueWelcome(ctx context.Context, ticketID int64) (queued bool, err error) {
	return o.queueAuto(ctx, ticketID, func(tx Tx, t *Ticket, ch *Channel) (string, string, error) {
		if ch.WelcomeMessage == "" {
			return "", "", nil
		}
		return ch.WelcomeMessage, `{"auto":"welcome"}`, nil
	})
}

// QueueApology queues the apology for one unsupported inbound message, once.
func (o *Outbox) QueueApology(ctx context.Context, ticketID, inboundID int64) (queued bool, err error) {
	return o.queueAuto(ctx, ticketID, func(tx Tx, t *Ticket, ch *Channel) (string, string, error) {
		p, _ := json.Marshal(map[string]any{"auto": "apology", "message_id": inboundID})
		return DefaultApologyText, string(p), nil
	})
}

// QueueReminder queues the reminder of the ticket's current window, unless
// it no longer applies: the ticket is closed, the reminder is off, the
// window already closed, this window's reminder went out, or the channel
// skips answered tickets and an agent answered after the customer's last
// message. When the customer wrote again since the job was scheduled (the
// window moved on), the reminder is not due yet: retryAt says when it is,
// and the job runs again then (one job per ticket, see ClaimReminder).
func (o *Outbox) QueueReminder(ctx context.Context, job ReminderJob) (queued bool, why string, retryAt time.Time, err error) {
	queued, err = o.queueAuto(ctx, job.TicketID, func(tx Tx, t *Ticket, ch *Channel) (string, string, error) {
		switch {
		case !ch.Reminder.Enabled:
			why = "reminder off"
		case t.WindowExpiresAt == nil:
			why = "no window"
		case t.ReminderSentAt != nil && t.LastInboundAt != nil && !t.ReminderSentAt.Before(*t.LastInboundAt):
			why = "already reminded"
		case t.WindowExpiresAt.After(job.WindowExpiresAt.Add(time.Millisecond)):
			due := t.WindowExpiresAt.Add(-WindowDuration).Add(time.Duration(ch.Reminder.AfterSeconds) * time.Second)
			if o.s.Now().Before(due) {
				why, retryAt = "window moved on", due
				if _, err := tx.ClaimReminder(ctx, t.ID, due, o.s.Now()); err != nil {
					return "", "", err
				}
			}
		}
		if why != "" {
			return "", "", nil
		}
		if ch.Reminder.SkipAnswered && t.LastInboundAt != nil {
			answered, err := tx.AgentRepliedAfter(ctx, t.ID, *t.LastInboundAt)
			if err != nil {
				return "", "", err
			}
			if answered {
				why = "answered"
				return "", "", nil
			}
		}
		if err := tx.SetTicketReminderSent(ctx, t.ID, o.s.Now()); err != nil {
			return "", "", err
		}
		text := ch.Reminder.Message
		if text == "" {
			text = DefaultReminderText
		}
		p, _ := json.Marshal(map[string]any{"auto": "reminder", "window_expires_at": t.WindowExpiresAt.UTC().Format(time.RFC3339Nano)})
		return text, string(p), nil
	})
	if !queued && why == "" && err == nil {
		why = "ticket closed or window closed"
	}
	return queued, why, retryAt, err
}

// queueAuto runs decide on an open ticket with an open window and queues
// the text it returns as a system message with the given payload, unless
// one with that payload exists already.
func (o *Outbox) queueAuto(ctx context.Context, ticketID int64, decide func(tx Tx, t *Ticket, ch *Channel) (text, payload string, err error)) (bool, error) {
	queued := false
	err := o.s.Update(ctx, func(tx Tx, ev *Events) error {
		queued = false
		t, err := tx.TicketByID(ctx, ticketID)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if t.State == StateClosed || !t.WindowOpen(o.s.Now()) {
			return nil
		}
		ch, err := sendingChannel(ctx, tx, t)
		if err != nil {
			return nil // no channel to send on: nothing to do, not an error to retry
		}
		text, payload, err := decide(tx, t, ch)
		if err != nil || text == "" {
			return err
		}
		if exists, err := tx.AutoMessageExists(ctx, t.ID, payload); err != nil || exists {
			return err
		}
		m := &Message{SenderKind: SenderSystem, Text: truncate(text, MaxTextLength), Payload: json.RawMessage(payload)}
		if err := o.queueOn(ctx, tx, ev, t, m, Reply{Text: m.Text}); err != nil {
			return err
		}
		queued = true
		return nil
	})
	if errors.Is(err, ErrConflict) {
		// The unique index on automatic messages: a concurrent run of the
		// same job queued it first.
		return false, nil
	}
	return queued, err
}
