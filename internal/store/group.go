package store

import (
	"context"
	"fmt"

	"wadesk/internal/helpdesk"
)

func scanGroup(s scanner) (*helpdesk.Group, error) {
	var g helpdesk.Group
	var created int64
	if err := s.Scan(&g.ID, &g.Name, &created); err != nil {
		return nil, err
	}
	g.CreatedAt = fromMs(created)
	return &g, nil
}

// GroupByID returns one group.
func (r reads) GroupByID(ctx context.Context, id int64) (*helpdesk.Group, error) {
	g, err := scanGroup(r.q.QueryRowContext(ctx, "SELECT id, name, created_at FROM groups WHERE id = $1", id))
	if err != nil {
		return nil, fmt.Errorf("store: group: %w", mapErr(err))
	}
	return g, nil
}

// ListGroups returns up to limit groups with id > afterID, by id.
func (r reads) ListGroups(ctx context.Context, afterID int64, limit int) ([]helpdesk.Group, error) {
	gs, err := queryAll(ctx, r.q, scanGroup,
		"SELECT id, name, created_at FROM groups WHERE id > $1 ORDER BY id LIMIT $2", afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list groups: %w", err)
	}
	return gs, nil
}

// GroupMembers returns the user ids of the group's members, ascending.
func (r reads) GroupMembers(ctx context.Context, groupID int64) ([]int64, error) {
	ids, err := queryAll(ctx, r.q, scanInt64,
		"SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id", groupID)
	if err != nil {
		return nil, fmt.Errorf("store: group members: %w", err)
	}
	return ids, nil
}

// IsGroupMember reports whether the user is in the group.
func (r reads) IsGroupMember(ctx context.Context, groupID, userID int64) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND user_id = $2", groupID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: is group member: %w", err)
	}
	return n > 0, nil
}

// CreateGroup inserts g and sets g.ID.
func (t *Tx) CreateGroup(ctx context.Context, g *helpdesk.Group) error {
	err := t.q.QueryRowContext(ctx,
		"INSERT INTO groups (name, created_at) VALUES ($1, $2) RETURNING id", g.Name, toMs(g.CreatedAt)).Scan(&g.ID)
	if err != nil {
		return fmt.Errorf("store: create group: %w", mapErr(err))
	}
	return nil
}

// SetGroupMembers makes userIDs the group's complete member list.
func (t *Tx) SetGroupMembers(ctx context.Context, groupID int64, userIDs []int64) error {
	if _, err := t.q.ExecContext(ctx, "DELETE FROM group_members WHERE group_id = $1", groupID); err != nil {
		return fmt.Errorf("store: set group members: %w", err)
	}
	for _, u := range userIDs {
		if _, err := t.q.ExecContext(ctx,
			"INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", groupID, u); err != nil {
			return fmt.Errorf("store: set group members: %w", mapErr(err))
		}
	}
	return nil
}
