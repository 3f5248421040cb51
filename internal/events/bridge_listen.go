package events

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnection pauses of the listener: short at first (a restarted
// database is back within seconds), growing to a ceiling.
const (
	listenPauseMin = 100 * time.Millisecond
	listenPauseMax = 10 * time.Second
)

// listen receives the other instances' events over a dedicated connection
// (not one of the pool's, which it would hold forever) and reconnects with
// a growing pause until ctx ends. Events sent while it was disconnected are
// not replayed: streams are hints and clients reload on reconnect.
func (b *Bridge) listen(ctx context.Context) {
	pause := listenPauseMin
	for ctx.Err() == nil {
		connected, err := b.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			pause = listenPauseMin
		}
		b.log.Warn("events: LISTEN "+BridgeChannel+" interrupted; reconnecting", "pause", pause.String(), "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, listenPauseMax)
	}
}

// listenOnce connects, listens and hands events to Local until the
// connection fails; connected reports whether LISTEN took effect.
func (b *Bridge) listenOnce(ctx context.Context) (connected bool, err error) {
	cfg := b.pool.Config().ConnConfig.Copy()
	// Named so an operator (or a test) can find the listener in pg_stat_activity.
	cfg.RuntimeParams["application_name"] = "wadesk events " + b.origin
	connectCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(connectCtx, cfg)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+BridgeChannel); err != nil {
		return false, err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		if ev, ok := b.decode(n.Payload); ok {
			b.received.Inc()
			b.local.Publish(ev)
		}
	}
}
