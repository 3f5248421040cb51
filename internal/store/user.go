package store

import (
	"context"
	"fmt"

	"wadesk/internal/helpdesk"
)

const userColumns = "id, email, name, role, password_hash, active, created_at, updated_at"

func scanUser(s scanner) (*helpdesk.User, error) {
	var u helpdesk.User
	var created, updated int64
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Active, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = fromMs(created), fromMs(updated)
	return &u, nil
}

// UserByID returns the user with its group ids.
func (r reads) UserByID(ctx context.Context, id int64) (*helpdesk.User, error) {
	return r.userWhere(ctx, "id = $1", id)
}

// UserByEmail returns the user with that (lowercase) email and its group ids.
func (r reads) UserByEmail(ctx context.Context, email string) (*helpdesk.User, error) {
	return r.userWhere(ctx, "email = $1", email)
}

func (r reads) userWhere(ctx context.Context, where string, arg any) (*helpdesk.User, error) {
	u, err := scanUser(r.q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, arg))
	if err != nil {
		return nil, fmt.Errorf("store: user: %w", mapErr(err))
	}
	if u.GroupIDs, err = r.userGroups(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

func (r reads) userGroups(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := queryAll(ctx, r.q, scanInt64,
		"SELECT group_id FROM group_members WHERE user_id = $1 ORDER BY group_id", userID)
	if err != nil {
		return nil, fmt.Errorf("store: user groups: %w", err)
	}
	return ids, nil
}

func scanInt64(s scanner) (*int64, error) {
	var v int64
	return &v, s.Scan(&v)
}

// ListUsers returns up to limit users with id > afterID, by id, with their groups.
func (r reads) ListUsers(ctx context.Context, afterID int64, limit int) ([]helpdesk.User, error) {
	users, err := queryAll(ctx, r.q, scanUser,
		"SELECT "+userColumns+" FROM users WHERE id > $1 ORDER BY id LIMIT $2", afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	for i := range users {
		if users[i].GroupIDs, err = r.userGroups(ctx, users[i].ID); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// CountUsers counts every user, active or not.
func (r reads) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := r.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// CreateUser inserts u and sets u.ID. Group membership is SetUserGroups'.
func (t *Tx) CreateUser(ctx context.Context, u *helpdesk.User) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO users (email, name, role, password_hash, active, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.Email, u.Name, u.Role, u.PasswordHash, u.Active, toMs(u.CreatedAt), toMs(u.UpdatedAt)).Scan(&u.ID)
	if err != nil {
		return fmt.Errorf("store: create user: %w", mapErr(err))
	}
	return nil
}

// UpdateUser writes u's name, role, password hash, active flag and updated_at.
func (t *Tx) UpdateUser(ctx context.Context, u *helpdesk.User) error {
	return t.execOne(ctx, "update user",
		`UPDATE users SET name = $1, role = $2, password_hash = $3, active = $4, updated_at = $5 WHERE id = $6`,
		u.Name, u.Role, u.PasswordHash, u.Active, toMs(u.UpdatedAt), u.ID)
}

// SetUserGroups makes groupIDs the user's complete group list.
func (t *Tx) SetUserGroups(ctx context.Context, userID int64, groupIDs []int64) error {
	if _, err := t.q.ExecContext(ctx, "DELETE FROM group_members WHERE user_id = $1", userID); err != nil {
		return fmt.Errorf("store: set user groups: %w", err)
	}
	for _, g := range groupIDs {
		if _, err := t.q.ExecContext(ctx,
			"INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", g, userID); err != nil {
			return fmt.Errorf("store: set user groups: %w", mapErr(err))
		}
	}
	return nil
}

// execOne runs an UPDATE or DELETE that must touch exactly one row;
// none is helpdesk.ErrNotFound.
func (t *Tx) execOne(ctx context.Context, what, query string, args ...any) error {
	res, err := t.q.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, helpdesk.ErrNotFound)
	}
	return nil
}
