package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// CreateGroup creates a group with those members; a taken name is conflict.
func (s *Service) CreateGroup(ctx context.Context, name string, memberIDs []int64) (*Group, error) {
	g := Group{Name: strings.TrimSpace(name), CreatedAt: s.Now()}
	fields := map[string]string{}
	checkText("name", g.Name, 100, fields)
	if len(fields) > 0 {
		return nil, Invalid("invalid group", fields)
	}
	err := s.st.WithTx(ctx, func(tx Tx) error {
		if err := checkUsersExist(ctx, tx, "member_ids", memberIDs); err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, &g); err != nil {
			if ErrorCode(err) == ECodeConflict {
				return &Error{Code: ECodeConflict, Message: "a group with this name already exists", Fields: map[string]string{"name": "already taken"}}
			}
			return err
		}
		return tx.SetGroupMembers(ctx, g.ID, memberIDs)
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

func checkUsersExist(ctx context.Context, r Reader, field string, ids []int64) error {
	for _, id := range ids {
		if _, err := r.UserByID(ctx, id); err != nil {
			if isNotFound(err) {
				return Invalid("unknown user", map[string]string{field: fmt.Sprintf("user %d does not exist", id)})
			}
			return err
		}
	}
	return nil
}

// ListGroups returns a page of groups by id.
func (s *Service) ListGroups(ctx context.Context, p Page) ([]Group, string, error) {
	return pageByID(p, func(after int64, limit int) ([]Group, error) { return s.st.ListGroups(ctx, after, limit) },
		func(x *Group) int64 { return x.ID })
}

// GroupMembers returns the user ids of the group's members.
func (s *Service) GroupMembers(ctx context.Context, groupID int64) ([]int64, error) {
	if _, err := s.st.GroupByID(ctx, groupID); err != nil {
		return nil, err
	}
	return s.st.GroupMembers(ctx, groupID)
}

// SetGroupMembers makes userIDs the group's complete member list.
func (s *Service) SetGroupMembers(ctx context.Context, groupID int64, userIDs []int64) error {
	ids := slices.Clone(userIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return s.st.WithTx(ctx, func(tx Tx) error {
		if _, err := tx.GroupByID(ctx, groupID); err != nil {
			return err
		}
		if err := checkUsersExist(ctx, tx, "user_ids", ids); err != nil {
			return err
		}
		return tx.SetGroupMembers(ctx, groupID, ids)
	})
}
