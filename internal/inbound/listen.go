package inbound

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// InboxChannel is the PostgreSQL notification channel the webhook writer
// NOTIFYs after committing deliveries (internal/inbox).
const InboxChannel = "wadesk_inbox"

// Listen LISTENs on InboxChannel over a dedicated connection (not one of
// the pool's, which it would hold forever) and calls notify for every
// notification, so a delivery stored by any instance is processed at once.
// It reconnects with a growing pause until ctx ends. Notifications are
// hints: the processor's poll covers a dropped connection.
func Listen(ctx context.Context, cfg *pgx.ConnConfig, notify func(), onError func(error)) {
	pause := time.Second
	for ctx.Err() == nil {
		err := listenOnce(ctx, cfg, notify)
		if ctx.Err() != nil {
			return
		}
		if onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

func listenOnce(ctx context.Context, cfg *pgx.ConnConfig, notify func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+InboxChannel); err != nil {
		return err
	}
	notify() // rows may have arrived while no one listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		notify()
	}
}
