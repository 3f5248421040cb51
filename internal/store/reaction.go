package store

import (
	"context"
	"database/sql"
	"fmt"

	"wadesk/internal/helpdesk"
)

// reactionSelect reads reactions with the reactor's name.
const reactionSelect = `SELECT r.id, r.message_id, r.by_kind, r.by_id,
	COALESCE(CASE r.by_kind WHEN 'customer' THEN c.name WHEN 'agent' THEN u.name END, ''),
	r.emoji, r.wa_message_id, r.created_at
FROM reactions r
LEFT JOIN customers c ON r.by_kind = 'customer' AND c.id = r.by_id
LEFT JOIN users u ON r.by_kind = 'agent' AND u.id = r.by_id`

func scanReaction(s scanner) (*helpdesk.Reaction, error) {
	var r helpdesk.Reaction
	var wamid sql.NullString
	var created int64
	if err := s.Scan(&r.ID, &r.MessageID, &r.ByKind, &r.ByID, &r.ByName, &r.Emoji, &wamid, &created); err != nil {
		return nil, err
	}
	r.WAMessageID, r.CreatedAt = wamid.String, fromMs(created)
	return &r, nil
}

// UpsertReaction stores the reactor's reaction on the message, replacing
// the one they had (WhatsApp allows one reaction per person and message).
func (t *Tx) UpsertReaction(ctx context.Context, r *helpdesk.Reaction) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO reactions (message_id, by_kind, by_id, emoji, wa_message_id, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6)
		 ON CONFLICT (message_id, by_kind, by_id)
		 DO UPDATE SET emoji = excluded.emoji, wa_message_id = excluded.wa_message_id, created_at = excluded.created_at
		 RETURNING id`,
		r.MessageID, r.ByKind, r.ByID, r.Emoji, nullIfEmpty(r.WAMessageID), toMs(r.CreatedAt)).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: upsert reaction: %w", mapErr(err))
	}
	return nil
}

// DeleteReaction removes the reactor's reaction (an empty emoji on WhatsApp).
func (t *Tx) DeleteReaction(ctx context.Context, messageID int64, byKind helpdesk.SenderKind, byID int64) error {
	if _, err := t.q.ExecContext(ctx,
		"DELETE FROM reactions WHERE message_id = $1 AND by_kind = $2 AND by_id = $3", messageID, byKind, byID); err != nil {
		return fmt.Errorf("store: delete reaction: %w", err)
	}
	return nil
}
