package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Outbox turns what agents and the automatic messages want to say into
// queued outbound messages: it checks what may be sent (the 24-hour window,
// text and file limits, templates and their parameters, who may see the
// ticket), stores the message in state queued and enqueues its
// SendMessageJob in the same transaction. The send worker in
// internal/outbound then talks to the Cloud API through the Begin/Record
// methods in outbound_send.go.
type Outbox struct {
	s   *Service
	enq Enqueuer

	mu     sync.Mutex
	typing map[int64]time.Time // ticket → last typing indicator, for throttling
}

// NewOutbox returns an Outbox over s that enqueues jobs with enq.
func NewOutbox(s *Service, enq Enqueuer) *Outbox {
	return &Outbox{s: s, enq: enq, typing: map[int64]time.Time{}}
}

// Service is the Outbox's domain service.
func (o *Outbox) Service() *Service { return o.s }

// SendAttempt is one recorded try to hand a message to the Cloud API, or an
// agent's request to retry it (Outcome "requested").
type SendAttempt struct {
	ID          int64
	MessageID   int64
	StartedAt   time.Time
	FinishedAt  *time.Time // nil while Meta is being called
	Outcome     string     // see the Attempt* constants; "" while in flight
	ErrorCode   int
	ErrorTitle  string
	RequestedBy *int64 // the agent who retried by hand
}

// Attempt outcomes.
const (
	AttemptAccepted  = "accepted"  // Meta returned a wamid
	AttemptFailed    = "failed"    // a permanent error; the message failed
	AttemptRetry     = "retry"     // a transient error; the job retries with backoff
	AttemptPaused    = "paused"    // the channel's token or account is broken; sends wait
	AttemptUnknown   = "unknown"   // the process died (or the network broke) mid-call
	AttemptRequested = "requested" // an agent asked for a retry
)

// Upload is a file an agent attached to a reply, already in the blob store.
type Upload struct {
	Filename string
	MIMEType string
	Size     int64
	SHA256   string
}

// Reply is what an agent sends: text, one file with an optional caption,
// or a template; ReplyToID quotes an earlier message of the ticket. With a
// template, File is the template's media header.
type Reply struct {
	Text      string
	ReplyToID *int64
	File      *Upload
	Template  *TemplateSend
}

// QueueReply checks r against the rules and queues it on a ticket the
// actor may see (202 in the API; sending happens in the job queue).
// Free-form messages need the 24-hour window open (window_closed
// otherwise); templates may always be sent.
func (o *Outbox) QueueReply(ctx context.Context, actor *User, ticketID int64, r Reply) (*Message, error) {
	var out *Message
	_, err := o.QueueReplyOnce(ctx, actor, ticketID, r, Idempotency{Render: keep(&out, nil)})
	return out, err
}

// QueueReplyOnce is QueueReply that answers with idem.Render's response
// and, with a key, queues the reply at most once per key (idempotency.go).
func (o *Outbox) QueueReplyOnce(ctx context.Context, actor *User, ticketID int64, r Reply, idem Idempotency) (Response, error) {
	if err := checkReplyShape(&r); err != nil {
		return Response{}, err
	}
	request := struct {
		Kind  string
		Reply Reply
	}{"reply", r}
	var resp Response
	err := o.s.Update(ctx, func(tx Tx, ev *Events) (err error) {
		resp, err = o.s.once(ctx, tx, actor, ticketID, idem, request, func() (*Message, *Ticket, error) {
			t, err := visibleTicket(ctx, tx, actor, ticketID)
			if err != nil {
				return nil, nil, err
			}
			senderID := actor.ID
			m := &Message{SenderKind: SenderAgent, SenderID: &senderID, Text: r.Text}
			if err := o.queueOn(ctx, tx, ev, t, m, r); err != nil {
				return nil, nil, err
			}
			// Read inside the transaction: after the commit a send worker may
			// already have moved the message on, and the answer is "queued".
			out, err := tx.MessageByID(ctx, m.ID)
			return out, t, err
		})
		return err
	})
	return resp, err
}

// checkReplyShape checks what needs no database: one kind of content and
// the length limits.
func checkReplyShape(r *Reply) error {
	switch {
	case r.Template != nil && strings.TrimSpace(r.Text) != "":
		return Invalid("a template is sent on its own", map[string]string{"template": "cannot be combined with text"})
	case r.Template != nil:
		if r.Template.Name == "" || r.Template.Language == "" {
			return Invalid("invalid template", map[string]string{"template": "name and language are required"})
		}
		if r.File != nil { // the media header; its type is checked against the template later
			return CheckUpload(r.File.MIMEType, r.File.Size, "")
		}
	case r.File != nil:
		return CheckUpload(r.File.MIMEType, r.File.Size, r.Text)
	case strings.TrimSpace(r.Text) == "":
		return Invalid("invalid message", map[string]string{"text": "required"})
	case utf8.RuneCountInString(r.Text) > MaxTextLength:
		return Invalid("the message is too long",
			map[string]string{"text": fmt.Sprintf("must be at most %d characters", MaxTextLength)})
	}
	return nil
}

