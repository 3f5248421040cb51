package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"wadesk/internal/auth"
)

// Session and token timing.
const (
	SessionIdle        = 14 * 24 * time.Hour // a session expires after 14 days without use
	sessionTouchEvery  = 5 * time.Minute     // sliding expiry is written at most this often
	tokenTouchEvery    = time.Minute         // last_used_at is written at most this often
	tokenPrefixLength  = len(auth.TokenPrefix) + 4
	maxTokenNameLength = 100
)

func unauthorized() error { return Errorf(ECodeUnauthorized, "invalid or expired credentials") }

// CreateAPIToken creates a token for the user. raw is shown once and never
// stored; only its hash is.
func (s *Service) CreateAPIToken(ctx context.Context, userID int64, name string) (string, *APIToken, error) {
	name = strings.TrimSpace(name)
	fields := map[string]string{}
	checkText("name", name, maxTokenNameLength, fields)
	if len(fields) > 0 {
		return "", nil, Invalid("invalid token", fields)
	}
	raw, hash := auth.NewToken()
	tok := APIToken{UserID: userID, Name: name, TokenHash: hash, Prefix: raw[:tokenPrefixLength], CreatedAt: s.Now()}
	err := s.st.WithTx(ctx, func(tx Tx) error {
		if _, err := tx.UserByID(ctx, userID); err != nil {
			return err
		}
		return tx.CreateAPIToken(ctx, &tok)
	})
	if err != nil {
		return "", nil, err
	}
	return raw, &tok, nil
}

// ListAPITokens returns the user's tokens, revoked ones included.
func (s *Service) ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	return s.st.ListAPITokens(ctx, userID)
}

// RevokeAPIToken revokes one of the user's tokens; someone else's is not_found.
func (s *Service) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	return s.st.WithTx(ctx, func(tx Tx) error {
		toks, err := tx.ListAPITokens(ctx, userID)
		if err != nil {
			return err
		}
		for _, t := range toks {
			if t.ID == tokenID {
				return tx.RevokeAPIToken(ctx, tokenID, s.Now())
			}
		}
		return ErrNotFound
	})
}

// AuthenticateToken returns the active user owning the raw token.
func (s *Service) AuthenticateToken(ctx context.Context, raw string) (*User, error) {
	if !strings.HasPrefix(raw, auth.TokenPrefix) {
		return nil, unauthorized()
	}
	tok, err := s.st.APITokenByHash(ctx, auth.HashToken(raw))
	if err != nil {
		if isNotFound(err) {
			return nil, unauthorized()
		}
		return nil, err
	}
	if tok.RevokedAt != nil {
		return nil, unauthorized()
	}
	u, err := s.activeUser(ctx, tok.UserID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= tokenTouchEvery {
		// Best effort: a busy writer must not fail the request being authenticated.
		if err := s.st.WithTx(ctx, func(tx Tx) error { return tx.TouchAPIToken(ctx, tok.ID, now) }); err != nil {
			s.log.Warn("touch api token", "token_id", tok.ID, "err", err)
		}
	}
	return u, nil
}

func (s *Service) activeUser(ctx context.Context, id int64) (*User, error) {
	u, err := s.st.UserByID(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return nil, unauthorized()
		}
		return nil, err
	}
	if !u.Active {
		return nil, unauthorized()
	}
	return u, nil
}

// Login checks email and password and opens a session. It returns the raw
// session secret for the cookie; only its hash is stored. Every mismatch
// is the same unauthorized error.
func (s *Service) Login(ctx context.Context, email, password string) (*User, string, *Session, error) {
	u, err := s.st.UserByEmail(ctx, NormalizeEmail(email))
	if err != nil && !isNotFound(err) {
		return nil, "", nil, err
	}
	if u == nil {
		// Spend the time a real check takes, so unknown emails cannot be told apart.
		_ = auth.CheckPassword(s.dummy(), password)
		return nil, "", nil, unauthorized()
	}
	if auth.CheckPassword(u.PasswordHash, password) != nil || !u.Active {
		return nil, "", nil, unauthorized()
	}
	raw := auth.RandomString(32)
	now := s.Now()
	sess := Session{TokenHash: auth.HashToken(raw), UserID: u.ID, CSRFToken: auth.RandomString(32),
		CreatedAt: now, ExpiresAt: now.Add(SessionIdle), LastSeenAt: now}
	err = s.st.WithTx(ctx, func(tx Tx) error {
		// Logins are rare: a good moment to sweep expired sessions.
		if _, err := tx.DeleteExpiredSessions(ctx, now); err != nil {
			return err
		}
		return tx.CreateSession(ctx, &sess)
	})
	if err != nil {
		return nil, "", nil, err
	}
	return u, raw, &sess, nil
}

func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		h, err := auth.HashPassword(auth.RandomString(16))
		if err != nil {
			panic(fmt.Sprintf("helpdesk: dummy hash: %v", err)) // only crypto/rand can fail here
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

// SessionUser returns the user of a live session and slides its expiry
// (written at most every few minutes, to keep reads cheap).
func (s *Service) SessionUser(ctx context.Context, raw string) (*User, *Session, error) {
	if raw == "" {
		return nil, nil, unauthorized()
	}
	sess, err := s.st.SessionByHash(ctx, auth.HashToken(raw))
	if err != nil {
		if isNotFound(err) {
			return nil, nil, unauthorized()
		}
		return nil, nil, err
	}
	now := s.Now()
	if !now.Before(sess.ExpiresAt) {
		return nil, nil, unauthorized()
	}
	u, err := s.activeUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		sess.LastSeenAt, sess.ExpiresAt = now, now.Add(SessionIdle)
		if err := s.st.WithTx(ctx, func(tx Tx) error {
			return tx.TouchSession(ctx, sess.ID, sess.LastSeenAt, sess.ExpiresAt)
		}); err != nil {
			s.log.Warn("touch session", "session_id", sess.ID, "err", err)
		}
	}
	return u, sess, nil
}

// Logout ends the session; an unknown one is not an error.
func (s *Service) Logout(ctx context.Context, raw string) error {
	return s.st.WithTx(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, auth.HashToken(raw)) })
}
