package app

import (
	"context"
	"fmt"

	"wadesk/internal/cluster"
	"wadesk/internal/events"
	"wadesk/internal/store"
)

// setupCluster makes instances sharing one PostgreSQL behave as one
// helpdesk: live events cross instances (the event_log table, woken by
// LISTEN/NOTIFY wadesk_events; the hub then streams every instance's
// events, this one's too, from the log with the log's ids) and
// each number's send cap is one budget for all of them. It runs after the
// other capabilities, whose hub and dispatcher it extends. On SQLite there
// is a single instance and nothing to do.
func setupCluster(ctx context.Context, a *App) error {
	pool := a.DB.PgxPool()
	if a.DB.Dialect() != store.Postgres || pool == nil {
		return nil
	}
	if a.Hub != nil {
		bridge, err := events.NewBridge(ctx, events.BridgeOptions{Pool: pool, Hub: a.Hub, Logger: a.Logger, Registry: a.Registry})
		if err != nil {
			return fmt.Errorf("cluster: %w", err)
		}
		a.Events.Subscribe(bridge)
		a.AddLoop(bridge.Run)
		a.Logger.Debug("cluster: live events bridged", "origin", bridge.Origin())
	}
	if a.Outbound != nil {
		a.Outbound.ShareNumberLimits(cluster.NewBudget(a.DB.Writer()))
	}
	return nil
}
