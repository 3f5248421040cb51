package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"wadesk/internal/helpdesk"
)

// Queries of the outbound capability: send attempts, FIFO per ticket,
// targeted ticket updates (never whole-row writes, so a concurrent inbound
// update is not lost) and template status changes.

const sendAttemptColumns = "id, message_id, started_at, finished_at, outcome, error_code, error_title, requested_by"

func scanSendAttempt(s scanner) (*helpdesk.SendAttempt, error) {
	var a helpdesk.SendAttempt
	var started int64
	var finished, code, by sql.NullInt64
	if err := s.Scan(&a.ID, &a.MessageID, &started, &finished, &a.Outcome, &code, &a.ErrorTitle, &by); err != nil {
		return nil, err
	}
	a.StartedAt, a.FinishedAt, a.RequestedBy = fromMs(started), timePtr(finished), idPtr(by)
	a.ErrorCode = int(code.Int64)
	return &a, nil
}

// outboundMessageColumns are a message's columns (scanMessage order)
// without the sender-name join.
const outboundMessageColumns = `m.id, m.ticket_id, m.channel_id, m.direction, m.internal, m.type, m.text,
	m.sender_kind, m.sender_id, '', m.wa_message_id, m.status, m.error_code, m.error_title, m.error_message,
	m.reply_to_id, m.reply_to_wamid, m.payload, m.attempts, m.created_at, m.updated_at`

// OutboundMessage returns the message and, unless it is plain text, its attachments.
func (r reads) OutboundMessage(ctx context.Context, id int64) (*helpdesk.Message, error) {
	m, err := scanMessage(r.q.QueryRowContext(ctx, "SELECT "+outboundMessageColumns+" FROM messages m WHERE m.id = $1", id))
	if err != nil {
		return nil, fmt.Errorf("store: outbound message: %w", mapErr(err))
	}
	return m, r.outboundAttachments(ctx, m)
}

// outboundAttachments fills m's attachments unless it is plain text.
func (r reads) outboundAttachments(ctx context.Context, m *helpdesk.Message) error {
	m.Attachments, m.Reactions = []helpdesk.Attachment{}, []helpdesk.Reaction{}
	if m.Type == "text" {
		return nil
	}
	atts, err := queryAll(ctx, r.q, scanAttachment,
		"SELECT "+attachmentColumns+" FROM attachments WHERE message_id = $1 ORDER BY id", m.ID)
	if err != nil {
		return fmt.Errorf("store: outbound message attachments: %w", err)
	}
	if atts != nil {
		m.Attachments = atts
	}
	return nil
}

// sendContextColumns read ticket, customer, open attempt and FIFO state
// of message m (sendContextDests order) from sendContextFrom.
const sendContextColumns = `t.id, t.customer_id, t.group_id, cu.wa_id, cu.bsuid,
			EXISTS (SELECT 1 FROM send_attempts a WHERE a.message_id = m.id AND a.finished_at IS NULL),
			EXISTS (SELECT 1 FROM messages e WHERE e.ticket_id = m.ticket_id AND e.id < m.id AND e.status = 'queued'
				AND e.direction = 'out' AND e.internal = FALSE)`

func sendContextFrom(dialect string) string {
	return byID(dialect, "messages m") + " JOIN tickets t ON t.id = m.ticket_id JOIN customers cu ON cu.id = t.customer_id"
}

// sendContextDests are the scan destinations of sendContextColumns; call
// done after the scan.
func sendContextDests(c *helpdesk.SendContext) (dests []any, done func()) {
	var group sql.NullInt64
	return []any{&c.TicketID, &c.CustomerID, &group, &c.WAID, &c.BSUID, &c.OpenAttempt, &c.EarlierUnsent},
		func() { c.GroupID = idPtr(group) }
}

// SendContextOf reads ticket, customer, open attempt and FIFO state at once.
func (r reads) SendContextOf(ctx context.Context, messageID int64) (*helpdesk.SendContext, error) {
	var c helpdesk.SendContext
	dests, done := sendContextDests(&c)
	err := r.q.QueryRowContext(ctx, "SELECT "+sendContextColumns+" FROM "+sendContextFrom(r.d)+" WHERE m.id = $1", messageID).Scan(dests...)
	if err != nil {
		return nil, fmt.Errorf("store: send context: %w", mapErr(err))
	}
	done()
	return &c, nil
}

