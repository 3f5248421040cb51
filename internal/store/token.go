package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"wadesk/internal/helpdesk"
)

const tokenColumns = "id, user_id, name, token_hash, prefix, created_at, last_used_at, revoked_at"

func scanToken(s scanner) (*helpdesk.APIToken, error) {
	var tok helpdesk.APIToken
	var created int64
	var used, revoked sql.NullInt64
	if err := s.Scan(&tok.ID, &tok.UserID, &tok.Name, &tok.TokenHash, &tok.Prefix, &created, &used, &revoked); err != nil {
		return nil, err
	}
	tok.CreatedAt, tok.LastUsedAt, tok.RevokedAt = fromMs(created), timePtr(used), timePtr(revoked)
	return &tok, nil
}

// APITokenByHash finds a token, revoked or not, by the hash of its secret.
func (r reads) APITokenByHash(ctx context.Context, hash string) (*helpdesk.APIToken, error) {
	tok, err := scanToken(r.q.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE token_hash = $1", hash))
	if err != nil {
		return nil, fmt.Errorf("store: api token: %w", mapErr(err))
	}
	return tok, nil
}

// ListAPITokens returns the user's tokens, revoked ones included, oldest first.
func (r reads) ListAPITokens(ctx context.Context, userID int64) ([]helpdesk.APIToken, error) {
	toks, err := queryAll(ctx, r.q, scanToken,
		"SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = $1 ORDER BY id", userID)
	if err != nil {
		return nil, fmt.Errorf("store: list api tokens: %w", err)
	}
	return toks, nil
}

// CreateAPIToken inserts tok and sets tok.ID.
func (t *Tx) CreateAPIToken(ctx context.Context, tok *helpdesk.APIToken) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		tok.UserID, tok.Name, tok.TokenHash, tok.Prefix, toMs(tok.CreatedAt)).Scan(&tok.ID)
	if err != nil {
		return fmt.Errorf("store: create api token: %w", mapErr(err))
	}
	return nil
}

// TouchAPIToken records a use of the token.
func (t *Tx) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return t.execOne(ctx, "touch api token", "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", toMs(at), id)
}

// RevokeAPIToken marks the token revoked; revoking twice keeps the first time.
func (t *Tx) RevokeAPIToken(ctx context.Context, id int64, at time.Time) error {
	return t.execOne(ctx, "revoke api token",
		"UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2", toMs(at), id)
}
