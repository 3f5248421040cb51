package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"wadesk/internal/helpdesk"
)

const ticketColumns = `t.id, t.number, t.title, t.state, t.channel_id, t.customer_id, t.group_id, t.assignee_id,
	t.window_expires_at, t.last_inbound_at, t.last_outbound_at, t.last_message_at, t.unread_count,
	t.reminder_sent_at, t.created_at, t.updated_at, t.closed_at`

func scanTicket(s scanner) (*helpdesk.Ticket, error) {
	var t helpdesk.Ticket
	var channel, group, assignee, window, inbound, outbound, reminder, closed sql.NullInt64
	var last, created, updated int64
	if err := s.Scan(&t.ID, &t.Number, &t.Title, &t.State, &channel, &t.CustomerID, &group, &assignee,
		&window, &inbound, &outbound, &last, &t.UnreadCount,
		&reminder, &created, &updated, &closed); err != nil {
		return nil, err
	}
	t.ChannelID, t.GroupID, t.AssigneeID = idPtr(channel), idPtr(group), idPtr(assignee)
	t.WindowExpiresAt, t.LastInboundAt, t.LastOutboundAt = timePtr(window), timePtr(inbound), timePtr(outbound)
	t.LastMessageAt, t.CreatedAt, t.UpdatedAt = fromMs(last), fromMs(created), fromMs(updated)
	t.ReminderSentAt, t.ClosedAt = timePtr(reminder), timePtr(closed)
	return &t, nil
}

// TicketByID returns one ticket.
func (r reads) TicketByID(ctx context.Context, id int64) (*helpdesk.Ticket, error) {
	t, err := scanTicket(r.q.QueryRowContext(ctx, "SELECT "+ticketColumns+" FROM tickets t WHERE t.id = $1", id))
	if err != nil {
		return nil, fmt.Errorf("store: ticket: %w", mapErr(err))
	}
	return t, nil
}

// OpenTicketFor returns the customer's newest ticket on the channel that is not closed.
func (r reads) OpenTicketFor(ctx context.Context, customerID, channelID int64) (*helpdesk.Ticket, error) {
	t, err := scanTicket(r.q.QueryRowContext(ctx,
		"SELECT "+ticketColumns+` FROM tickets t
		 WHERE t.customer_id = $1 AND t.channel_id = $2 AND t.state <> 'closed'
		 ORDER BY t.id DESC LIMIT 1`, customerID, channelID))
	if err != nil {
		return nil, fmt.Errorf("store: open ticket: %w", mapErr(err))
	}
	return t, nil
}