// OpenSendAttempt returns the message's unfinished attempt, or ErrNotFound.
func (r reads) OpenSendAttempt(ctx context.Context, messageID int64) (*helpdesk.SendAttempt, error) {
	a, err := scanSendAttempt(r.q.QueryRowContext(ctx, "SELECT "+sendAttemptColumns+
		" FROM send_attempts WHERE message_id = $1 AND finished_at IS NULL ORDER BY id DESC LIMIT 1", messageID))
	if err != nil {
		return nil, fmt.Errorf("store: open send attempt: %w", mapErr(err))
	}
	return a, nil
}

// ListSendAttempts returns the message's attempts, oldest first.
func (r reads) ListSendAttempts(ctx context.Context, messageID int64) ([]helpdesk.SendAttempt, error) {
	as, err := queryAll(ctx, r.q, scanSendAttempt,
		"SELECT "+sendAttemptColumns+" FROM send_attempts WHERE message_id = $1 ORDER BY id", messageID)
	if err != nil {
		return nil, fmt.Errorf("store: list send attempts: %w", err)
	}
	return as, nil
}

// EarlierUnsent reports whether an older outbound message of the ticket is still queued.
func (r reads) EarlierUnsent(ctx context.Context, ticketID, messageID int64) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages
		WHERE ticket_id = $1 AND id < $2 AND status = 'queued' AND direction = 'out' AND internal = FALSE`,
		ticketID, messageID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: earlier unsent: %w", err)
	}
	return n > 0, nil
}

// NewestInbound returns the ticket's newest customer message with a wamid.
func (r reads) NewestInbound(ctx context.Context, ticketID int64) (*helpdesk.Message, error) {
	m, err := scanMessage(r.q.QueryRowContext(ctx, messageSelect+
		` WHERE m.ticket_id = $1 AND m.direction = 'in' AND m.wa_message_id IS NOT NULL
		 ORDER BY m.created_at DESC, m.id DESC LIMIT 1`, ticketID))
	if err != nil {
		return nil, fmt.Errorf("store: newest inbound: %w", mapErr(err))
	}
	return m, nil
}

// AgentRepliedAfter reports whether an agent wrote to the customer after at.
func (r reads) AgentRepliedAfter(ctx context.Context, ticketID int64, at time.Time) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages
		WHERE ticket_id = $1 AND direction = 'out' AND internal = FALSE AND sender_kind = 'agent'
		  AND status <> 'failed' AND created_at > $2`, ticketID, toMs(at)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: agent replied: %w", err)
	}
	return n > 0, nil
}

// AutoMessageExists reports whether the ticket has a message with exactly this payload.
func (r reads) AutoMessageExists(ctx context.Context, ticketID int64, payload string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE ticket_id = $1 AND payload = $2",
		ticketID, payload).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: auto message exists: %w", err)
	}
	return n > 0, nil
}

// TemplatesByWABA returns the (name, language) templates of the WABA's live channels.
func (r reads) TemplatesByWABA(ctx context.Context, wabaID, name, language string) ([]helpdesk.Template, error) {
	ts, err := queryAll(ctx, r.q, scanTemplate, "SELECT "+templateColumns+` FROM templates
		WHERE name = $1 AND language = $2
		  AND channel_id IN (SELECT id FROM channels WHERE waba_id = $3 AND deleted_at IS NULL)
		ORDER BY id`, name, language, wabaID)
	if err != nil {
		return nil, fmt.Errorf("store: templates by waba: %w", err)
	}
	return ts, nil
}

