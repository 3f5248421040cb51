package helpdesk

import (
	"context"
	"time"
)

// Job is background work the domain asks for: a value whose Kind names its
// worker (River's JobArgs has the same shape, so these types are inserted
// as they are, JSON-encoded). A job may also say its queue (Queue() string)
// and when to run (RunAt() time.Time).
type Job interface {
	Kind() string
}

// Enqueuer schedules jobs inside the caller's write transaction, so a job
// exists if and only if the change that needs it commits. internal/jobs
// implements it on River.
type Enqueuer interface {
	EnqueueTx(ctx context.Context, tx Tx, job Job) error
}

// Queue names (River queues). Live inbound work has its own queue so bulk
// jobs never starve it.
const (
	QueueInbound  = "inbound"
	QueueOutbound = "default"
	QueueBulk     = "bulk"
)

// The jobs below are enqueued by one capability and worked by another; they
// are declared here so both sides agree on them.

// MediaDownloadJob fetches an inbound attachment from the Cloud API into the
// blob store (enqueued and worked by inbound processing).
type MediaDownloadJob struct {
	AttachmentID int64 `json:"attachment_id"`
}

func (MediaDownloadJob) Kind() string  { return "media_download" }
func (MediaDownloadJob) Queue() string { return QueueBulk }

// SendMessageJob sends one queued outbound message to the Cloud API
// (enqueued when an agent replies; worked by outbound).
type SendMessageJob struct {
	MessageID int64 `json:"message_id"`
}

func (SendMessageJob) Kind() string  { return "send_message" }
func (SendMessageJob) Queue() string { return QueueOutbound }

// WelcomeJob sends the channel's welcome message on a new ticket (enqueued
// by inbound processing in the transaction that creates the ticket; worked by
// outbound).
type WelcomeJob struct {
	TicketID int64 `json:"ticket_id"`
}

func (WelcomeJob) Kind() string  { return "welcome" }
func (WelcomeJob) Queue() string { return QueueOutbound }

// ReminderJob sends the channel's reminder before the customer-service window
// closes (enqueued by inbound processing on every customer message, to run at
// message time + reminder.after_seconds; worked by outbound, which skips it
// when the ticket's window has moved on since: a later message scheduled a
// newer reminder).
type ReminderJob struct {
	TicketID        int64     `json:"ticket_id"`
	WindowExpiresAt time.Time `json:"window_expires_at"` // the window this reminder belongs to
	At              time.Time `json:"at"`
}

func (ReminderJob) Kind() string       { return "reminder" }
func (ReminderJob) Queue() string      { return QueueOutbound }
func (j ReminderJob) RunAt() time.Time { return j.At }

// ApologyJob answers an unsupported inbound message (error 131051) with a
// short apology, as Zammad does (enqueued by inbound processing; worked by
// outbound).
type ApologyJob struct {
	TicketID  int64 `json:"ticket_id"`
	MessageID int64 `json:"message_id"` // the unsupported inbound message
}

func (ApologyJob) Kind() string  { return "apology" }
func (ApologyJob) Queue() string { return QueueOutbound }
