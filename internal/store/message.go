package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"wadesk/internal/helpdesk"
)

// messageSelect reads messages with their sender's name: the customer's or
// the agent's, by sender_kind.
const messageSelect = `SELECT m.id, m.ticket_id, m.channel_id, m.direction, m.internal, m.type, m.text,
	m.sender_kind, m.sender_id, COALESCE(CASE m.sender_kind WHEN 'customer' THEN c.name WHEN 'agent' THEN u.name END, ''),
	m.wa_message_id, m.status, m.error_code, m.error_title, m.error_message, m.reply_to_id, m.reply_to_wamid,
	m.payload, m.attempts, m.created_at, m.updated_at
FROM messages m
LEFT JOIN customers c ON m.sender_kind = 'customer' AND c.id = m.sender_id
LEFT JOIN users u ON m.sender_kind = 'agent' AND u.id = m.sender_id`

func scanMessage(s scanner) (*helpdesk.Message, error) {
	var m helpdesk.Message
	var channel, sender, errCode, replyTo sql.NullInt64
	var wamid, errTitle, errMessage, replyWAMID, payload sql.NullString
	var created, updated int64
	if err := s.Scan(&m.ID, &m.TicketID, &channel, &m.Direction, &m.Internal, &m.Type, &m.Text,
		&m.SenderKind, &sender, &m.SenderName,
		&wamid, &m.Status, &errCode, &errTitle, &errMessage, &replyTo, &replyWAMID,
		&payload, &m.Attempts, &created, &updated); err != nil {
		return nil, err
	}
	m.ChannelID, m.SenderID, m.ReplyToID = idPtr(channel), idPtr(sender), idPtr(replyTo)
	m.WAMessageID, m.ReplyToWAMID = stringPtr(wamid), replyWAMID.String
	if errCode.Valid || errTitle.Valid || errMessage.Valid {
		m.Error = &helpdesk.MessageError{Code: int(errCode.Int64), Title: errTitle.String, Message: errMessage.String}
	}
	if payload.Valid && payload.String != "" {
		m.Payload = json.RawMessage(payload.String)
	}
	m.CreatedAt, m.UpdatedAt = fromMs(created), fromMs(updated)
	return &m, nil
}

// MessageByID returns one message with sender name, attachments and reactions.
func (r reads) MessageByID(ctx context.Context, id int64) (*helpdesk.Message, error) {
	return r.messageWhere(ctx, "m.id = $1", id)
}

// MessageByWAMID finds a message by its WhatsApp message id on a channel.
func (r reads) MessageByWAMID(ctx context.Context, channelID int64, wamid string) (*helpdesk.Message, error) {
	return r.messageWhere(ctx, "m.channel_id = $1 AND m.wa_message_id = $2", channelID, wamid)
}

func (r reads) messageWhere(ctx context.Context, where string, args ...any) (*helpdesk.Message, error) {
	m, err := scanMessage(r.q.QueryRowContext(ctx, messageSelect+" WHERE "+where, args...))
	if err != nil {
		return nil, fmt.Errorf("store: message: %w", mapErr(err))
	}
	ms := []helpdesk.Message{*m}
	if err := r.fillMessages(ctx, ms); err != nil {
		return nil, err
	}
	return &ms[0], nil
}

// ListMessages returns a page of the ticket's messages, oldest first.
func (r reads) ListMessages(ctx context.Context, q helpdesk.MessageQuery) ([]helpdesk.Message, error) {
	query, a := messageListQuery(q)
	ms, err := queryAll(ctx, r.q, scanMessage, query, a...)
	if err != nil {
		return nil, fmt.Errorf("store: list messages: %w", err)
	}
	if err := r.fillMessages(ctx, ms); err != nil {
		return nil, err
	}
	return ms, nil
}

// ExplainListMessages returns the database's plan of the query
// ListMessages runs for q (bench/largeinbox prints it).
func (db *DB) ExplainListMessages(ctx context.Context, q helpdesk.MessageQuery) (string, error) {
	query, a := messageListQuery(q)
	return db.explain(ctx, query, a...)
}

// messageListQuery builds the SQL of ListMessages and its arguments.
func messageListQuery(q helpdesk.MessageQuery) (string, args) {
	var a args
	where := "m.ticket_id = " + a.add(q.TicketID)
	if q.AfterAt != nil {
		at, id := a.add(toMs(*q.AfterAt)), a.add(q.AfterID)
		// A range on created_at the index can seek to, then the tie-break on id.
		where += fmt.Sprintf(" AND m.created_at >= %s AND (m.created_at > %s OR m.id > %s)", at, at, id)
	}
	return messageSelect + " WHERE " + where + " ORDER BY m.created_at, m.id LIMIT " + a.add(q.Limit), a
}

