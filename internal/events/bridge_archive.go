package events

import (
	"context"
	"fmt"

	"wadesk/internal/helpdesk"
)

// After implements Archive: a stream that lags or resumes beyond its hub's
// ring reads the log itself. The rows after `after` are all still there
// when one at or before it is, as the cleanup prunes the log from its
// oldest id on; otherwise the client has to reload.
func (b *Bridge) After(ctx context.Context, after uint64, limit int) ([]Logged, error) {
	var kept bool
	err := b.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM event_log WHERE id <= $1)`, int64(after)).Scan(&kept)
	if err != nil {
		return nil, fmt.Errorf("events: log: %w", err)
	}
	if !kept {
		return nil, ErrTooOld
	}
	rows, err := b.pool.Query(ctx, readSQL, int64(after), limit)
	if err != nil {
		return nil, fmt.Errorf("events: log: %w", err)
	}
	defer rows.Close()
	var out []Logged
	for rows.Next() {
		var id int64
		var ev helpdesk.Event
		if err := rows.Scan(&id, &ev.Type, &ev.TicketID, &ev.MessageID, &ev.GroupID); err != nil {
			return nil, fmt.Errorf("events: log: %w", err)
		}
		out = append(out, Logged{ID: uint64(id), Event: ev}) // the stream skips what it cannot stream
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: log: %w", err)
	}
	return out, nil
}
