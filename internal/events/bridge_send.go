package events

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/helpdesk"
)

// maxAppendBatch bounds the events appended in one statement. Under load
// the queue holds many; one round trip for a batch keeps the log cheap
// next to the transactions that produced the events.
const maxAppendBatch = 500

// Retry pauses of a failed append: the batch is kept and tried again until
// the database is back (events are committed facts; dropping them would
// leave other instances' browsers behind).
const (
	appendPauseMin = 100 * time.Millisecond
	appendPauseMax = 5 * time.Second
	// flushTimeout bounds the last append at shutdown.
	flushTimeout = 3 * time.Second
)

// appendLock serializes appends within the schema (so ids commit in
// order): a transaction-scoped advisory lock on (a constant for wadesk's
// event log, the schema). The two-key form does not collide with River's
// one-key locks.
const appendLock = `SELECT pg_advisory_xact_lock(2002871397, hashtext(current_schema()))`

// appendSQL inserts a batch in its order (ids follow ord).
const appendSQL = `INSERT INTO event_log (type, ticket_id, message_id, group_id, created_at)
SELECT e.type, e.ticket_id, e.message_id, e.group_id, $5
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS e (type, ticket_id, message_id, group_id, ord)
ORDER BY e.ord`

// wakeSQL wakes the readers at commit; the payload scopes it to the schema.
const wakeSQL = `SELECT pg_notify('` + BridgeChannel + `', current_schema())`

// send appends this instance's events until ctx ends, then flushes the
// queue once more.
func (b *Bridge) send(ctx context.Context) {
	batch := make([]helpdesk.Event, 0, maxAppendBatch)
	defer func() {
		b.mu.Lock()
		b.stopped = true
		b.mu.Unlock()
		b.flush(batch)
	}()
	for {
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
				return
			case ev := <-b.out:
				batch = append(batch, ev)
			}
		}
		batch = b.fill(batch)
		if !b.appendRetrying(ctx, batch) {
			return // shutting down with the batch unsent: flushed by the deferred call
		}
		batch = batch[:0]
	}
}

// fill adds queued events to batch without waiting.
func (b *Bridge) fill(batch []helpdesk.Event) []helpdesk.Event {
	for len(batch) < maxAppendBatch {
		select {
		case ev := <-b.out:
			batch = append(batch, ev)
		default:
			return batch
		}
	}
	return batch
}

// appendRetrying appends batch, retrying with a growing pause while the
// database refuses; false when ctx ended first.
func (b *Bridge) appendRetrying(ctx context.Context, batch []helpdesk.Event) bool {
	pause, failing := appendPauseMin, false
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := b.append(actx, batch)
		cancel()
		if err == nil {
			if failing {
				b.log.Info("events: appending to the event log works again")
			}
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if !failing { // once per outage, not once per try
			b.log.Warn("events: appending to the event log failed; retrying", "events", len(batch), "error", err)
			failing = true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pause):
		}
		pause = min(2*pause, appendPauseMax)
	}
}

// flush appends what is left at shutdown: the batch in hand and the queue.
func (b *Bridge) flush(batch []helpdesk.Event) {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	for {
		batch = b.fill(batch)
		if len(batch) == 0 {
			return
		}
		if err := b.append(ctx, batch); err != nil {
			b.lost.Add(float64(len(batch) + len(b.out)))
			b.log.Warn("events: events not appended at shutdown", "events", len(batch)+len(b.out), "error", err)
			return
		}
		batch = batch[:0]
	}
}

// append inserts batch under the append lock and wakes the readers, in one
// transaction sent in one round trip (the lock is held only while the
// server runs it).
func (b *Bridge) append(ctx context.Context, batch []helpdesk.Event) error {
	types := make([]string, len(batch))
	tickets := make([]int64, len(batch))
	messages := make([]int64, len(batch))
	groups := make([]*int64, len(batch))
	for i, ev := range batch {
		types[i], tickets[i], messages[i], groups[i] = ev.Type, ev.TicketID, ev.MessageID, ev.GroupID
	}
	q := &pgx.Batch{}
	q.Queue("BEGIN")
	q.Queue(appendLock)
	q.Queue(appendSQL, types, tickets, messages, groups, b.now().UnixMilli())
	q.Queue(wakeSQL)
	q.Queue("COMMIT")
	if err := b.pool.SendBatch(ctx, q).Close(); err != nil {
		return err
	}
	b.sent.Add(float64(len(batch)))
	return nil
}
