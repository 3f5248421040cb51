package ui

import (
	"context"

	"wadesk/internal/helpdesk"
)

// names resolves the ids a page shows (users, groups, channels,
// customers) with one query per kind, instead of one per row.
type names struct {
	users     []helpdesk.User
	groups    []helpdesk.Group
	channels  []helpdesk.Channel
	customers map[int64]*helpdesk.Customer
}

// lookupLimit is how many users, groups and channels the pickers list; a
// helpdesk with more needs search in the pickers (not done yet).
const lookupLimit = helpdesk.MaxLimit

func (u *UI) loadNames(ctx context.Context) (*names, error) {
	n := &names{customers: map[int64]*helpdesk.Customer{}}
	var err error
	if n.users, _, err = u.svc.ListUsers(ctx, helpdesk.Page{Limit: lookupLimit}); err != nil {
		return nil, err
	}
	if n.groups, _, err = u.svc.ListGroups(ctx, helpdesk.Page{Limit: lookupLimit}); err != nil {
		return nil, err
	}
	if n.channels, err = u.svc.Store().ListChannels(ctx); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *names) user(id *int64) string {
	if id == nil {
		return ""
	}
	for _, x := range n.users {
		if x.ID == *id {
			return x.Name
		}
	}
	return "user " + itoa(*id)
}

func (n *names) group(id *int64) string {
	if id == nil {
		return ""
	}
	for _, x := range n.groups {
		if x.ID == *id {
			return x.Name
		}
	}
	return "group " + itoa(*id)
}

func (n *names) channel(id *int64) *helpdesk.Channel {
	if id == nil {
		return nil
	}
	for i := range n.channels {
		if n.channels[i].ID == *id {
			return &n.channels[i]
		}
	}
	return nil
}

// customer loads a customer once per page; a missing one shows as unknown.
func (n *names) customer(ctx context.Context, st helpdesk.Reader, id int64) *helpdesk.Customer {
	if c, ok := n.customers[id]; ok {
		return c
	}
	c, err := st.CustomerByID(ctx, id)
	if err != nil {
		c = &helpdesk.Customer{ID: id, Name: "Unknown customer"}
	}
	n.customers[id] = c
	return c
}

// groupsOf are the groups an agent works in (all of them for admins):
// the choices of the inbox's group filter.
func (n *names) groupsOf(user *helpdesk.User) []helpdesk.Group {
	if user.IsAdmin() {
		return n.groups
	}
	var out []helpdesk.Group
	for _, g := range n.groups {
		for _, id := range user.GroupIDs {
			if g.ID == id {
				out = append(out, g)
			}
		}
	}
	return out
}

// activeUsers are the people a ticket may be assigned to (the service
// checks group membership when the assignment is saved).
func (n *names) activeUsers() []helpdesk.User {
	var out []helpdesk.User
	for _, x := range n.users {
		if x.Active {
			out = append(out, x)
		}
	}
	return out
}
