package store

import (
	"context"
	"fmt"
	"time"

	"wadesk/internal/helpdesk"
)

// ClaimIdempotencyKey implements helpdesk.IdempotencyWrites. The upsert
// replaces only an expired key; a live one leaves no row to return. On
// PostgreSQL the insert waits for another open transaction that claimed
// the same key, and then sees its committed row.
func (t *Tx) ClaimIdempotencyKey(ctx context.Context, rec *helpdesk.IdempotencyRecord, expiredBefore time.Time) (bool, error) {
	rows, err := t.q.QueryContext(ctx, `INSERT INTO idempotency_keys
		(user_id, route, ticket_id, idem_key, request_hash, status, body, created_at)
		VALUES ($1, $2, $3, $4, $5, 0, '', $6)
		ON CONFLICT (user_id, route, ticket_id, idem_key) DO UPDATE
		SET request_hash = excluded.request_hash, status = 0, body = '', created_at = excluded.created_at
		WHERE idempotency_keys.created_at < $7
		RETURNING 1`,
		rec.UserID, rec.Route, rec.TicketID, rec.Key, rec.RequestHash, toMs(rec.CreatedAt), toMs(expiredBefore))
	if err != nil {
		return false, fmt.Errorf("store: claim idempotency key: %w", mapErr(err))
	}
	defer rows.Close()
	claimed := rows.Next()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("store: claim idempotency key: %w", mapErr(err))
	}
	return claimed, nil
}

// SetIdempotencyResponse implements helpdesk.IdempotencyWrites.
func (t *Tx) SetIdempotencyResponse(ctx context.Context, rec *helpdesk.IdempotencyRecord) error {
	_, err := t.q.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, body = $2
		WHERE user_id = $3 AND route = $4 AND ticket_id = $5 AND idem_key = $6`,
		rec.Status, string(rec.Body), rec.UserID, rec.Route, rec.TicketID, rec.Key)
	if err != nil {
		return fmt.Errorf("store: set idempotency response: %w", mapErr(err))
	}
	return nil
}

// IdempotencyRecordFor implements helpdesk.IdempotencyWrites.
func (t *Tx) IdempotencyRecordFor(ctx context.Context, userID int64, route string, ticketID int64, key string) (*helpdesk.IdempotencyRecord, error) {
	rec := &helpdesk.IdempotencyRecord{UserID: userID, Route: route, TicketID: ticketID, Key: key}
	var body string
	var created int64
	err := t.q.QueryRowContext(ctx, `SELECT request_hash, status, body, created_at FROM idempotency_keys
		WHERE user_id = $1 AND route = $2 AND ticket_id = $3 AND idem_key = $4`,
		userID, route, ticketID, key).Scan(&rec.RequestHash, &rec.Status, &body, &created)
	if err != nil { // no row → helpdesk.ErrNotFound
		return nil, fmt.Errorf("store: idempotency key: %w", mapErr(err))
	}
	rec.Body, rec.CreatedAt = []byte(body), fromMs(created)
	return rec, nil
}