// queueOn stores m (sender set by the caller) as the queued reply r on t
// and enqueues its send. Every rule that needs the database is checked here.
func (o *Outbox) queueOn(ctx context.Context, tx Tx, ev *Events, t *Ticket, m *Message, r Reply) error {
	ch, err := sendingChannel(ctx, tx, t)
	if err != nil {
		return err
	}
	now := o.s.Now()
	if r.Template == nil && !t.WindowOpen(now) {
		return Errorf(ECodeWindowClosed,
			"the customer's last message is more than 24 hours old: only a template can be sent now")
	}
	m.TicketID, m.ChannelID, m.Direction, m.Status = t.ID, &ch.ID, Out, StatusQueued
	m.CreatedAt, m.UpdatedAt = now, now
	m.Type = "text"
	var headerAtt *Attachment
	switch {
	case r.Template != nil:
		if headerAtt, err = o.checkTemplateSend(ctx, tx, ch, t, r.Template, r.File, m); err != nil {
			return err
		}
	case r.File != nil:
		m.Type = MediaKind(r.File.MIMEType)
	}
	if r.ReplyToID != nil {
		q, err := tx.MessageByID(ctx, *r.ReplyToID)
		if err != nil || q.TicketID != t.ID {
			return Invalid("invalid reply", map[string]string{"reply_to_id": "no such message in this ticket"})
		}
		if q.WAMessageID == nil {
			return Invalid("invalid reply", map[string]string{"reply_to_id": "that message has no WhatsApp id (it was not sent yet)"})
		}
		m.ReplyToID, m.ReplyToWAMID = &q.ID, *q.WAMessageID
	}
	if _, err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	if err := o.attach(ctx, tx, m, r.File, headerAtt); err != nil {
		return err
	}
	if err := tx.TicketOutboundActivity(ctx, t.ID, now, false); err != nil {
		return err
	}
	if err := o.enq.EnqueueTx(ctx, tx, SendMessageJob{MessageID: m.ID}); err != nil {
		return err
	}
	ev.Add(Event{Type: EventMessageCreated, TicketID: t.ID, MessageID: m.ID, GroupID: t.GroupID})
	ev.Add(Event{Type: EventTicketUpdated, TicketID: t.ID, GroupID: t.GroupID})
	return nil
}

// attach records the reply's file, or a copy of a template's header file,
// as the message's attachment. The bytes are already in the blob store.
func (o *Outbox) attach(ctx context.Context, tx Tx, m *Message, up *Upload, header *Attachment) error {
	var a *Attachment
	switch {
	case up != nil:
		a = &Attachment{Filename: up.Filename, MIMEType: NormalizeMIME(up.MIMEType), Size: up.Size, SHA256: up.SHA256}
	case header != nil:
		a = &Attachment{Filename: header.Filename, MIMEType: header.MIMEType, Size: header.Size, SHA256: header.SHA256}
	default:
		return nil
	}
	a.MessageID, a.State, a.CreatedAt, a.UpdatedAt = m.ID, AttachmentReady, m.CreatedAt, m.CreatedAt
	return tx.InsertAttachment(ctx, a)
}

// sendingChannel is the ticket's channel, if it can take messages at all.
// A channel in error status still queues: its sends wait until it is fixed.
func sendingChannel(ctx context.Context, r Reader, t *Ticket) (*Channel, error) {
	if t.ChannelID == nil {
		return nil, Invalid("the ticket has no WhatsApp channel", map[string]string{"ticket": "has no channel to send on"})
	}
	ch, err := r.ChannelByID(ctx, *t.ChannelID)
	if isNotFound(err) {
		return nil, Errorf(ECodeConflict, "the ticket's channel was deleted")
	}
	if err != nil {
		return nil, err
	}
	if !ch.Active || ch.Status == ChannelDisabled {
		return nil, Errorf(ECodeConflict, "the channel %q is disabled", ch.Name)
	}
	return ch, nil
}

// checkTemplateSend checks a template against the channel's stored copy,
// fills m (type, rendered text, payload) and returns the attachment a
// media header is made from; up is the header file uploaded with the
// request, if any (it becomes the message's attachment in attach).
func (o *Outbox) checkTemplateSend(ctx context.Context, tx Tx, ch *Channel, t *Ticket, ts *TemplateSend, up *Upload, m *Message) (*Attachment, error) {
	tpl, err := tx.TemplateByName(ctx, ch.ID, ts.Name, ts.Language)
	if isNotFound(err) {
		return nil, Invalid("unknown template", map[string]string{
			"template.name": fmt.Sprintf("channel %q has no template %s in %s (sync the templates?)", ch.Name, ts.Name, ts.Language)})
	}
	if err != nil {
		return nil, err
	}
	if up != nil {
		if err := uploadedHeader(tpl, ts, up); err != nil {
			return nil, err
		}
	}
	rendered, err := CheckTemplate(tpl, ts)
	if err != nil {
		return nil, err
	}
	var header *Attachment
	if ts.Header != nil && ts.Header.AttachmentID > 0 {
		if header, err = headerAttachment(ctx, tx, t, ts.Header); err != nil {
			return nil, err
		}
	}
	payload, err := json.Marshal(map[string]any{"template": ts})
	if err != nil {
		return nil, fmt.Errorf("helpdesk: template payload: %w", err)
	}
	m.Type, m.Text, m.Payload = "template", rendered, payload
	return header, nil
}
