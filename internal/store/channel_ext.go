package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"wadesk/internal/helpdesk"
)

// Queries of channel setup and the webhook endpoint (helpdesk.ChannelReads
// and ChannelWrites).

// ChannelsByWABA returns the live channels of a WABA, by id.
func (r reads) ChannelsByWABA(ctx context.Context, wabaID string) ([]helpdesk.Channel, error) {
	cs, err := queryAll(ctx, r.q, scanChannel,
		"SELECT "+channelColumns+" FROM channels WHERE deleted_at IS NULL AND waba_id = $1 ORDER BY id", wabaID)
	if err != nil {
		return nil, fmt.Errorf("store: channels by waba: %w", err)
	}
	return cs, nil
}

// inboxColumns is the number of values AppendInbox binds per row.
const inboxColumns = 5

// inboxInsert builds the multi-row INSERT for rows deliveries. Building it
// costs a few microseconds per batch, far below the commit it is part of.
func inboxInsert(rows int) string {
	var b strings.Builder
	b.Grow(80 + rows*32)
	b.WriteString("INSERT INTO webhook_inbox (channel_id, received_at, body, state, error) VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		for c := 1; c <= inboxColumns; c++ {
			if c == 1 {
				b.WriteString("($")
			} else {
				b.WriteString(", $")
			}
			b.WriteString(strconv.Itoa(i*inboxColumns + c))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// insertInbox stores deliveries with one INSERT on q; callers wrap the error.
func insertInbox(ctx context.Context, q querier, items []*helpdesk.InboxItem) error {
	args := make([]any, 0, len(items)*inboxColumns)
	for _, it := range items {
		if it.State == "" {
			it.State = helpdesk.InboxPending
		}
		args = append(args, nullID(it.ChannelID), toMs(it.ReceivedAt), it.Body, it.State, it.Error)
	}
	_, err := q.ExecContext(ctx, inboxInsert(len(items)), args...)
	return mapErr(err)
}

// appendInbox is DB.AppendInbox on PostgreSQL: the rows and a NOTIFY
// wadesk_inbox, which PostgreSQL holds until the transaction commits; other
// instances LISTEN on it to drain the inbox at once.
func (t *Tx) appendInbox(ctx context.Context, items []*helpdesk.InboxItem) error {
	if err := insertInbox(ctx, t.q, items); err != nil {
		return fmt.Errorf("store: append inbox: %w", err)
	}
	if _, err := t.q.ExecContext(ctx, "SELECT pg_notify('wadesk_inbox', '')"); err != nil {
		return fmt.Errorf("store: notify inbox: %w", err)
	}
	return nil
}

// TouchChannelsWebhook moves last_webhook_at forward on the channels.
func (t *Tx) TouchChannelsWebhook(ctx context.Context, channelIDs []int64, at time.Time) error {
	if len(channelIDs) == 0 {
		return nil
	}
	var a args
	ms := a.add(toMs(at))
	q := "UPDATE channels SET last_webhook_at = " + ms + " WHERE id IN " + a.in(channelIDs) +
		" AND (last_webhook_at IS NULL OR last_webhook_at < " + ms + ")"
	if _, err := t.q.ExecContext(ctx, q, a...); err != nil {
		return fmt.Errorf("store: touch channels webhook: %w", err)
	}
	return nil
}

// SetChannelWebhookVerified records the time of a successful handshake.
func (t *Tx) SetChannelWebhookVerified(ctx context.Context, channelID int64, at time.Time) error {
	return t.execOne(ctx, "set channel webhook verified",
		"UPDATE channels SET webhook_verified_at = $1 WHERE id = $2 AND deleted_at IS NULL", toMs(at), channelID)
}
