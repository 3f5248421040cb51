package helpdesk

import (
	"context"
	"fmt"
	"time"
)

// The send worker's steps, each its own transaction. The order is what
// makes sending crash-safe (see internal/outbound's package doc):
//
//	PrepareSend  (read)  what to send, or why not now
//	BeginSend    (write) the attempt is recorded and committed
//	… the worker calls the Cloud API …
//	RecordAccepted / RecordFailed / RecordRetry / RecordPaused / RecordUnknown (write)
//
// A job that finds an attempt begun and never recorded does not send again:
// the process died while Meta may have accepted the message, so it becomes
// "unknown" for an agent to check and retry by hand.
//
// Each write step also has a …Tx form that runs inside a transaction the
// caller owns: the send worker commits the steps of concurrent sends in one
// transaction (internal/outbound's group commit). The order holds all the
// same, since the worker calls the Cloud API only once BeginSendTx's
// transaction committed. Like any function given to Service.Update, a
// …Tx step may run twice when its transaction is retried.

// SendAction is what the worker should do with a message now.
type SendAction int

const (
	SendNow    SendAction = iota // call the Cloud API
	SendDone                     // nothing to do: not queued (sent, failed, unknown, note, inbound)
	SendWait                     // an older message of the ticket is still queued (FIFO)
	SendPaused                   // the channel is in error or disabled: try again later
)

// SendPlan is everything the worker needs for one message.
type SendPlan struct {
	Action   SendAction
	Message  *Message
	Ticket   *Ticket
	Channel  *Channel
	Customer *Customer
	// Interrupted is true when an earlier attempt began and never finished;
	// BeginSend then marks the message unknown instead of sending.
	Interrupted bool
}

// PrepareSend reads what sending the message needs and decides whether it
// may go now. It is on the hot path of every send, hence one query for the
// usual case (a message of a live channel), and targeted ones otherwise.
func (o *Outbox) PrepareSend(ctx context.Context, messageID int64) (*SendPlan, error) {
	st := o.s.st
	m, sc, ch, err := st.SendPlanOf(ctx, messageID)
	if err == nil {
		return plan(m, sc, ch), nil
	}
	if !isNotFound(err) {
		return nil, err
	}
	// Gone, or its ticket or channel is: find out which.
	m, err = st.OutboundMessage(ctx, messageID)
	if isNotFound(err) {
		return &SendPlan{Action: SendDone}, nil
	}
	if err != nil {
		return nil, err
	}
	if !sendable(m) {
		return &SendPlan{Action: SendDone, Message: m}, nil
	}
	sc, err = st.SendContextOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if sc.OpenAttempt {
		return plan(m, sc, nil), nil
	}
	ch, err = st.ChannelByID(ctx, *m.ChannelID)
	if isNotFound(err) {
		// Deleted since queuing: nothing will ever send it.
		return plan(m, sc, nil), o.RecordFailed(ctx, nil, m.ID, &MessageError{Title: "channel deleted",
			Message: "the channel was deleted before the message could be sent"})
	}
	if err != nil {
		return nil, err
	}
	return plan(m, sc, ch), nil
}

// sendable reports whether m is an outbound message waiting to be sent.
func sendable(m *Message) bool {
	return m.Direction == Out && !m.Internal && m.Status == StatusQueued && m.ChannelID != nil
}

// plan decides what to do with m now; ch is nil when the channel is gone
// (the plan is then SendDone, and PrepareSend fails the message).
func plan(m *Message, sc *SendContext, ch *Channel) *SendPlan {
	p := &SendPlan{Action: SendDone, Message: m}
	if !sendable(m) {
		return p
	}
	p.Ticket = &Ticket{ID: sc.TicketID, CustomerID: sc.CustomerID, GroupID: sc.GroupID}
	p.Customer = &Customer{ID: sc.CustomerID, WAID: sc.WAID, BSUID: sc.BSUID}
	switch {
	case sc.OpenAttempt:
		p.Action, p.Interrupted = SendNow, true
	case ch == nil:
	case !ch.Active || ch.Status != ChannelActive:
		p.Channel, p.Action = ch, SendPaused
	case sc.EarlierUnsent:
		p.Channel, p.Action = ch, SendWait
	default:
		p.Channel, p.Action = ch, SendNow
	}
	return p
}

