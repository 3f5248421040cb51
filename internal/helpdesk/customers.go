package helpdesk

import (
	"context"
	"strings"
)

// Customers are visible to admins, and to agents when the customer has a
// ticket in one of their groups (like tickets, hidden ones are not_found).

// CustomerFilter selects customers; Query matches name, phone or wa_id.
type CustomerFilter struct {
	Query string
	Page
}

// ListCustomers returns the customers the actor may see, newest first.
func (s *Service) ListCustomers(ctx context.Context, actor *User, f CustomerFilter) ([]Customer, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	limit, c, err := f.Page.limitAndCursor()
	if err != nil {
		return nil, "", err
	}
	q := CustomerQuery{Search: strings.TrimSpace(f.Query), VisibleTo: visibleTo(actor), Limit: limit + 1}
	if c != nil {
		q.BeforeID = c.ID
	}
	cs, err := s.st.ListCustomers(ctx, q)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(cs) > limit {
		cs = cs[:limit]
		next = cursor{ID: cs[limit-1].ID}.encode()
	}
	return cs, next, nil
}

// Customer returns one customer the actor may see.
func (s *Service) Customer(ctx context.Context, actor *User, id int64) (*Customer, error) {
	return visibleCustomer(ctx, s.st, actor, id)
}

func visibleCustomer(ctx context.Context, r Reader, actor *User, id int64) (*Customer, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	c, err := r.CustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.IsAdmin() {
		ok, err := r.CustomerVisibleTo(ctx, id, actor.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNotFound
		}
	}
	return c, nil
}

// CustomerPatch changes some of a customer's fields; nil fields stay.
type CustomerPatch struct {
	Name *string
}

// UpdateCustomer applies p to a customer the actor may see.
func (s *Service) UpdateCustomer(ctx context.Context, actor *User, id int64, p CustomerPatch) (*Customer, error) {
	var out *Customer
	err := s.st.WithTx(ctx, func(tx Tx) error {
		c, err := visibleCustomer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if p.Name != nil {
			name := strings.TrimSpace(*p.Name)
			fields := map[string]string{}
			checkText("name", name, 200, fields)
			if len(fields) > 0 {
				return Invalid("invalid customer", fields)
			}
			c.Name = name
		}
		c.UpdatedAt = s.Now()
		out = c
		return tx.UpdateCustomer(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