// ListTickets returns tickets newest activity first, keyset-paged on
// (last_message_at, id) so that tickets created between two pages neither
// repeat nor shift rows.
func (r reads) ListTickets(ctx context.Context, q helpdesk.TicketQuery) ([]helpdesk.Ticket, error) {
	query, a, err := r.ticketListQuery(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	ts, err := queryAll(ctx, r.q, scanTicket, query, a...)
	if err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	return ts, nil
}

// ExplainListTickets returns the database's plan of the query ListTickets
// runs for q (bench/largeinbox prints it).
func (db *DB) ExplainListTickets(ctx context.Context, q helpdesk.TicketQuery) (string, error) {
	query, a, err := db.ticketListQuery(ctx, q)
	if err != nil {
		return "", fmt.Errorf("store: explain list tickets: %w", err)
	}
	return db.explain(ctx, query, a...)
}

// ticketListQuery builds the SQL of ListTickets and its arguments.
func (r reads) ticketListQuery(ctx context.Context, q helpdesk.TicketQuery) (string, args, error) {
	var a args
	where := []string{"1 = 1"}
	if len(q.States) > 0 {
		ps := make([]string, len(q.States))
		for i, s := range q.States {
			ps[i] = a.add(string(s))
		}
		where = append(where, "t.state IN ("+strings.Join(ps, ", ")+")")
	}
	for _, f := range []struct {
		col string
		v   *int64
	}{{"t.channel_id", q.ChannelID}, {"t.customer_id", q.CustomerID}, {"t.assignee_id", q.AssigneeID}, {"t.group_id", q.GroupID}} {
		if f.v != nil {
			where = append(where, f.col+" = "+a.add(*f.v))
		}
	}
	if q.Unassigned {
		where = append(where, "t.assignee_id IS NULL")
	}
	if q.VisibleTo != nil {
		where = append(where, "t.group_id IN (SELECT group_id FROM group_members WHERE user_id = "+a.add(*q.VisibleTo)+")")
	}
	if q.AfterAt != nil {
		// "(at, id) after the cursor", written so that both databases seek
		// the index to the cursor's time (the bare OR form makes SQLite and
		// PostgreSQL scan every row of the earlier pages).
		at, id := a.add(toMs(*q.AfterAt)), a.add(q.AfterID)
		where = append(where, fmt.Sprintf("t.last_message_at <= %s AND (t.last_message_at < %s OR t.id < %s)", at, at, id))
	}
	if q.Search != "" {
		cond, err := r.ticketSearch(ctx, q.Search, &a)
		if err != nil {
			return "", nil, err
		}
		if cond != "" {
			where = append(where, cond)
		}
	}
	query := "SELECT " + ticketColumns + " FROM tickets t WHERE " + strings.Join(where, " AND ") +
		" ORDER BY t.last_message_at DESC, t.id DESC LIMIT " + a.add(q.Limit)
	return query, a, nil
}

// CreateTicket takes the next ticket number, inserts t and sets t.ID and t.Number.
func (t *Tx) CreateTicket(ctx context.Context, tk *helpdesk.Ticket) error {
	n, err := t.nextTicketNumber(ctx)
	if err != nil {
		return fmt.Errorf("store: create ticket: %w", err)
	}
	tk.Number = n
	err = t.q.QueryRowContext(ctx,
		`INSERT INTO tickets (number, title, state, channel_id, customer_id, group_id, assignee_id,
			window_expires_at, last_inbound_at, last_outbound_at, last_message_at, unread_count,
			reminder_sent_at, created_at, updated_at, closed_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		tk.Number, tk.Title, tk.State, nullID(tk.ChannelID), tk.CustomerID, nullID(tk.GroupID), nullID(tk.AssigneeID),
		nullMs(tk.WindowExpiresAt), nullMs(tk.LastInboundAt), nullMs(tk.LastOutboundAt), toMs(tk.LastMessageAt), tk.UnreadCount,
		nullMs(tk.ReminderSentAt), toMs(tk.CreatedAt), toMs(tk.UpdatedAt), nullMs(tk.ClosedAt)).Scan(&tk.ID)
	if err != nil {
		return fmt.Errorf("store: create ticket: %w", mapErr(err))
	}
	return nil
}

// UpdateTicket writes every mutable column of the ticket.
func (t *Tx) UpdateTicket(ctx context.Context, tk *helpdesk.Ticket) error {
	return t.execOne(ctx, "update ticket",
		`UPDATE tickets SET title = $1, state = $2, group_id = $3, assignee_id = $4, window_expires_at = $5,
			last_inbound_at = $6, last_outbound_at = $7, last_message_at = $8, unread_count = $9,
			reminder_sent_at = $10, updated_at = $11, closed_at = $12
		 WHERE id = $13`,
		tk.Title, tk.State, nullID(tk.GroupID), nullID(tk.AssigneeID), nullMs(tk.WindowExpiresAt),
		nullMs(tk.LastInboundAt), nullMs(tk.LastOutboundAt), toMs(tk.LastMessageAt), tk.UnreadCount,
		nullMs(tk.ReminderSentAt), toMs(tk.UpdatedAt), nullMs(tk.ClosedAt), tk.ID)
}
