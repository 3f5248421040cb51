package store

import (
	"context"
	"fmt"
	"strings"

	"wadesk/internal/helpdesk"
)

const customerColumns = "c.id, c.name, c.phone, c.wa_id, c.bsuid, c.username, c.created_at, c.updated_at"

func scanCustomer(s scanner) (*helpdesk.Customer, error) {
	var c helpdesk.Customer
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &c.Phone, &c.WAID, &c.BSUID, &c.Username, &created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMs(created), fromMs(updated)
	return &c, nil
}

func (r reads) customerWhere(ctx context.Context, where string, arg any) (*helpdesk.Customer, error) {
	c, err := scanCustomer(r.q.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers c WHERE "+where, arg))
	if err != nil {
		return nil, fmt.Errorf("store: customer: %w", mapErr(err))
	}
	return c, nil
}

// CustomerByID returns one customer.
func (r reads) CustomerByID(ctx context.Context, id int64) (*helpdesk.Customer, error) {
	return r.customerWhere(ctx, "c.id = $1", id)
}

// CustomerByWAID finds a customer by WhatsApp id (phone digits); "" never matches.
func (r reads) CustomerByWAID(ctx context.Context, waID string) (*helpdesk.Customer, error) {
	if waID == "" {
		return nil, fmt.Errorf("store: customer: %w", helpdesk.ErrNotFound)
	}
	return r.customerWhere(ctx, "c.wa_id = $1", waID)
}

// CustomerByBSUID finds a customer by business-scoped user id; "" never matches.
func (r reads) CustomerByBSUID(ctx context.Context, bsuid string) (*helpdesk.Customer, error) {
	if bsuid == "" {
		return nil, fmt.Errorf("store: customer: %w", helpdesk.ErrNotFound)
	}
	return r.customerWhere(ctx, "c.bsuid = $1", bsuid)
}

// visibleCustomer is true when customer c has a ticket in a group of user $n.
const visibleCustomer = `EXISTS (SELECT 1 FROM tickets t JOIN group_members gm ON gm.group_id = t.group_id
	WHERE t.customer_id = c.id AND gm.user_id = %s)`

// ListCustomers returns customers newest first, matching q.
func (r reads) ListCustomers(ctx context.Context, q helpdesk.CustomerQuery) ([]helpdesk.Customer, error) {
	var a args
	where := []string{"1 = 1"}
	if q.BeforeID > 0 {
		where = append(where, "c.id < "+a.add(q.BeforeID))
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		p := a.add("%" + likeEscape(strings.ToLower(s)) + "%")
		where = append(where, fmt.Sprintf(`(LOWER(c.name) LIKE %[1]s ESCAPE '\' OR c.phone LIKE %[1]s ESCAPE '\' OR c.wa_id LIKE %[1]s ESCAPE '\')`, p))
	}
	if q.VisibleTo != nil {
		where = append(where, fmt.Sprintf(visibleCustomer, a.add(*q.VisibleTo)))
	}
	query := "SELECT " + customerColumns + " FROM customers c WHERE " + strings.Join(where, " AND ") +
		" ORDER BY c.id DESC LIMIT " + a.add(q.Limit)
	cs, err := queryAll(ctx, r.q, scanCustomer, query, a...)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	return cs, nil
}

// likeEscape makes % and _ in user input literal for LIKE … ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CustomerVisibleTo reports whether the customer has a ticket in one of the user's groups.
func (r reads) CustomerVisibleTo(ctx context.Context, customerID, userID int64) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM customers c WHERE c.id = $1 AND "+fmt.Sprintf(visibleCustomer, "$2"), customerID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: customer visible: %w", err)
	}
	return n > 0, nil
}

// CreateCustomer inserts c and sets c.ID. A wa_id or BSUID already taken is helpdesk.ErrConflict.
func (t *Tx) CreateCustomer(ctx context.Context, c *helpdesk.Customer) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO customers (name, phone, wa_id, bsuid, username, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		c.Name, c.Phone, c.WAID, c.BSUID, c.Username, toMs(c.CreatedAt), toMs(c.UpdatedAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: create customer: %w", mapErr(err))
	}
	return nil
}

// UpdateCustomer writes every column of c but created_at.
func (t *Tx) UpdateCustomer(ctx context.Context, c *helpdesk.Customer) error {
	return t.execOne(ctx, "update customer",
		`UPDATE customers SET name = $1, phone = $2, wa_id = $3, bsuid = $4, username = $5, updated_at = $6 WHERE id = $7`,
		c.Name, c.Phone, c.WAID, c.BSUID, c.Username, toMs(c.UpdatedAt), c.ID)
}
