package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"wadesk/internal/helpdesk"
)

// The webhook inbox makes the ack durable: the raw body is committed before
// Meta gets its 200, and processed from here afterwards.

func scanInbox(s scanner) (*helpdesk.InboxItem, error) {
	var it helpdesk.InboxItem
	var channel, processed sql.NullInt64
	var received int64
	if err := s.Scan(&it.ID, &channel, &received, &it.Body, &it.State, &it.Attempts, &it.Error, &processed); err != nil {
		return nil, err
	}
	it.ChannelID, it.ReceivedAt, it.ProcessedAt = idPtr(channel), fromMs(received), timePtr(processed)
	return &it, nil
}

// PendingInbox returns up to limit pending deliveries, oldest first.
func (r reads) PendingInbox(ctx context.Context, limit int) ([]helpdesk.InboxItem, error) {
	items, err := queryAll(ctx, r.in, scanInbox,
		`SELECT id, channel_id, received_at, body, state, attempts, error, processed_at
		 FROM webhook_inbox WHERE state = 'pending' ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending inbox: %w", err)
	}
	return items, nil
}

// InsertInbox stores a delivery as pending and sets item.ID. On SQLite the
// row commits at once, in the inbox file (see inbox_file.go).
func (t *Tx) InsertInbox(ctx context.Context, item *helpdesk.InboxItem) error {
	item.State = helpdesk.InboxPending
	var q querier = t.q
	if t.inbox != nil {
		q = t.inbox.writer
	}
	err := q.QueryRowContext(ctx,
		"INSERT INTO webhook_inbox (channel_id, received_at, body, state) VALUES ($1, $2, $3, 'pending') RETURNING id",
		nullID(item.ChannelID), toMs(item.ReceivedAt), item.Body).Scan(&item.ID)
	if err != nil {
		return fmt.Errorf("store: insert inbox: %w", mapErr(err))
	}
	return nil
}

// MarkInboxDone records that a delivery was processed (on SQLite once the
// transaction committed).
func (t *Tx) MarkInboxDone(ctx context.Context, id int64, at time.Time) error {
	return t.inboxExec(ctx, "mark inbox done",
		"UPDATE webhook_inbox SET state = 'done', attempts = attempts + 1, error = '', processed_at = $1 WHERE id = $2",
		toMs(at), id)
}

// MarkInboxFailed records a failed attempt: with retry the delivery stays
// pending for the next run, without it is parked as failed.
func (t *Tx) MarkInboxFailed(ctx context.Context, id int64, reason string, at time.Time, retry bool) error {
	state := helpdesk.InboxFailed
	if retry {
		state = helpdesk.InboxPending
	}
	return t.inboxExec(ctx, "mark inbox failed",
		"UPDATE webhook_inbox SET state = $1, attempts = attempts + 1, error = $2, processed_at = $3 WHERE id = $4",
		state, reason, toMs(at), id)
}
