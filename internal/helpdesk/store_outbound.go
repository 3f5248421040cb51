package helpdesk

import (
	"context"
	"time"
)

// OutboundReads are the extra read queries of sending.
type OutboundReads interface {
	// OutboundMessage returns a message with its attachments (no sender
	// name, no reactions): what sending it needs, in one or two queries.
	OutboundMessage(ctx context.Context, id int64) (*Message, error)
	// SendContextOf returns the ticket, customer and FIFO/attempt facts of
	// an outbound message in one query.
	SendContextOf(ctx context.Context, messageID int64) (*SendContext, error)
	// SendPlanOf returns what OutboundMessage, SendContextOf and ChannelByID
	// return, in one query (plus one for attachments), for a message whose
	// channel is not deleted; otherwise ErrNotFound.
	SendPlanOf(ctx context.Context, messageID int64) (*Message, *SendContext, *Channel, error)
	// OpenSendAttempt returns the message's attempt that was started and
	// never finished (a crash between calling Meta and recording the
	// answer), or ErrNotFound.
	OpenSendAttempt(ctx context.Context, messageID int64) (*SendAttempt, error)
	// ListSendAttempts returns every recorded attempt of a message, oldest first.
	ListSendAttempts(ctx context.Context, messageID int64) ([]SendAttempt, error)
	// EarlierUnsent reports whether the ticket has an outbound message older
	// than messageID that is still queued (FIFO per ticket).
	EarlierUnsent(ctx context.Context, ticketID, messageID int64) (bool, error)
	// NewestInbound returns the ticket's newest customer message that has a
	// wamid, or ErrNotFound.
	NewestInbound(ctx context.Context, ticketID int64) (*Message, error)
	// AgentRepliedAfter reports whether an agent's outbound message (not a
	// note, not failed) was created after at.
	AgentRepliedAfter(ctx context.Context, ticketID int64, at time.Time) (bool, error)
	// AutoMessageExists reports whether the ticket has an automatic message
	// (welcome, apology) whose payload is exactly payload, so that a job
	// run twice does not send it twice.
	AutoMessageExists(ctx context.Context, ticketID int64, payload string) (bool, error)
	// TemplatesByWABA returns the templates of every live channel of a WABA
	// with that name and language.
	TemplatesByWABA(ctx context.Context, wabaID, name, language string) ([]Template, error)
}

// SendContext is what sending a message needs besides the message itself.
type SendContext struct {
	TicketID, CustomerID int64
	GroupID              *int64
	WAID, BSUID          string // the customer's
	OpenAttempt          bool   // an attempt began and never finished
	EarlierUnsent        bool   // an older outbound message of the ticket is queued
}

// OutboundWrites are the extra writes of sending.
type OutboundWrites interface {
	InsertSendAttempt(ctx context.Context, a *SendAttempt) error // sets ID
	// StartSendAttempt records a new attempt and counts it on the message,
	// only if the message is queued and has no unfinished attempt;
	// otherwise ErrNotFound.
	StartSendAttempt(ctx context.Context, messageID int64, at time.Time) (*SendAttempt, error)
	// MarkMessageAccepted stores the wamid of a queued message and sets it
	// accepted with no error; ErrNotFound when it is no longer queued.
	MarkMessageAccepted(ctx context.Context, messageID int64, wamid string, at time.Time) error
	// FinishSendAttempt closes an attempt with its outcome and, for
	// failures, Meta's code and title.
	FinishSendAttempt(ctx context.Context, a *SendAttempt) error
	// SetChannelStatus sets a channel's status and last error (nil clears it).
	SetChannelStatus(ctx context.Context, channelID int64, status ChannelStatus, lastErr *ChannelErrorInfo, at time.Time) error
	// TicketOutboundActivity records an agent or system message on the
	// ticket: last_message_at and, when sent is true, last_outbound_at move
	// forward; a new ticket becomes open. Targeted, so that it never
	// overwrites what the inbound processor changes concurrently.
	TicketOutboundActivity(ctx context.Context, ticketID int64, at time.Time, sent bool) error
	// SetTicketReminderSent records that the reminder of the current window went out.
	SetTicketReminderSent(ctx context.Context, ticketID int64, at time.Time) error
	// ResetTicketUnread sets the ticket's unread count to zero.
	ResetTicketUnread(ctx context.Context, ticketID int64, at time.Time) error
}
