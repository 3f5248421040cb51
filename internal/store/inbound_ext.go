package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"wadesk/internal/helpdesk"
)

// Queries of inbound processing: claiming webhook deliveries, the light
// message lookups of replies, reactions and statuses, pending statuses.

const inboxItemColumns = "id, channel_id, received_at, body, state, attempts, error, processed_at"

// claimSuffix locks the claimed rows on PostgreSQL and skips rows another
// instance holds. SQLite serves one instance with one processor, and its
// claims read the inbox file (inbox_file.go): the rows stay pending until
// the processor's transaction committed and marked them.
func (t *Tx) claimSuffix() string {
	if t.d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// ClaimInbox takes up to limit pending deliveries, oldest first.
func (t *Tx) ClaimInbox(ctx context.Context, limit int) ([]helpdesk.InboxItem, error) {
	items, err := queryAll(ctx, t.in, scanInbox,
		"SELECT "+inboxItemColumns+" FROM webhook_inbox WHERE state = 'pending' ORDER BY id LIMIT $1"+t.claimSuffix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim inbox: %w", err)
	}
	return items, nil
}

// ClaimInboxItem claims one pending delivery.
func (t *Tx) ClaimInboxItem(ctx context.Context, id int64) (*helpdesk.InboxItem, error) {
	it, err := scanInbox(t.in.QueryRowContext(ctx,
		"SELECT "+inboxItemColumns+" FROM webhook_inbox WHERE id = $1 AND state = 'pending'"+t.claimSuffix(), id))
	if err != nil {
		return nil, fmt.Errorf("store: claim inbox item: %w", mapErr(err))
	}
	return it, nil
}

// FinishInbox marks deliveries done or ignored in one statement.
func (t *Tx) FinishInbox(ctx context.Context, ids []int64, state, note string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	a := args{state, note, toMs(at)}
	return t.inboxExec(ctx, "finish inbox",
		"UPDATE webhook_inbox SET state = $1, error = $2, processed_at = $3, attempts = attempts + 1 WHERE id IN "+a.in(ids), a...)
}

// ApplyInboundTicket moves a ticket forward by what customer messages did,
// relative to the stored row. Unlike UpdateTicket it leaves the title
// alone, which also spares SQLite's full-text trigger on titles.
func (t *Tx) ApplyInboundTicket(ctx context.Context, u *helpdesk.InboundTicketUpdate) error {
	return t.execOne(ctx, "apply inbound ticket",
		`UPDATE tickets SET
			unread_count = unread_count + $1,
			window_expires_at = CASE WHEN window_expires_at IS NULL OR window_expires_at < $2 THEN $2 ELSE window_expires_at END,
			last_inbound_at = CASE WHEN last_inbound_at IS NULL OR last_inbound_at < $3 THEN $3 ELSE last_inbound_at END,
			last_message_at = CASE WHEN last_message_at < $4 THEN $4 ELSE last_message_at END,
			state = CASE WHEN $5 AND state = 'pending' THEN 'open' ELSE state END,
			reminder_sent_at = CASE WHEN $6 THEN NULL ELSE reminder_sent_at END,
			updated_at = $7
		 WHERE id = $8`,
		u.UnreadDelta, nullMs(u.WindowExpiresAt), nullMs(u.LastInboundAt), toMs(u.LastMessageAt), u.Reopen, u.ResetReminder,
		toMs(u.UpdatedAt), u.TicketID)
}

// ClaimConversation flags the ticket as the customer's live conversation.
func (t *Tx) ClaimConversation(ctx context.Context, ticketID int64) error {
	if _, err := t.q.ExecContext(ctx, "UPDATE tickets SET wa_conversation = TRUE WHERE id = $1", ticketID); err != nil {
		return fmt.Errorf("store: claim conversation: %w", mapErr(err))
	}
	return nil
}

// MessageRefByWAMID finds a message by wamid with no joins.
func (r reads) MessageRefByWAMID(ctx context.Context, channelID int64, wamid string) (*helpdesk.MessageRef, error) {
	var m helpdesk.MessageRef
	var group sql.NullInt64
	err := r.q.QueryRowContext(ctx,
		`SELECT m.id, m.ticket_id, m.direction, m.status, t.group_id FROM messages m JOIN tickets t ON t.id = m.ticket_id
		 WHERE m.channel_id = $1 AND m.wa_message_id = $2`,
		channelID, wamid).Scan(&m.ID, &m.TicketID, &m.Direction, &m.Status, &group)
	if err != nil {
		return nil, fmt.Errorf("store: message by wamid: %w", mapErr(err))
	}
	m.GroupID = idPtr(group)
	return &m, nil
}

// InboundCustomer finds a customer by wa_id, then by BSUID, with its profile name.
func (r reads) InboundCustomer(ctx context.Context, waID, bsuid string) (*helpdesk.Customer, string, error) {
	for _, k := range []struct{ col, v string }{{"wa_id", waID}, {"bsuid", bsuid}} {
		if k.v == "" {
			continue
		}
		var profile string
		c, err := scanCustomer(scanWith{r.q.QueryRowContext(ctx,
			"SELECT "+customerColumns+", c.profile_name FROM customers c WHERE c."+k.col+" = $1", k.v), &profile})
		if err == nil {
			return c, profile, nil
		}
		if err = mapErr(err); !errors.Is(err, helpdesk.ErrNotFound) {
			return nil, "", fmt.Errorf("store: inbound customer: %w", err)
		}
	}
	return nil, "", fmt.Errorf("store: inbound customer: %w", helpdesk.ErrNotFound)
}

// inChunk bounds the values of one IN list, far below both databases'
// limits on bound parameters.
const inChunk = 400

// InboundCustomers returns the customers with any of the wa_ids or BSUIDs.
func (r reads) InboundCustomers(ctx context.Context, waIDs, bsuids []string) ([]helpdesk.CustomerProfile, error) {
	var out []helpdesk.CustomerProfile
	for _, k := range []struct {
		col string
		vs  []string
	}{{"wa_id", waIDs}, {"bsuid", bsuids}} {
		for len(k.vs) > 0 {
			part := k.vs[:min(len(k.vs), inChunk)]
			k.vs = k.vs[len(part):]
			var a args
			ps := make([]string, len(part))
			for i, v := range part {
				ps[i] = a.add(v)
			}
			scan := func(s scanner) (*helpdesk.CustomerProfile, error) {
				var cp helpdesk.CustomerProfile
				c, err := scanCustomer(scanWith{s, &cp.ProfileName})
				if err != nil {
					return nil, err
				}
				cp.Customer = *c
				return &cp, nil
			}
			cs, err := queryAll(ctx, r.q, scan, "SELECT "+customerColumns+", c.profile_name FROM customers c WHERE c."+k.col+
				" IN ("+strings.Join(ps, ", ")+")", a...)
			if err != nil {
				return nil, fmt.Errorf("store: inbound customers: %w", err)
			}
			out = append(out, cs...)
		}
	}
	return out, nil
}

// LiveTickets returns the customers' not-closed tickets, newest first.
func (r reads) LiveTickets(ctx context.Context, customerIDs []int64) ([]helpdesk.Ticket, error) {
	var out []helpdesk.Ticket
	for len(customerIDs) > 0 {
		part := customerIDs[:min(len(customerIDs), inChunk)]
		customerIDs = customerIDs[len(part):]
		var a args
		ts, err := queryAll(ctx, r.q, scanTicket, "SELECT "+ticketColumns+" FROM tickets t WHERE t.customer_id IN "+a.in(part)+
			" AND t.state <> 'closed' ORDER BY t.id DESC", a...)
		if err != nil {
			return nil, fmt.Errorf("store: live tickets: %w", err)
		}
		out = append(out, ts...)
	}
	return out, nil
}

// scanWith scans extra trailing columns after those a scan function reads.
type scanWith struct {
	s     scanner
	extra any
}

func (w scanWith) Scan(dest ...any) error { return w.s.Scan(append(dest, w.extra)...) }

// CreateInboundCustomer inserts c with its profile name and sets c.ID.
func (t *Tx) CreateInboundCustomer(ctx context.Context, c *helpdesk.Customer, profileName string) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO customers (name, phone, wa_id, bsuid, username, profile_name, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		c.Name, c.Phone, c.WAID, c.BSUID, c.Username, profileName, toMs(c.CreatedAt), toMs(c.UpdatedAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: create customer: %w", mapErr(err))
	}
	return nil
}

// UpdateInboundCustomer writes c's identifiers, names and updated_at.
func (t *Tx) UpdateInboundCustomer(ctx context.Context, c *helpdesk.Customer, profileName string) error {
	return t.execOne(ctx, "update customer",
		`UPDATE customers SET name = $1, phone = $2, wa_id = $3, bsuid = $4, username = $5, profile_name = $6, updated_at = $7
		 WHERE id = $8`,
		c.Name, c.Phone, c.WAID, c.BSUID, c.Username, profileName, toMs(c.UpdatedAt), c.ID)
}

// ReactionBy returns one reactor's reaction on a message.
func (r reads) ReactionBy(ctx context.Context, messageID int64, byKind helpdesk.SenderKind, byID int64) (*helpdesk.Reaction, error) {
	re, err := scanReaction(r.q.QueryRowContext(ctx,
		reactionSelect+" WHERE r.message_id = $1 AND r.by_kind = $2 AND r.by_id = $3", messageID, byKind, byID))
	if err != nil {
		return nil, fmt.Errorf("store: reaction: %w", mapErr(err))
	}
	return re, nil
}

// SetMessageStatus writes a status change; e is kept only when given, so
// a later delivered after failed leaves Meta's reason for the record.
func (t *Tx) SetMessageStatus(ctx context.Context, id int64, status helpdesk.MessageStatus, e *helpdesk.MessageError, at time.Time) error {
	if e == nil {
		return t.execOne(ctx, "set message status",
			"UPDATE messages SET status = $1, updated_at = $2 WHERE id = $3", status, toMs(at), id)
	}
	return t.execOne(ctx, "set message status",
		`UPDATE messages SET status = $1, error_code = $2, error_title = $3, error_message = $4, updated_at = $5
		 WHERE id = $6`, status, e.Code, e.Title, e.Message, toMs(at), id)
}

// pendingPayload is how a pending status's details are kept.
type pendingPayload struct {
	Error *helpdesk.MessageError `json:"error,omitempty"`
	At    int64                  `json:"at"`
}

// AddPendingStatus keeps a status for a wamid not stored yet.
func (t *Tx) AddPendingStatus(ctx context.Context, p *helpdesk.PendingStatus) error {
	payload, err := json.Marshal(pendingPayload{Error: p.Error, At: toMs(p.At)})
	if err != nil {
		return fmt.Errorf("store: add pending status: %w", err)
	}
	_, err = t.q.ExecContext(ctx,
		`INSERT INTO pending_statuses (channel_id, wa_message_id, status, payload, created_at, message_id)
		 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel_id, wa_message_id, status) DO NOTHING`,
		p.ChannelID, p.WAMID, p.Status, string(payload), toMs(p.At), nullID(p.MessageID))
	if err != nil {
		return fmt.Errorf("store: add pending status: %w", mapErr(err))
	}
	return nil
}

// TakePendingStatuses removes and returns the statuses kept for a wamid.
func (t *Tx) TakePendingStatuses(ctx context.Context, channelID int64, wamid string) ([]helpdesk.PendingStatus, error) {
	scan := func(s scanner) (*helpdesk.PendingStatus, error) {
		p := helpdesk.PendingStatus{ChannelID: channelID, WAMID: wamid}
		var payload string
		if err := s.Scan(&p.Status, &payload); err != nil {
			return nil, err
		}
		var pp pendingPayload
		if err := json.Unmarshal([]byte(payload), &pp); err != nil {
			return nil, fmt.Errorf("payload: %w", err)
		}
		p.Error, p.At = pp.Error, fromMs(pp.At)
		return &p, nil
	}
	ps, err := queryAll(ctx, t.q, scan,
		`DELETE FROM pending_statuses WHERE channel_id = $1 AND wa_message_id = $2 RETURNING status, payload`,
		channelID, wamid)
	if err != nil {
		return nil, fmt.Errorf("store: take pending statuses: %w", err)
	}
	return ps, nil
}

// SetTemplateStatus updates the matching templates of every channel of the WABA.
func (t *Tx) SetTemplateStatus(ctx context.Context, wabaID, name, language, status, quality string) (int64, error) {
	res, err := t.q.ExecContext(ctx,
		`UPDATE templates SET status = CASE WHEN $1 = '' THEN status ELSE $1 END,
			quality = CASE WHEN $2 = '' THEN quality ELSE $2 END
		 WHERE name = $3 AND language = $4
		   AND channel_id IN (SELECT id FROM channels WHERE waba_id = $5 AND deleted_at IS NULL)`,
		status, quality, name, language, wabaID)
	if err != nil {
		return 0, fmt.Errorf("store: set template status: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: set template status: %w", err)
	}
	return n, nil
}