// fillMessages loads the attachments and reactions of ms in two queries.
func (r reads) fillMessages(ctx context.Context, ms []helpdesk.Message) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]*helpdesk.Message, len(ms))
	ids := make([]int64, len(ms))
	for i := range ms {
		ms[i].Attachments, ms[i].Reactions = []helpdesk.Attachment{}, []helpdesk.Reaction{}
		byID[ms[i].ID], ids[i] = &ms[i], ms[i].ID
	}
	var a args
	atts, err := queryAll(ctx, r.q, scanAttachment,
		"SELECT "+attachmentColumns+" FROM attachments WHERE message_id IN "+a.in(ids)+" ORDER BY id", a...)
	if err != nil {
		return fmt.Errorf("store: message attachments: %w", err)
	}
	for _, at := range atts {
		byID[at.MessageID].Attachments = append(byID[at.MessageID].Attachments, at)
	}
	a = nil
	reacts, err := queryAll(ctx, r.q, scanReaction, reactionSelect+" WHERE r.message_id IN "+a.in(ids)+" ORDER BY r.id", a...)
	if err != nil {
		return fmt.Errorf("store: message reactions: %w", err)
	}
	for _, re := range reacts {
		byID[re.MessageID].Reactions = append(byID[re.MessageID].Reactions, re)
	}
	return nil
}

// InsertMessage inserts m and sets m.ID, unless a message with the same
// (channel, wamid) exists: then created is false and m.ID is the stored
// one's. Webhook redeliveries therefore never duplicate a message.
func (t *Tx) InsertMessage(ctx context.Context, m *helpdesk.Message) (created bool, err error) {
	var errCode, errTitle, errMessage any
	if m.Error != nil {
		errCode, errTitle, errMessage = m.Error.Code, m.Error.Title, m.Error.Message
	}
	err = t.q.QueryRowContext(ctx,
		`INSERT INTO messages (ticket_id, channel_id, direction, internal, type, text, sender_kind, sender_id,
			wa_message_id, status, error_code, error_title, error_message, reply_to_id, reply_to_wamid,
			payload, attempts, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		 ON CONFLICT (channel_id, wa_message_id) WHERE wa_message_id IS NOT NULL DO NOTHING
		 RETURNING id`,
		m.TicketID, nullID(m.ChannelID), m.Direction, m.Internal, m.Type, m.Text, m.SenderKind, nullID(m.SenderID),
		nullString(m.WAMessageID), m.Status, errCode, errTitle, errMessage, nullID(m.ReplyToID), nullIfEmpty(m.ReplyToWAMID),
		payloadArg(m.Payload), m.Attempts, toMs(m.CreatedAt), toMs(m.UpdatedAt)).Scan(&m.ID)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) || m.WAMessageID == nil || m.ChannelID == nil {
		return false, fmt.Errorf("store: insert message: %w", mapErr(err))
	}
	// DO NOTHING returned no row: the wamid is already stored.
	if err := t.q.QueryRowContext(ctx, "SELECT id FROM messages WHERE channel_id = $1 AND wa_message_id = $2",
		*m.ChannelID, *m.WAMessageID).Scan(&m.ID); err != nil {
		return false, fmt.Errorf("store: insert message: existing: %w", mapErr(err))
	}
	return false, nil
}

// UpdateMessage writes what changes after a message is stored: text,
// status, wamid, error, payload, attempts and updated_at.
func (t *Tx) UpdateMessage(ctx context.Context, m *helpdesk.Message) error {
	var errCode, errTitle, errMessage any
	if m.Error != nil {
		errCode, errTitle, errMessage = m.Error.Code, m.Error.Title, m.Error.Message
	}
	return t.execOne(ctx, "update message",
		`UPDATE messages SET text = $1, status = $2, wa_message_id = $3, error_code = $4, error_title = $5,
			error_message = $6, payload = $7, attempts = $8, updated_at = $9 WHERE id = $10`,
		m.Text, m.Status, nullString(m.WAMessageID), errCode, errTitle, errMessage, payloadArg(m.Payload),
		m.Attempts, toMs(m.UpdatedAt), m.ID)
}

func payloadArg(p json.RawMessage) any {
	if len(p) == 0 {
		return nil
	}
	return string(p)
}

func nullIfEmpty(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}
