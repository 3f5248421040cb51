package cluster

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // a second pool per simulated instance

	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// newChannel inserts the channel a bucket belongs to.
func newChannel(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var id int64
	err := db.QueryRow(`INSERT INTO channels (name, waba_id, phone_number_id, webhook_id, verify_token,
		access_token_enc, app_secret_enc, created_at, updated_at) VALUES ('c', 'w', 'p', 'hook', 'v', 'a', 's', 0, 0)
		RETURNING id`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestBudget(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, db *store.DB, url string, ch int64)
	}{
		{"a new bucket grants its burst at once, then says when the next token is due", func(t *testing.T, db *store.DB, _ string, ch int64) {
			b := NewBudget(db.Writer())
			got, _, err := b.Take(ctx, ch, 80, 8, 100)
			if err != nil || got != 8 {
				t.Fatalf("first take = %d, %v; want the burst of 8", got, err)
			}
			got, next, err := b.Take(ctx, ch, 80, 8, 100)
			if err != nil || got != 0 || next <= 0 || next > time.Second/80 {
				t.Fatalf("second take = %d, next %v, %v; want 0 and a wait of at most 1/80 s", got, next, err)
			}
		}},
		{"an emptied bucket refills at its rate", func(t *testing.T, db *store.DB, _ string, ch int64) {
			b := NewBudget(db.Writer())
			b.Take(ctx, ch, 100, 50, 50)
			time.Sleep(200 * time.Millisecond)
			got, _, err := b.Take(ctx, ch, 100, 50, 50)
			if err != nil || got < 18 || got > 25 {
				t.Fatalf("after 200 ms at 100/s: %d tokens (%v), want about 20", got, err)
			}
		}},
		{"a lease never takes more than asked", func(t *testing.T, db *store.DB, _ string, ch int64) {
			got, next, err := NewBudget(db.Writer()).Take(ctx, ch, 80, 8, 3)
			if err != nil || got != 3 || next != 0 {
				t.Fatalf("take 3 of a full bucket = %d, next %v, %v", got, next, err)
			}
		}},
		{"three instances together stay within burst plus rate", func(t *testing.T, _ *store.DB, url string, ch int64) {
			const rate, burst, run = 200, 20, 1500 * time.Millisecond
			var granted atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for range 3 {
				pool, err := sql.Open("pgx", url)
				if err != nil {
					t.Fatal(err)
				}
				defer pool.Close()
				b := NewBudget(pool)
				for range 8 {
					wg.Go(func() {
						for time.Since(start) < run {
							got, next, err := b.Take(ctx, ch, rate, burst, 3)
							if err != nil {
								t.Error(err)
								return
							}
							granted.Add(int64(got))
							if got == 0 {
								time.Sleep(max(next, time.Millisecond))
							}
						}
					})
				}
			}
			wg.Wait()
			elapsed := time.Since(start).Seconds()
			limit := burst + rate*elapsed
			t.Logf("granted %d in %.2fs (limit %.0f)", granted.Load(), elapsed, limit)
			if g := float64(granted.Load()); g > limit || g < 0.9*rate*run.Seconds() {
				t.Fatalf("granted %.0f tokens in %.2fs; want at most %.0f and at least 90%% of %d/s", g, elapsed, limit, rate)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := storetest.PostgresURL(t)
			db, err := store.Open(ctx, store.Config{DatabaseURL: url, DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			c.run(t, db, url, newChannel(t, db.Writer()))
		})
	}
}
