package app

import (
	"context"
	"fmt"

	"wadesk/internal/ui"
)

// setupUI wires the server-rendered web app.
func setupUI(ctx context.Context, a *App) error {
	u, err := ui.New(ui.Options{
		Service: a.Service,
		Logger:  a.Logger,
		// Read at request time: tests and the demo learn the port after New.
		BaseURL: func() string { return a.Config.BaseURL.String() },
		Now:     a.Opts.Now,
		Counts:  a.sendCounts,
	})
	if err != nil {
		return err
	}
	u.Mount(a.Web)
	return nil
}

// sendCounts counts each channel's queued and failed outbound messages for
// the channel health page. It belongs in the store's outbound reads; until
// outbound offers it, the one query lives here (same text on both dialects).
func (a *App) sendCounts(ctx context.Context) (map[int64]ui.SendCounts, error) {
	rows, err := a.DB.Writer().QueryContext(ctx, `SELECT channel_id, status, COUNT(*) FROM messages
		WHERE channel_id IS NOT NULL AND status IN ('queued', 'failed') GROUP BY channel_id, status`)
	if err != nil {
		return nil, fmt.Errorf("app: send counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]ui.SendCounts{}
	for rows.Next() {
		var id int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, fmt.Errorf("app: send counts: %w", err)
		}
		c := out[id]
		if status == "queued" {
			c.Queued = n
		} else {
			c.Failed = n
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("app: send counts: %w", err)
	}
	return out, nil
}
