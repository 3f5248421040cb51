package jobs

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// TestCleanupJobRunsOnBothDatabases inserts the cleanup job in a store
// transaction (the way every job is enqueued) and waits for a started
// Runner to delete the expired session and keep the live one.
func TestCleanupJobRunsOnBothDatabases(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := Migrate(ctx, db); err != nil {
			t.Fatalf("second migrate must be a no-op: %v", err)
		}
		now := time.Now()
		svc := storetest.NewService(t, db, func() time.Time { return now })
		u, err := svc.CreateUser(ctx, helpdesk.NewUser{Email: "a@example.com", Name: "A", Role: helpdesk.RoleAgent, Password: "password1"})
		if err != nil {
			t.Fatal(err)
		}
		for i, exp := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
			_, err := db.Writer().ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
				VALUES ($1, $2, 'c', $3, $4, $3)`, []string{"expired", "live"}[i], u.ID, now.UnixMilli(), exp.UnixMilli())
			if err != nil {
				t.Fatal(err)
			}
		}

		workers := river.NewWorkers()
		river.AddWorker(workers, &CleanupWorker{DB: db.Writer(), Now: func() time.Time { return now }})
		reg := prometheus.NewRegistry()
		r, err := New(db, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: reg, Workers: workers,
			PollInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Init(); err != nil {
			t.Fatal(err)
		}
		err = db.WithTx(ctx, func(tx helpdesk.Tx) error {
			return r.EnqueueTx(ctx, tx, CleanupArgs{})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := r.Stop(stopCtx); err != nil {
				t.Error(err)
			}
		}()

		deadline := time.Now().Add(15 * time.Second)
		for {
			var n int
			if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cleanup did not run: %d sessions left", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		var left string
		db.Writer().QueryRowContext(ctx, `SELECT token_hash FROM sessions`).Scan(&left)
		if left != "live" {
			t.Fatalf("the live session was deleted; %q left", left)
		}
		// The completion event reaches the metrics asynchronously.
		for time.Now().Before(deadline) && testutil.ToFloat64(r.metrics.finished.WithLabelValues("cleanup", QueueBulk, "completed")) < 1 {
			time.Sleep(20 * time.Millisecond)
		}
		if got := testutil.ToFloat64(r.metrics.finished.WithLabelValues("cleanup", QueueBulk, "completed")); got < 1 {
			t.Errorf("wadesk_jobs_total{cleanup,completed} = %v", got)
		}
	})
}
