package events

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/helpdesk"
)

// Reconnection pauses of the listener: short at first (a restarted
// database is back within seconds), growing to a ceiling.
const (
	listenPauseMin = 100 * time.Millisecond
	listenPauseMax = 10 * time.Second
)

// readBatch bounds the rows read per query.
const readBatch = 1000

// readSQL is the reader's query: the log in id order after the last id read.
const readSQL = `SELECT id, type, ticket_id, message_id, group_id FROM event_log WHERE id > $1 ORDER BY id LIMIT $2`

// listen follows the log over a dedicated connection (not one of the
// pool's, which it would hold forever) and reconnects with a growing pause
// until ctx ends. After each (re)connection it reads everything after its
// last id, so what was appended meanwhile is streamed, not lost.
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

// listenOnce connects, listens, catches up and then reads whenever a
// notification of this schema arrives, until the connection fails;
// connected reports whether LISTEN took effect.
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
	// LISTEN before reading: an append committed after the read wakes us,
	// one committed before it is in the read.
	if _, err := conn.Exec(ctx, "LISTEN "+BridgeChannel); err != nil {
		return false, err
	}
	for {
		if err := b.read(ctx, conn); err != nil {
			return true, err
		}
		if err := b.await(ctx, conn); err != nil {
			return true, err
		}
	}
}

// await waits for a notification of this schema. Each append sends one,
// so there is one read per batch appended by any instance; a read that
// finds rows a later notification announces makes that read a cheap
// empty one.
func (b *Bridge) await(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == b.schema {
			return nil
		}
	}
}

// read hands every row after the cursor to the hub, in id order.
func (b *Bridge) read(ctx context.Context, conn *pgx.Conn) error {
	for {
		rows, err := conn.Query(ctx, readSQL, int64(b.cursor), readBatch)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var id int64
			var ev helpdesk.Event
			if err := rows.Scan(&id, &ev.Type, &ev.TicketID, &ev.MessageID, &ev.GroupID); err != nil {
				rows.Close()
				return err
			}
			n++
			b.cursor = uint64(id)
			if validType(ev.Type) && ev.TicketID > 0 {
				b.received.Inc()
				b.hub.Append(uint64(id), ev)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n < readBatch {
			return nil
		}
	}
}
