package helpdesk

import (
	"context"
	"time"
)

// OutboundReads are the extra read queries of sending.
type OutboundReads interface {
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

// OutboundWrites are the extra writes of sending.
type OutboundWrites interface {
	InsertSendAttempt(ctx context.Context, a *SendAttempt) error // sets ID
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
	// UpdateTemplateStatus applies a message_template_status_update to the
	// templates of every channel of the WABA: status always, quality when
	// not empty. It returns how many stored templates changed.
	UpdateTemplateStatus(ctx context.Context, wabaID, name, language, status, quality string, at time.Time) (int64, error)
}
