package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"wadesk/internal/helpdesk"
)

// Queries that reconcile a send whose outcome became unknown with the
// statuses Meta sent for it (see helpdesk.Service.ReconcileParked).

// TakePendingStatusesOfMessage removes and returns the parked statuses whose
// callback data named the message.
func (t *Tx) TakePendingStatusesOfMessage(ctx context.Context, messageID int64) ([]helpdesk.PendingStatus, error) {
	scan := func(s scanner) (*helpdesk.PendingStatus, error) {
		p := helpdesk.PendingStatus{MessageID: &messageID}
		var payload string
		if err := s.Scan(&p.ChannelID, &p.WAMID, &p.Status, &payload); err != nil {
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
		`DELETE FROM pending_statuses WHERE message_id = $1 RETURNING channel_id, wa_message_id, status, payload`, messageID)
	if err != nil {
		return nil, fmt.Errorf("store: take pending statuses of message: %w", err)
	}
	return ps, nil
}

// ReconcileUnknown records the wamid of an outbound message whose outcome
// was unknown: it becomes accepted, its "delivery unknown" error cleared.
func (t *Tx) ReconcileUnknown(ctx context.Context, messageID int64, wamid string, at time.Time) error {
	return t.execOne(ctx, "reconcile unknown message",
		`UPDATE messages SET status = 'accepted', wa_message_id = $1, error_code = NULL, error_title = NULL,
			error_message = NULL, updated_at = $2
		 WHERE id = $3 AND status = 'unknown' AND wa_message_id IS NULL AND direction = 'out'`, wamid, toMs(at), messageID)
}
