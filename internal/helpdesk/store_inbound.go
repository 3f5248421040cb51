package helpdesk

import (
	"context"
	"time"
)

// InboundReads are the extra read queries of processing webhook deliveries.
type InboundReads interface {
	// MessageRefByWAMID finds a message of the channel by wamid without
	// loading attachments or reactions (the hot path of replies, reactions
	// and statuses), or ErrNotFound.
	MessageRefByWAMID(ctx context.Context, channelID int64, wamid string) (*MessageRef, error)
	// InboundCustomer finds a customer by wa_id, then by BSUID ("" never
	// matches), with the WhatsApp profile name last seen for it.
	InboundCustomer(ctx context.Context, waID, bsuid string) (c *Customer, profileName string, err error)
	// InboundCustomers returns the customers having any of the wa_ids or
	// BSUIDs, with their profile names: a batch loads its customers at once.
	InboundCustomers(ctx context.Context, waIDs, bsuids []string) ([]CustomerProfile, error)
	// LiveTickets returns the not-closed tickets of the customers, on any
	// channel, newest first.
	LiveTickets(ctx context.Context, customerIDs []int64) ([]Ticket, error)
	// ReactionBy returns the reactor's current reaction on a message, or ErrNotFound.
	ReactionBy(ctx context.Context, messageID int64, byKind SenderKind, byID int64) (*Reaction, error)
}

// InboundWrites are the extra writes of processing webhook deliveries.
type InboundWrites interface {
	// ClaimReminder notes that a reminder job due at due is scheduled for
	// the ticket, unless one is pending (due after now); true means enqueue.
	ClaimReminder(ctx context.Context, ticketID int64, due, now time.Time) (bool, error)
	// LockWAMID serialises, until the transaction ends, every transaction
	// that records or applies statuses for one outbound wamid, so that a
	// status parked as pending and the send recording its wamid cannot miss
	// each other (PostgreSQL; a no-op on SQLite's single writer).
	LockWAMID(ctx context.Context, channelID int64, wamid string) error
	// ClaimInbox takes up to limit pending deliveries, oldest first, for
	// this transaction. On PostgreSQL the rows stay locked until it ends and
	// rows locked by another instance are skipped, so two instances never
	// process the same delivery; SQLite has a single writer anyway.
	ClaimInbox(ctx context.Context, limit int) ([]InboxItem, error)
	// ClaimInboxItem claims one pending delivery, or ErrNotFound when it is
	// not pending any more or another instance holds it.
	ClaimInboxItem(ctx context.Context, id int64) (*InboxItem, error)
	// FinishInbox records the outcome of deliveries processed in this
	// transaction: state done, ignored or failed, with a note ("" for none) kept in
	// the error column for inspection.
	FinishInbox(ctx context.Context, ids []int64, state, note string, at time.Time) error

	// CreateInboundCustomer inserts c with the profile name it came with
	// and sets c.ID; a wa_id or BSUID already taken is ErrConflict.
	CreateInboundCustomer(ctx context.Context, c *Customer, profileName string) error
	// UpdateInboundCustomer writes c's identifiers, name and profile name.
	UpdateInboundCustomer(ctx context.Context, c *Customer, profileName string) error
	// ApplyInboundTicket writes what customer messages change on a ticket,
	// relative to the stored row so that an agent's concurrent change (state,
	// assignee, title) is never overwritten: unread_count grows by the delta,
	// the times only move forward, pending becomes open when Reopen is set.
	ApplyInboundTicket(ctx context.Context, u *InboundTicketUpdate) error
	// ClaimConversation flags t as the customer's live WhatsApp conversation
	// on its channel. A second not-closed one is ErrConflict.
	ClaimConversation(ctx context.Context, ticketID int64) error
	// SetMessageStatus writes a status change (and Meta's error for failed).
	SetMessageStatus(ctx context.Context, id int64, status MessageStatus, e *MessageError, at time.Time) error
	// AddPendingStatus keeps a status whose message is not stored yet; the
	// same (channel, wamid, status) twice is kept once.
	AddPendingStatus(ctx context.Context, p *PendingStatus) error
	// TakePendingStatuses removes and returns the statuses kept for a wamid.
	TakePendingStatuses(ctx context.Context, channelID int64, wamid string) ([]PendingStatus, error)
	// TakePendingStatusesOfMessage removes and returns the statuses kept
	// whose callback data named the message.
	TakePendingStatusesOfMessage(ctx context.Context, messageID int64) ([]PendingStatus, error)
	// ReconcileUnknown gives an outbound message in status unknown, without
	// a wamid, the wamid its statuses revealed: it becomes accepted with no
	// error. ErrNotFound when the message is not in that state.
	ReconcileUnknown(ctx context.Context, messageID int64, wamid string, at time.Time) error
	// SetTemplateStatus updates the status (and quality, unless empty) of
	// the templates of that name and language on every channel of the WABA;
	// it returns how many rows changed.
	SetTemplateStatus(ctx context.Context, wabaID, name, language, status, quality string) (int64, error)
}

// CustomerProfile is a customer with the WhatsApp profile name last seen.
type CustomerProfile struct {
	Customer
	ProfileName string
}

// InboundTicketUpdate is the change customer messages make to a ticket.
type InboundTicketUpdate struct {
	TicketID        int64
	UnreadDelta     int
	WindowExpiresAt *time.Time // later of this and the stored one
	LastInboundAt   *time.Time // likewise
	LastMessageAt   time.Time  // likewise
	Reopen          bool       // pending → open
	ResetReminder   bool       // a customer message restarts the reminder clock
	UpdatedAt       time.Time
}

// MessageRef is the little a status, reply or reaction needs of a message.
type MessageRef struct {
	ID        int64
	TicketID  int64
	Direction Direction
	Status    MessageStatus
	GroupID   *int64 // the ticket's group, for events
}

// PendingStatus is a status webhook that arrived before its message's wamid
// was stored.
type PendingStatus struct {
	ChannelID int64
	WAMID     string
	MessageID *int64 // the outbound message its callback data names, if it has no wamid yet
	Status    MessageStatus
	Error     *MessageError
	At        time.Time
}
