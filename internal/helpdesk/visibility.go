package helpdesk

import "context"

// Visibility: admins see every ticket; agents only tickets whose group is
// one of theirs. A hidden ticket is not_found, never forbidden, so agents
// cannot learn which ids exist. A ticket without a group is for admins.

func checkActor(actor *User) error {
	if actor == nil || !actor.Active {
		return unauthorized()
	}
	return nil
}

// canSee reports whether actor sees tickets of group groupID.
func canSee(ctx context.Context, r Reader, actor *User, groupID *int64) (bool, error) {
	if actor.IsAdmin() {
		return true, nil
	}
	if groupID == nil {
		return false, nil
	}
	// Asked of the database rather than actor.GroupIDs, which may be stale.
	return r.IsGroupMember(ctx, *groupID, actor.ID)
}

// visibleTicket loads a ticket the actor may see, or not_found.
func visibleTicket(ctx context.Context, r Reader, actor *User, id int64) (*Ticket, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	t, err := r.TicketByID(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := canSee(ctx, r, actor, t.GroupID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return t, nil
}

// visibleTo is the user id an agent's lists are restricted to; nil for admins.
func visibleTo(actor *User) *int64 {
	if actor.IsAdmin() {
		return nil
	}
	id := actor.ID
	return &id
}
