// Package helpdesk owns wadesk's domain: users and groups, channels,
// customers, tickets, messages and the rules that tie them together (ticket
// states, the 24-hour customer-service window, who may see what). It knows
// nothing of HTTP or SQL drivers; storage sits behind the Store interface.
package helpdesk

import (
	"encoding/json"
	"time"
)

// Role is what a user may do.
type Role string

const (
	RoleAdmin Role = "admin"
	RoleAgent Role = "agent"
)

// User is an agent or an admin.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string
	Active       bool
	GroupIDs     []int64 // filled by reads that need it
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// IsAdmin reports whether u may use admin-only routes and see every ticket.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// Group is a team; agents see the tickets of their groups.
type Group struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// APIToken is a long-lived bearer token. Only its hash is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Session is a browser login.
type Session struct {
	ID         int64
	TokenHash  string
	UserID     int64
	CSRFToken  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// ChannelStatus tells whether a channel can send.
type ChannelStatus string

const (
	ChannelActive   ChannelStatus = "active"
	ChannelDisabled ChannelStatus = "disabled"
	ChannelError    ChannelStatus = "error" // Meta refused the token or locked the account; sends pause
)

// Reminder is the message sent before the customer-service window closes.
type Reminder struct {
	Enabled      bool
	AfterSeconds int // 1..86399, default 72000 (20 h)
	Message      string
	SkipAnswered bool // skip when an agent answered after the last customer message
}

// ChannelError is Meta's last complaint about a channel.
type ChannelErrorInfo struct {
	Code    int
	Message string
	At      time.Time
}

// Channel is one WhatsApp business phone number connected through the Cloud API.
// AccessTokenEnc and AppSecretEnc are AES-GCM ciphertexts; the plain values
// exist only in memory, briefly, when calling Meta or checking a signature.
type Channel struct {
	ID                 int64
	Name               string
	WABAID             string
	PhoneNumberID      string
	DisplayPhoneNumber string
	VerifiedName       string
	WebhookID          string
	VerifyToken        string
	AccessTokenEnc     string
	AppSecretEnc       string
	GroupID            *int64
	Active             bool
	WelcomeMessage     string
	Reminder           Reminder
	MarkRead           bool
	TypingIndicator    bool
	RateLimit          int // messages per second
	Status             ChannelStatus
	LastError          *ChannelErrorInfo
	WebhookVerifiedAt  *time.Time
	LastWebhookAt      *time.Time
	QualityRating      string
	MessagingLimit     string
	ThroughputLevel    string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Customer is a person writing on WhatsApp.
type Customer struct {
	ID        int64
	Name      string
	Phone     string // +E.164, empty when only the BSUID is known
	WAID      string
	BSUID     string
	Username  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TicketState is where a ticket is in its life.
type TicketState string

const (
	StateNew     TicketState = "new"
	StateOpen    TicketState = "open"
	StatePending TicketState = "pending"
	StateClosed  TicketState = "closed"
)

// Ticket is one conversation with a customer on a channel.
type Ticket struct {
	ID              int64
	Number          int64
	Title           string
	State           TicketState
	ChannelID       *int64
	CustomerID      int64
	GroupID         *int64
	AssigneeID      *int64
	WindowExpiresAt *time.Time
	LastInboundAt   *time.Time
	LastOutboundAt  *time.Time
	LastMessageAt   time.Time
	UnreadCount     int
	ReminderSentAt  *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ClosedAt        *time.Time
}

// Direction of a message relative to the business.
type Direction string

const (
	In  Direction = "in"
	Out Direction = "out"
)

// SenderKind says who wrote a message.
type SenderKind string

const (
	SenderCustomer SenderKind = "customer"
	SenderAgent    SenderKind = "agent"
	SenderSystem   SenderKind = "system"
)

// MessageStatus follows a message from the queue to the customer's screen.
type MessageStatus string

const (
	StatusReceived  MessageStatus = "received" // inbound
	StatusQueued    MessageStatus = "queued"   // waiting for the Cloud API
	StatusAccepted  MessageStatus = "accepted" // the Cloud API returned a wamid
	StatusSent      MessageStatus = "sent"
	StatusDelivered MessageStatus = "delivered"
	StatusRead      MessageStatus = "read"
	StatusPlayed    MessageStatus = "played"
	StatusFailed    MessageStatus = "failed"
	StatusUnknown   MessageStatus = "unknown" // a send may or may not have reached Meta; an agent decides
	StatusNote      MessageStatus = "note"    // internal notes never leave wadesk
)

// MessageError is why a message failed, as Meta said it.
type MessageError struct {
	Code    int
	Title   string
	Message string
}

// Message is one entry of a ticket's conversation. Type is the WhatsApp type
// name (text, image, …, template) or "note" for internal notes. Payload keeps
// the structured parts of a message (location, contacts, interactive reply,
// order, referral, template parameters, context flags) as JSON.
type Message struct {
	ID           int64
	TicketID     int64
	ChannelID    *int64
	Direction    Direction
	Internal     bool
	Type         string
	Text         string
	SenderKind   SenderKind
	SenderID     *int64
	SenderName   string // filled by reads
	WAMessageID  *string
	Status       MessageStatus
	Error        *MessageError
	ReplyToID    *int64
	ReplyToWAMID string
	Payload      json.RawMessage
	Attempts     int
	Attachments  []Attachment // filled by reads
	Reactions    []Reaction   // filled by reads
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AttachmentState tracks the download of inbound media.
type AttachmentState string

const (
	AttachmentReady       AttachmentState = "ready"
	AttachmentDownloading AttachmentState = "downloading"
	AttachmentFailed      AttachmentState = "failed"
)

// Attachment is a file on a message; its bytes live in the blob store under SHA256.
type Attachment struct {
	ID        int64
	MessageID int64
	Filename  string
	MIMEType  string
	Size      int64
	SHA256    string // lowercase hex
	Voice     bool
	State     AttachmentState
	WAMediaID string
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Reaction is an emoji on a message, one per reactor.
type Reaction struct {
	ID          int64
	MessageID   int64
	ByKind      SenderKind
	ByID        int64
	ByName      string // filled by reads
	Emoji       string
	WAMessageID string
	CreatedAt   time.Time
}

// Template is a message template approved (or not) by Meta for a channel's WABA.
type Template struct {
	ID              int64
	ChannelID       int64
	MetaID          string
	Name            string
	Language        string
	Status          string
	Category        string
	ParameterFormat string // POSITIONAL or NAMED
	Quality         string
	Components      json.RawMessage
	SyncedAt        time.Time
}