// BeginSend records and commits a new attempt before the Cloud API is
// called. It returns nil (and no error) when the message must not be sent
// after all: it is no longer queued, or an earlier attempt was interrupted
// (then the message is now unknown).
func (o *Outbox) BeginSend(ctx context.Context, messageID int64) (*SendAttempt, error) {
	var a *SendAttempt
	err := o.s.Update(ctx, func(tx Tx, ev *Events) (err error) {
		a, err = o.BeginSendTx(ctx, tx, ev, messageID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("helpdesk: begin send %d: %w", messageID, err)
	}
	return a, nil
}

// BeginSendTx is BeginSend in tx; the attempt may be used once tx committed.
func (o *Outbox) BeginSendTx(ctx context.Context, tx Tx, ev *Events, messageID int64) (*SendAttempt, error) {
	a, err := tx.StartSendAttempt(ctx, messageID, o.s.Now())
	if err == nil || !isNotFound(err) {
		return a, err
	}
	// Not queued any more, or an attempt is open: find out which.
	m, err := tx.MessageByID(ctx, messageID)
	if err != nil || m.Status != StatusQueued {
		return nil, err
	}
	open, err := tx.OpenSendAttempt(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	return nil, o.markUnknown(ctx, tx, ev, m, open, &MessageError{Title: "delivery unknown",
		Message: "wadesk stopped while handing this message to WhatsApp; it may or may not have been sent. Check with the customer, then retry if needed."})
}

// RecordAccepted stores the wamid Meta returned: the message is accepted,
// statuses that arrived before the wamid are applied, the ticket's
// last_outbound_at moves forward.
func (o *Outbox) RecordAccepted(ctx context.Context, p *SendPlan, a *SendAttempt, wamid string) error {
	return o.s.Update(ctx, func(tx Tx, ev *Events) error { return o.RecordAcceptedTx(ctx, tx, ev, p, a, wamid) })
}

// RecordAcceptedTx is RecordAccepted in tx.
func (o *Outbox) RecordAcceptedTx(ctx context.Context, tx Tx, ev *Events, p *SendPlan, a *SendAttempt, wamid string) error {
	m := p.Message
	now := o.s.Now()
	if err := o.finish(ctx, tx, a, AttemptAccepted, nil, now); err != nil {
		return err
	}
	if err := tx.MarkMessageAccepted(ctx, m.ID, wamid, now); err != nil {
		return err
	}
	if err := tx.TicketOutboundActivity(ctx, m.TicketID, now, true); err != nil {
		return err
	}
	ev.Add(Event{Type: EventMessageUpdated, TicketID: m.TicketID, MessageID: m.ID, GroupID: p.Ticket.GroupID})
	return o.s.ApplyPendingStatuses(ctx, tx, ev, *m.ChannelID, wamid)
}

// RecordFailed fails the message for good with Meta's reason (a nil
// attempt: failed before any call, e.g. the channel is gone).
func (o *Outbox) RecordFailed(ctx context.Context, a *SendAttempt, messageID int64, reason *MessageError) error {
	return o.s.Update(ctx, func(tx Tx, ev *Events) error { return o.RecordFailedTx(ctx, tx, ev, a, messageID, reason) })
}

// RecordFailedTx is RecordFailed in tx.
func (o *Outbox) RecordFailedTx(ctx context.Context, tx Tx, ev *Events, a *SendAttempt, messageID int64, reason *MessageError) error {
	m, err := tx.MessageByID(ctx, messageID)
	if err != nil {
		return err
	}
	now := o.s.Now()
	if err := o.finish(ctx, tx, a, AttemptFailed, reason, now); err != nil {
		return err
	}
	m.Status, m.Error, m.UpdatedAt = StatusFailed, reason, now
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return err
	}
	return o.messageEvent(ctx, tx, ev, m)
}

// RecordRetry closes an attempt that failed transiently; the message stays
// queued (its last error kept) and the job retries after a backoff.
func (o *Outbox) RecordRetry(ctx context.Context, a *SendAttempt, reason *MessageError) error {
	return o.s.Update(ctx, func(tx Tx, ev *Events) error { return o.RecordRetryTx(ctx, tx, ev, a, reason) })
}

// RecordRetryTx is RecordRetry in tx.
func (o *Outbox) RecordRetryTx(ctx context.Context, tx Tx, ev *Events, a *SendAttempt, reason *MessageError) error {
	m, err := tx.MessageByID(ctx, a.MessageID)
	if err != nil {
		return err
	}
	now := o.s.Now()
	if err := o.finish(ctx, tx, a, AttemptRetry, reason, now); err != nil {
		return err
	}
	m.Error, m.UpdatedAt = reason, now
	return tx.UpdateMessage(ctx, m)
}

// RecordPaused closes an attempt that Meta refused because the channel's
// token is invalid or its account locked: the channel goes to status error
// with the reason (visible in the API), and the message stays queued until
// the channel is active again.
func (o *Outbox) RecordPaused(ctx context.Context, a *SendAttempt, channelID int64, reason *MessageError) error {
	return o.s.Update(ctx, func(tx Tx, ev *Events) error { return o.RecordPausedTx(ctx, tx, ev, a, channelID, reason) })
}

// RecordPausedTx is RecordPaused in tx.
func (o *Outbox) RecordPausedTx(ctx context.Context, tx Tx, ev *Events, a *SendAttempt, channelID int64, reason *MessageError) error {
	now := o.s.Now()
	if err := o.finish(ctx, tx, a, AttemptPaused, reason, now); err != nil {
		return err
	}
	return o.setChannelError(ctx, tx, channelID, reason, now)
}

// PauseChannel puts a channel in error status because Meta refused its
// credentials on a call that was not a message send (mark as read, media
// upload, template sync).
func (o *Outbox) PauseChannel(ctx context.Context, channelID int64, reason *MessageError) error {
	return o.s.Update(ctx, func(tx Tx, ev *Events) error {
		return o.setChannelError(ctx, tx, channelID, reason, o.s.Now())
	})
}

func (o *Outbox) setChannelError(ctx context.Context, tx Tx, channelID int64, reason *MessageError, now time.Time) error {
	ch, err := tx.ChannelByID(ctx, channelID)
	if err != nil {
		return err
	}
	if ch.Status == ChannelDisabled {
		return nil // an admin switched it off; keep that
	}
	msg := reason.Title
	if reason.Message != "" && reason.Message != reason.Title {
		msg += ": " + reason.Message
	}
	return tx.SetChannelStatus(ctx, channelID, ChannelError, &ChannelErrorInfo{Code: reason.Code, Message: msg, At: now}, now)
}

// RecordUnknown closes an attempt whose outcome cannot be known (the
// connection broke after the request was sent): the message becomes
// unknown instead of being sent a second time.
func (o *Outbox) RecordUnknown(ctx context.Context, a *SendAttempt, reason *MessageError) error {
	return o.s.Update(ctx, func(tx Tx, ev *Events) error { return o.RecordUnknownTx(ctx, tx, ev, a, reason) })
}

// RecordUnknownTx is RecordUnknown in tx.
func (o *Outbox) RecordUnknownTx(ctx context.Context, tx Tx, ev *Events, a *SendAttempt, reason *MessageError) error {
	m, err := tx.MessageByID(ctx, a.MessageID)
	if err != nil {
		return err
	}
	return o.markUnknown(ctx, tx, ev, m, a, reason)
}

func (o *Outbox) markUnknown(ctx context.Context, tx Tx, ev *Events, m *Message, a *SendAttempt, reason *MessageError) error {
	now := o.s.Now()
	if err := o.finish(ctx, tx, a, AttemptUnknown, reason, now); err != nil {
		return err
	}
	m.Status, m.Error, m.UpdatedAt = StatusUnknown, reason, now
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return err
	}
	if err := o.messageEvent(ctx, tx, ev, m); err != nil {
		return err
	}
	// Statuses that named m while it was in flight settle the question.
	return o.s.ReconcileParked(ctx, tx, ev, m)
}

func (o *Outbox) finish(ctx context.Context, tx Tx, a *SendAttempt, outcome string, reason *MessageError, now time.Time) error {
	if a == nil {
		return nil
	}
	a.FinishedAt, a.Outcome = &now, outcome
	if reason != nil {
		a.ErrorCode, a.ErrorTitle = reason.Code, reason.Title
	}
	return tx.FinishSendAttempt(ctx, a)
}

func (o *Outbox) messageEvent(ctx context.Context, tx Tx, ev *Events, m *Message) error {
	t, err := tx.TicketByID(ctx, m.TicketID)
	if err != nil {
		return err
	}
	ev.Add(Event{Type: EventMessageUpdated, TicketID: t.ID, MessageID: m.ID, GroupID: t.GroupID})
	return nil
}

// SetMediaID remembers the Cloud API media id an attachment was uploaded
// as, so that a retried send does not upload it again (ids last 30 days).
func (o *Outbox) SetMediaID(ctx context.Context, a *Attachment, mediaID string) error {
	return o.s.Update(ctx, func(tx Tx, ev *Events) error {
		a.WAMediaID, a.UpdatedAt = mediaID, o.s.Now()
		return tx.UpdateAttachment(ctx, a)
	})
}
