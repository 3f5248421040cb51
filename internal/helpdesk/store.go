package helpdesk

import (
	"context"
	"time"
)

// Store is what the Service needs from storage; internal/store implements
// it for SQLite and PostgreSQL. Reads on the Store run outside transactions
// (on SQLite: the reader pool); WithTx is the only way to write.
//
// Lookups by id or key return ErrNotFound when nothing matches; writes that
// break a unique or foreign-key constraint return ErrConflict (both wrapped).
type Store interface {
	Reader
	// WithTx runs fn in one write transaction: committed when fn returns
	// nil, rolled back otherwise.
	WithTx(ctx context.Context, fn func(tx Tx) error) error
}

// Reader is every read query. Both Store and Tx have them. Each capability
// adds its own queries in its own file through the embedded interfaces.
type Reader interface {
	ChannelReads
	InboundReads
	OutboundReads

	UserByID(ctx context.Context, id int64) (*User, error)        // with GroupIDs
	UserByEmail(ctx context.Context, email string) (*User, error) // email as stored (lowercase); with GroupIDs
	ListUsers(ctx context.Context, afterID int64, limit int) ([]User, error)
	CountUsers(ctx context.Context) (int, error)

	GroupByID(ctx context.Context, id int64) (*Group, error)
	ListGroups(ctx context.Context, afterID int64, limit int) ([]Group, error)
	GroupMembers(ctx context.Context, groupID int64) ([]int64, error)
	IsGroupMember(ctx context.Context, groupID, userID int64) (bool, error)

	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error)
	SessionByHash(ctx context.Context, hash string) (*Session, error)

	CustomerByID(ctx context.Context, id int64) (*Customer, error)
	CustomerByWAID(ctx context.Context, waID string) (*Customer, error)
	CustomerByBSUID(ctx context.Context, bsuid string) (*Customer, error)
	ListCustomers(ctx context.Context, q CustomerQuery) ([]Customer, error)
	// CustomerVisibleTo reports whether the customer has a ticket in one of
	// the user's groups.
	CustomerVisibleTo(ctx context.Context, customerID, userID int64) (bool, error)

	TicketByID(ctx context.Context, id int64) (*Ticket, error)
	ListTickets(ctx context.Context, q TicketQuery) ([]Ticket, error)
	// OpenTicketFor returns the newest ticket of the customer on the channel
	// that is not closed, or ErrNotFound.
	OpenTicketFor(ctx context.Context, customerID, channelID int64) (*Ticket, error)

	MessageByID(ctx context.Context, id int64) (*Message, error) // with sender name, attachments, reactions
	MessageByWAMID(ctx context.Context, channelID int64, wamid string) (*Message, error)
	ListMessages(ctx context.Context, q MessageQuery) ([]Message, error)
	AttachmentByID(ctx context.Context, id int64) (*Attachment, error)

	ChannelByID(ctx context.Context, id int64) (*Channel, error)
	ChannelByWebhookID(ctx context.Context, webhookID string) (*Channel, error)
	ChannelByPhoneNumberID(ctx context.Context, phoneNumberID string) (*Channel, error)
	ListChannels(ctx context.Context) ([]Channel, error) // not deleted, by id
	ListTemplates(ctx context.Context, channelID int64) ([]Template, error)
	TemplateByName(ctx context.Context, channelID int64, name, language string) (*Template, error)

	// PendingInbox returns up to limit pending webhook deliveries, oldest first.
	PendingInbox(ctx context.Context, limit int) ([]InboxItem, error)
}

// Tx is one write transaction: the reads plus every write.
type Tx interface {
	Reader
	ChannelWrites
	InboundWrites
	OutboundWrites
	IdempotencyWrites

	CreateUser(ctx context.Context, u *User) error // sets ID
	UpdateUser(ctx context.Context, u *User) error // name, role, password hash, active, updated_at
	SetUserGroups(ctx context.Context, userID int64, groupIDs []int64) error
	CreateGroup(ctx context.Context, g *Group) error // sets ID
	SetGroupMembers(ctx context.Context, groupID int64, userIDs []int64) error

	CreateAPIToken(ctx context.Context, t *APIToken) error // sets ID
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	RevokeAPIToken(ctx context.Context, id int64, at time.Time) error

	CreateSession(ctx context.Context, s *Session) error // sets ID
	TouchSession(ctx context.Context, id int64, lastSeen, expires time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	CreateCustomer(ctx context.Context, c *Customer) error // sets ID
	UpdateCustomer(ctx context.Context, c *Customer) error

	// CreateTicket sets ID and takes Number from the ticket-number counter.
	CreateTicket(ctx context.Context, t *Ticket) error
	UpdateTicket(ctx context.Context, t *Ticket) error // every mutable column

	// InsertMessage inserts m and sets its ID. A message whose
	// (ChannelID, WAMessageID) is already stored is not inserted again:
	// created is false and m.ID is the stored message's id.
	InsertMessage(ctx context.Context, m *Message) (created bool, err error)
	UpdateMessage(ctx context.Context, m *Message) error // status, wamid, error, payload, attempts, text, updated_at
	InsertAttachment(ctx context.Context, a *Attachment) error
	UpdateAttachment(ctx context.Context, a *Attachment) error
	// UpsertReaction stores the reactor's reaction, replacing an earlier one.
	UpsertReaction(ctx context.Context, r *Reaction) error
	DeleteReaction(ctx context.Context, messageID int64, byKind SenderKind, byID int64) error

	CreateChannel(ctx context.Context, c *Channel) error // sets ID
	UpdateChannel(ctx context.Context, c *Channel) error
	DeleteChannel(ctx context.Context, id int64, at time.Time) error // soft: keeps tickets' history
	// ReplaceTemplates makes ts the channel's complete template list.
	ReplaceTemplates(ctx context.Context, channelID int64, ts []Template) error

	InsertInbox(ctx context.Context, item *InboxItem) error // sets ID; state pending
	MarkInboxDone(ctx context.Context, id int64, at time.Time) error
	// MarkInboxFailed records a failed attempt; with retry the delivery
	// stays pending, without it is parked as failed.
	MarkInboxFailed(ctx context.Context, id int64, reason string, at time.Time, retry bool) error
}

// TicketQuery is ListTickets' filter, already validated by the Service.
type TicketQuery struct {
	States                                     []TicketState
	ChannelID, CustomerID, AssigneeID, GroupID *int64
	Unassigned                                 bool
	Search                                     string // user words; the store makes them safe
	VisibleTo                                  *int64 // an agent's user id: only tickets of their groups
	// After continues after this (LastMessageAt, ID), newest first.
	AfterAt *time.Time
	AfterID int64
	Limit   int
}

// CustomerQuery is ListCustomers' filter; newest customers first.
type CustomerQuery struct {
	Search    string // substring of name, phone or wa_id
	VisibleTo *int64 // an agent's user id: only customers with a ticket in their groups
	BeforeID  int64  // 0: from the newest
	Limit     int
}

// MessageQuery pages a ticket's messages, oldest first.
type MessageQuery struct {
	TicketID int64
	AfterAt  *time.Time // continues after (CreatedAt, ID)
	AfterID  int64
	Limit    int
}

// Inbox states of a webhook delivery.
const (
	InboxPending = "pending"
	InboxDone    = "done"
	InboxFailed  = "failed"
	InboxIgnored = "ignored"
)

// InboxItem is one raw webhook delivery, stored before Meta gets its 200.
type InboxItem struct {
	ID          int64
	ChannelID   *int64
	ReceivedAt  time.Time
	Body        []byte
	State       string
	Attempts    int
	Error       string
	ProcessedAt *time.Time
}
