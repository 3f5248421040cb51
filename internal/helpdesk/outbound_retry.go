package helpdesk

import (
	"context"
	"fmt"
	"time"
)

// RetryMessage queues a failed or unknown outbound message again, as an
// agent asked: the request is recorded as an attempt of its own and a new
// SendMessageJob sends it. Messages in any other state are a conflict (a
// delivered message cannot be retried); a free-form message whose window
// closed meanwhile is window_closed.
func (o *Outbox) RetryMessage(ctx context.Context, actor *User, messageID int64) (*Message, error) {
	var out *Message
	err := o.s.Update(ctx, func(tx Tx, ev *Events) error {
		m, err := tx.MessageByID(ctx, messageID)
		if err != nil {
			return err
		}
		t, err := visibleTicket(ctx, tx, actor, m.TicketID)
		if err != nil {
			return err
		}
		if m.Direction != Out || m.Internal || (m.Status != StatusFailed && m.Status != StatusUnknown) {
			return Errorf(ECodeConflict, "only failed messages and messages whose delivery is unknown can be retried; this one is %s", m.Status)
		}
		if _, err := sendingChannel(ctx, tx, t); err != nil {
			return err
		}
		now := o.s.Now()
		if m.Type != "template" && !t.WindowOpen(now) {
			return Errorf(ECodeWindowClosed,
				"the customer's last message is more than 24 hours old: only a template can be sent now")
		}
		by := actor.ID
		if err := tx.InsertSendAttempt(ctx, &SendAttempt{MessageID: m.ID, StartedAt: now, FinishedAt: &now,
			Outcome: AttemptRequested, RequestedBy: &by}); err != nil {
			return err
		}
		// The new send gets a new wamid; late statuses of an old one no longer apply.
		m.Status, m.Error, m.WAMessageID, m.UpdatedAt = StatusQueued, nil, nil, now
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		if err := o.enq.EnqueueTx(ctx, tx, SendMessageJob{MessageID: m.ID}); err != nil {
			return err
		}
		ev.Add(Event{Type: EventMessageUpdated, TicketID: t.ID, MessageID: m.ID, GroupID: t.GroupID})
		// Read inside the transaction, before a send worker moves it on.
		out, err = tx.MessageByID(ctx, messageID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SendAttempts lists a visible message's recorded attempts, oldest first.
func (o *Outbox) SendAttempts(ctx context.Context, actor *User, messageID int64) ([]SendAttempt, error) {
	if _, err := o.s.Message(ctx, actor, messageID); err != nil {
		return nil, err
	}
	return o.s.st.ListSendAttempts(ctx, messageID)
}

// MarkTicketRead is called when an agent opens a ticket: the unread count
// goes to zero and, if the channel marks messages read (the default), the
// newest customer message is marked read on WhatsApp by a MarkReadJob.
func (o *Outbox) MarkTicketRead(ctx context.Context, actor *User, ticketID int64) (*Ticket, error) {
	err := o.s.Update(ctx, func(tx Tx, ev *Events) error {
		t, err := visibleTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		if t.UnreadCount == 0 {
			return nil
		}
		if err := tx.ResetTicketUnread(ctx, t.ID, o.s.Now()); err != nil {
			return err
		}
		ev.Add(Event{Type: EventTicketUpdated, TicketID: t.ID, GroupID: t.GroupID})
		ch, err := sendingChannel(ctx, tx, t)
		if err != nil || !ch.MarkRead {
			return nil // nothing to tell WhatsApp; the count is reset anyway
		}
		in, err := tx.NewestInbound(ctx, t.ID)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return o.enq.EnqueueTx(ctx, tx, MarkReadJob{ChannelID: ch.ID, WAMID: *in.WAMessageID})
	})
	if err != nil {
		return nil, err
	}
	return o.s.st.TicketByID(ctx, ticketID)
}

// TypingInterval throttles typing indicators per ticket: WhatsApp shows
// one for 25 s, so a new one before that adds nothing.
const TypingInterval = 20 * time.Second

// Typing shows the typing indicator to the customer while an agent
// composes, if the channel has it switched on, the window is open and no
// indicator went out in the last TypingInterval. It reports whether one
// was queued and, if not, why.
func (o *Outbox) Typing(ctx context.Context, actor *User, ticketID int64) (queued bool, why string, err error) {
	err = o.s.Update(ctx, func(tx Tx, ev *Events) error {
		t, err := visibleTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		ch, err := sendingChannel(ctx, tx, t)
		if err != nil {
			return err
		}
		now := o.s.Now()
		switch {
		case !ch.TypingIndicator:
			why = "the channel's typing indicator is off"
			return nil
		case !t.WindowOpen(now):
			why = "the window is closed"
			return nil
		case !o.takeTyping(t.ID, now):
			why = fmt.Sprintf("throttled: at most one every %s", TypingInterval)
			return nil
		}
		in, err := tx.NewestInbound(ctx, t.ID)
		if isNotFound(err) {
			why = "no customer message to answer"
			return nil
		}
		if err != nil {
			return err
		}
		queued = true
		return o.enq.EnqueueTx(ctx, tx, TypingJob{ChannelID: ch.ID, WAMID: *in.WAMessageID})
	})
	return queued, why, err
}

// takeTyping reports whether the ticket may have a typing indicator now,
// and if so counts it. The map only holds tickets of the last interval.
func (o *Outbox) takeTyping(ticketID int64, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if last, ok := o.typing[ticketID]; ok && now.Sub(last) < TypingInterval {
		return false
	}
	for id, at := range o.typing {
		if now.Sub(at) >= TypingInterval {
			delete(o.typing, id)
		}
	}
	o.typing[ticketID] = now
	return true
}
