package events

import (
	"context"
	"time"
)

// maxNotifyBatch bounds the events sent in one statement. Under load the
// queue holds many; one round trip for a batch keeps NOTIFY cheap next to
// the transactions that produced the events.
const maxNotifyBatch = 500

// notifySQL sends one notification per payload, in order, in one statement
// (and so one transaction: the listeners get them together at commit).
const notifySQL = `SELECT pg_notify('` + BridgeChannel + `', p) FROM unnest($1::text[]) AS p`

// send notifies this instance's events until ctx ends.
func (b *Bridge) send(ctx context.Context) {
	batch := make([]string, 0, maxNotifyBatch)
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-b.out:
			batch = append(batch[:0], b.encode(ev))
		}
	more:
		for len(batch) < maxNotifyBatch {
			select {
			case ev := <-b.out:
				batch = append(batch, b.encode(ev))
			default:
				break more
			}
		}
		sendCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := b.pool.Exec(sendCtx, notifySQL, batch)
		cancel()
		if err != nil {
			b.lost.Add(float64(len(batch)))
			if !failing && ctx.Err() == nil {
				// Once per outage, not once per batch.
				b.log.Warn("events: NOTIFY failed; other instances miss these live events", "events", len(batch), "error", err)
			}
			failing = true
			continue
		}
		if failing {
			b.log.Info("events: NOTIFY works again")
			failing = false
		}
		b.sent.Add(float64(len(batch)))
	}
}
