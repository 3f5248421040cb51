package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TicketFilter selects tickets for ListTickets.
type TicketFilter struct {
	States                                     []TicketState
	ChannelID, CustomerID, AssigneeID, GroupID *int64
	Unassigned                                 bool
	Query                                      string // full text over ticket titles and message texts
	Page
}

// ListTickets returns the tickets the actor may see, newest activity first.
func (s *Service) ListTickets(ctx context.Context, actor *User, f TicketFilter) ([]Ticket, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	limit, c, err := f.Page.limitAndCursor()
	if err != nil {
		return nil, "", err
	}
	for _, st := range f.States {
		if !ValidState(st) {
			return nil, "", Invalid("unknown state", map[string]string{"state": fmt.Sprintf("unknown state %q", st)})
		}
	}
	q := TicketQuery{States: f.States, ChannelID: f.ChannelID, CustomerID: f.CustomerID, AssigneeID: f.AssigneeID,
		GroupID: f.GroupID, Unassigned: f.Unassigned, Search: strings.TrimSpace(f.Query),
		VisibleTo: visibleTo(actor), Limit: limit + 1}
	if c != nil {
		q.AfterAt, q.AfterID = c.time(), c.ID
	}
	ts, err := s.st.ListTickets(ctx, q)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ts) > limit {
		ts = ts[:limit]
		last := ts[limit-1]
		next = cursor{At: last.LastMessageAt.UnixMilli(), ID: last.ID}.encode()
	}
	return ts, next, nil
}

// Ticket returns one ticket the actor may see.
func (s *Service) Ticket(ctx context.Context, actor *User, id int64) (*Ticket, error) {
	return visibleTicket(ctx, s.st, actor, id)
}

// OptionalID is a patch of a nullable id: Set && ID == nil clears it.
type OptionalID struct {
	Set bool
	ID  *int64
}

// TicketPatch changes some of a ticket's fields; nil and unset fields stay.
type TicketPatch struct {
	State      *TicketState
	AssigneeID OptionalID
	GroupID    OptionalID
	Title      *string
}

// maxTitleLength is the longest ticket title, in characters.
const maxTitleLength = 200

// UpdateTicket applies p to a ticket the actor may see, checking the state
// machine, the title, the group and the assignee.
func (s *Service) UpdateTicket(ctx context.Context, actor *User, id int64, p TicketPatch) (*Ticket, error) {
	var out *Ticket
	changed := false
	err := s.st.WithTx(ctx, func(tx Tx) error {
		t, err := visibleTicket(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		before := *t
		if err := applyPatch(ctx, tx, t, p, s.Now()); err != nil {
			return err
		}
		changed = ticketChanged(&before, t)
		if changed {
			t.UpdatedAt = s.Now()
			if err := tx.UpdateTicket(ctx, t); err != nil {
				return err
			}
		}
		out = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.publish(Event{Type: EventTicketUpdated, TicketID: out.ID, GroupID: out.GroupID})
	}
	return out, nil
}

func applyPatch(ctx context.Context, tx Tx, t *Ticket, p TicketPatch, now time.Time) error {
	fields := map[string]string{}
	if p.Title != nil {
		title := strings.TrimSpace(*p.Title)
		checkText("title", title, maxTitleLength, fields)
		t.Title = title
	}
	if p.State != nil && *p.State != t.State {
		if !CanTransition(t.State, *p.State) {
			fields["state"] = fmt.Sprintf("cannot change from %s to %s", t.State, *p.State)
		} else {
			t.State = *p.State
			if t.State == StateClosed {
				t.ClosedAt = &now
			} else {
				t.ClosedAt = nil
			}
		}
	}
	groupChanged := false
	if p.GroupID.Set && !sameID(p.GroupID.ID, t.GroupID) {
		if p.GroupID.ID != nil {
			if _, err := tx.GroupByID(ctx, *p.GroupID.ID); err != nil {
				if !isNotFound(err) {
					return err
				}
				fields["group_id"] = "group does not exist"
			}
		}
		t.GroupID, groupChanged = p.GroupID.ID, true
	}
	if len(fields) > 0 {
		return Invalid("invalid ticket change", fields)
	}
	switch {
	case p.AssigneeID.Set && p.AssigneeID.ID != nil:
		ok, err := mayBeAssigned(ctx, tx, *p.AssigneeID.ID, t.GroupID)
		if err != nil {
			return err
		}
		if !ok {
			return Invalid("invalid assignee", map[string]string{"assignee_id": "must be an active admin or a member of the ticket's group"})
		}
		t.AssigneeID = p.AssigneeID.ID
	case p.AssigneeID.Set:
		t.AssigneeID = nil
	case groupChanged && t.AssigneeID != nil:
		// Moving a ticket to another group takes it away from an assignee
		// who cannot work on it there.
		ok, err := mayBeAssigned(ctx, tx, *t.AssigneeID, t.GroupID)
		if err != nil {
			return err
		}
		if !ok {
			t.AssigneeID = nil
		}
	}
	return nil
}

// mayBeAssigned: an active user who is an admin or a member of the group.
func mayBeAssigned(ctx context.Context, r Reader, userID int64, groupID *int64) (bool, error) {
	u, err := r.UserByID(ctx, userID)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	if !u.Active {
		return false, nil
	}
	if u.IsAdmin() {
		return true, nil
	}
	if groupID == nil {
		return false, nil
	}
	return r.IsGroupMember(ctx, *groupID, userID)
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func ticketChanged(a, b *Ticket) bool {
	return a.Title != b.Title || a.State != b.State || !sameID(a.GroupID, b.GroupID) || !sameID(a.AssigneeID, b.AssigneeID)
}
