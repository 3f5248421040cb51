package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// TestCleanupDeletesOrphanedPendingStatuses parks statuses of several ages
// and runs the cleanup once: only those past PendingStatusRetention go.
func TestCleanupDeletesOrphanedPendingStatuses(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		w := db.Writer()
		var channelID int64
		err := w.QueryRowContext(ctx, `INSERT INTO channels (name, waba_id, phone_number_id, webhook_id, verify_token,
			access_token_enc, app_secret_enc, created_at, updated_at) VALUES ('c', 'w', 'p', 'hook', 'v', 'a', 's', $1, $1)
			RETURNING id`, now.UnixMilli()).Scan(&channelID)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			wamid string
			age   time.Duration
			kept  bool
		}{
			{"wamid.fresh", time.Minute, true},
			{"wamid.week", 7 * 24 * time.Hour, true},
			{"wamid.just-inside", PendingStatusRetention - time.Minute, true},
			{"wamid.just-past", PendingStatusRetention + time.Minute, false},
			{"wamid.ancient", 400 * 24 * time.Hour, false},
		}
		for _, c := range cases {
			_, err := w.ExecContext(ctx, `INSERT INTO pending_statuses (channel_id, wa_message_id, status, payload, created_at)
				VALUES ($1, $2, 'delivered', '{}', $3)`, channelID, c.wamid, now.Add(-c.age).UnixMilli())
			if err != nil {
				t.Fatal(err)
			}
		}
		cw := &CleanupWorker{DB: w, Now: func() time.Time { return now }}
		if err := cw.Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			var n int
			if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM pending_statuses WHERE wa_message_id = $1`, c.wamid).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if kept := n == 1; kept != c.kept {
				t.Errorf("%s (%v old): kept = %v, want %v", c.wamid, c.age, kept, c.kept)
			}
		}
	})
}

// TestCleanupPrunesTheEventLog: events past EventLogRetention go, oldest
// ids first — none after a row that stays, even one stamped earlier (a
// clock step back), so a stream resuming after a kept id misses nothing.
func TestCleanupPrunesTheEventLog(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		w := db.Writer()
		ages := []time.Duration{time.Hour, EventLogRetention + time.Minute, time.Minute, EventLogRetention + 2*time.Minute, time.Second}
		for i, age := range ages {
			if _, err := w.ExecContext(ctx, `INSERT INTO event_log (type, ticket_id, created_at) VALUES ('ticket.updated', $1, $2)`,
				i+1, now.Add(-age).UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}
		if err := (&CleanupWorker{DB: w, Now: func() time.Time { return now }}).Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		var kept []int64
		rows, err := w.QueryContext(ctx, `SELECT ticket_id FROM event_log ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			kept = append(kept, id)
		}
		if fmt.Sprint(kept) != "[5]" { // up to the newest expired row (4), the fresh one before it too
			t.Errorf("kept %v, want [5]", kept)
		}
	})
}
