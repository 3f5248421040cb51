package jobs

import (
	"context"
	"testing"
	"time"

	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// Processed deliveries go after InboxRetention, wherever the inbox lives
// (on SQLite its own file); pending and failed ones stay.
func TestCleanupPrunesTheWebhookInbox(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		cases := []struct {
			body  string
			state string
			age   time.Duration
			kept  bool
		}{
			{"done-fresh", "done", time.Hour, true},
			{"done-old", "done", InboxRetention + time.Hour, false},
			{"ignored-old", "ignored", InboxRetention + time.Hour, false},
			{"failed-old", "failed", InboxRetention + time.Hour, true},
			{"pending-old", "pending", InboxRetention + time.Hour, true},
		}
		for _, c := range cases {
			at := now.Add(-c.age).UnixMilli()
			if _, err := db.InboxDB().ExecContext(ctx, `INSERT INTO webhook_inbox (received_at, body, state, processed_at)
				VALUES ($1, $2, $3, $4)`, at, []byte(c.body), c.state, at); err != nil {
				t.Fatal(err)
			}
		}
		cw := &CleanupWorker{DB: db.Writer(), Inbox: db.InboxDB(), Now: func() time.Time { return now }}
		if err := cw.Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			var n int
			if err := db.InboxDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_inbox WHERE body = $1`, []byte(c.body)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if kept := n == 1; kept != c.kept {
				t.Errorf("%s: kept = %v, want %v", c.body, kept, c.kept)
			}
		}
	})
}