// InsertSendAttempt records an attempt and sets a.ID.
func (t *Tx) InsertSendAttempt(ctx context.Context, a *helpdesk.SendAttempt) error {
	var code any
	if a.ErrorCode != 0 {
		code = a.ErrorCode
	}
	err := t.q.QueryRowContext(ctx, `INSERT INTO send_attempts
		(message_id, started_at, finished_at, outcome, error_code, error_title, requested_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		a.MessageID, toMs(a.StartedAt), nullMs(a.FinishedAt), a.Outcome, code, a.ErrorTitle, nullID(a.RequestedBy)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("store: insert send attempt: %w", mapErr(err))
	}
	return nil
}

// StartSendAttempt inserts an attempt for a queued message without an open
// one, and counts it on the message.
func (t *Tx) StartSendAttempt(ctx context.Context, messageID int64, at time.Time) (*helpdesk.SendAttempt, error) {
	a := &helpdesk.SendAttempt{MessageID: messageID, StartedAt: at}
	// The open-attempt check is correlated with m.id rather than given $1:
	// with a parameter SQLite would prepare it again at every run (byID).
	err := t.q.QueryRowContext(ctx, `INSERT INTO send_attempts (message_id, started_at, outcome, error_title)
		SELECT m.id, CAST($2 AS BIGINT), '', '' FROM `+byID(t.d, "messages m")+` WHERE m.id = $1 AND m.status = 'queued'
			AND NOT EXISTS (SELECT 1 FROM send_attempts a WHERE a.message_id = m.id AND a.finished_at IS NULL)
		RETURNING id`, messageID, toMs(at)).Scan(&a.ID)
	if err != nil {
		return nil, fmt.Errorf("store: start send attempt: %w", mapErr(err))
	}
	if err := t.execOne(ctx, "start send attempt",
		"UPDATE "+byID(t.d, "messages")+" SET attempts = attempts + 1, updated_at = $1 WHERE id = $2", toMs(at), messageID); err != nil {
		return nil, err
	}
	return a, nil
}

// MarkMessageAccepted records the wamid of a queued message.
func (t *Tx) MarkMessageAccepted(ctx context.Context, messageID int64, wamid string, at time.Time) error {
	return t.execOne(ctx, "mark message accepted",
		`UPDATE `+byID(t.d, "messages")+` SET status = 'accepted', wa_message_id = $1, error_code = NULL, error_title = NULL,
			error_message = NULL, updated_at = $2 WHERE id = $3 AND status = 'queued'`, wamid, toMs(at), messageID)
}

// FinishSendAttempt writes the attempt's outcome, error and finish time.
func (t *Tx) FinishSendAttempt(ctx context.Context, a *helpdesk.SendAttempt) error {
	var code any
	if a.ErrorCode != 0 {
		code = a.ErrorCode
	}
	return t.execOne(ctx, "finish send attempt",
		"UPDATE send_attempts SET finished_at = $1, outcome = $2, error_code = $3, error_title = $4 WHERE id = $5",
		nullMs(a.FinishedAt), a.Outcome, code, a.ErrorTitle, a.ID)
}

// SetChannelStatus changes only the status and last error of a channel.
func (t *Tx) SetChannelStatus(ctx context.Context, channelID int64, status helpdesk.ChannelStatus, lastErr *helpdesk.ChannelErrorInfo, at time.Time) error {
	var code, msg, errAt any
	if lastErr != nil {
		code, msg, errAt = lastErr.Code, lastErr.Message, toMs(lastErr.At)
	}
	return t.execOne(ctx, "set channel status",
		`UPDATE channels SET status = $1, last_error_code = $2, last_error_message = $3, last_error_at = $4, updated_at = $5
		 WHERE id = $6 AND deleted_at IS NULL`, status, code, msg, errAt, toMs(at), channelID)
}

// TicketOutboundActivity moves the ticket's activity times forward and opens a new ticket.
func (t *Tx) TicketOutboundActivity(ctx context.Context, ticketID int64, at time.Time, sent bool) error {
	ms := toMs(at)
	outbound := "last_outbound_at"
	if sent {
		outbound = "CASE WHEN last_outbound_at IS NULL OR last_outbound_at < $1 THEN $1 ELSE last_outbound_at END"
	}
	return t.execOne(ctx, "ticket outbound activity",
		`UPDATE tickets SET last_message_at = CASE WHEN last_message_at < $1 THEN $1 ELSE last_message_at END,
			last_outbound_at = `+outbound+`,
			state = CASE WHEN state = 'new' THEN 'open' ELSE state END,
			updated_at = $2
		 WHERE id = $3`, ms, ms, ticketID)
}

// SetTicketReminderSent records the reminder time.
func (t *Tx) SetTicketReminderSent(ctx context.Context, ticketID int64, at time.Time) error {
	return t.execOne(ctx, "set reminder sent",
		"UPDATE tickets SET reminder_sent_at = $1, updated_at = $1 WHERE id = $2", toMs(at), ticketID)
}

// ResetTicketUnread zeroes the unread count.
func (t *Tx) ResetTicketUnread(ctx context.Context, ticketID int64, at time.Time) error {
	return t.execOne(ctx, "reset unread",
		"UPDATE tickets SET unread_count = 0, updated_at = $1 WHERE id = $2", toMs(at), ticketID)
}
