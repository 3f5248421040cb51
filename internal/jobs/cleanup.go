package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
)

// CleanupArgs is the periodic housekeeping job: it removes expired browser
// sessions, webhook deliveries that were processed long ago and statuses
// parked for messages that never showed up.
type CleanupArgs struct{}

// Kind implements river.JobArgs.
func (CleanupArgs) Kind() string { return "cleanup" }

// InsertOpts puts housekeeping on the bulk queue, once per period.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueBulk, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// InboxRetention is how long processed webhook deliveries are kept for
// inspection. Meta retries a delivery for up to 7 days; keeping twice that
// lets an operator look at what arrived during an incident.
const InboxRetention = 14 * 24 * time.Hour

// PendingStatusRetention is how long a status webhook whose message is not
// (yet) known stays parked. Statuses of messages another system sent from
// the same number never find their message; Meta stops sending statuses
// for a message well within 30 days, so older rows can only be such orphans.
const PendingStatusRetention = 30 * 24 * time.Hour

// EventLogRetention is how long the PostgreSQL event log keeps events for
// browsers resuming their live stream (Last-Event-ID); a browser away
// longer reloads instead. The cleanup runs hourly, so rows live up to an
// hour more.
const EventLogRetention = 15 * time.Minute

// CleanupWorker runs CleanupArgs.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	DB *sql.DB // the store's writer
	// Inbox holds webhook_inbox (store.DB.InboxDB: on SQLite a file of its
	// own); DB when nil.
	Inbox *sql.DB
	Now   func() time.Time
	// Optimize refreshes planner statistics (store.DB.Optimize); optional.
	Optimize func(context.Context) error
}

// Work deletes what is past its time. The queries run unchanged on SQLite
// and PostgreSQL (times are Unix milliseconds).
func (w *CleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	now := w.Now().UnixMilli()
	if _, err := w.DB.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now); err != nil {
		return fmt.Errorf("cleanup: sessions: %w", err)
	}
	cutoff := now - InboxRetention.Milliseconds()
	inbox := w.Inbox
	if inbox == nil {
		inbox = w.DB
	}
	if _, err := inbox.ExecContext(ctx,
		`DELETE FROM webhook_inbox WHERE state IN ('done', 'ignored') AND processed_at < $1`, cutoff); err != nil {
		return fmt.Errorf("cleanup: webhook inbox: %w", err)
	}
	if _, err := w.DB.ExecContext(ctx, `DELETE FROM pending_statuses WHERE created_at < $1`,
		now-PendingStatusRetention.Milliseconds()); err != nil {
		return fmt.Errorf("cleanup: pending statuses: %w", err)
	}
	// A key older than its TTL no longer replays (the claim replaces it).
	if _, err := w.DB.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`,
		now-helpdesk.IdempotencyKeyTTL.Milliseconds()); err != nil {
		return fmt.Errorf("cleanup: idempotency keys: %w", err)
	}
	// The oldest ids first, never a row after one that stays: a stream
	// resuming after a kept id finds every later one (events.Bridge.After).
	if _, err := w.DB.ExecContext(ctx, `DELETE FROM event_log WHERE id <= (SELECT MAX(id) FROM event_log WHERE created_at < $1)`,
		now-EventLogRetention.Milliseconds()); err != nil {
		return fmt.Errorf("cleanup: event log: %w", err)
	}
	if w.Optimize != nil {
		if err := w.Optimize(ctx); err != nil {
			return fmt.Errorf("cleanup: %w", err)
		}
	}
	return nil
}

// CleanupPeriodic schedules the cleanup hourly, and once at start.
func CleanupPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
