package store

import (
	"context"
	"fmt"
	"time"

	"wadesk/internal/helpdesk"
)

// SessionByHash finds a session by the hash of its cookie value, expired or not.
func (r reads) SessionByHash(ctx context.Context, hash string) (*helpdesk.Session, error) {
	var s helpdesk.Session
	var created, expires, seen int64
	err := r.q.QueryRowContext(ctx,
		`SELECT id, token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at
		 FROM sessions WHERE token_hash = $1`, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &s.CSRFToken, &created, &expires, &seen)
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", mapErr(err))
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeenAt = fromMs(created), fromMs(expires), fromMs(seen)
	return &s, nil
}

// CreateSession inserts s and sets s.ID.
func (t *Tx) CreateSession(ctx context.Context, s *helpdesk.Session) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
		 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		s.TokenHash, s.UserID, s.CSRFToken, toMs(s.CreatedAt), toMs(s.ExpiresAt), toMs(s.LastSeenAt)).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("store: create session: %w", mapErr(err))
	}
	return nil
}

// TouchSession slides the session's expiry.
func (t *Tx) TouchSession(ctx context.Context, id int64, lastSeen, expires time.Time) error {
	return t.execOne(ctx, "touch session",
		"UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3", toMs(lastSeen), toMs(expires), id)
}

// DeleteSession removes the session with that hash; an unknown one is not an error.
func (t *Tx) DeleteSession(ctx context.Context, hash string) error {
	if _, err := t.q.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", hash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired at or before now.
func (t *Tx) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := t.q.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= $1", toMs(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
