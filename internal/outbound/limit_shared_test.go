package outbound

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // one pool per simulated instance
	"golang.org/x/time/rate"

	"wadesk/internal/cluster"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// TestSharedLimitsHoldTheCapAcrossProcesses runs three "instances" (each
// its own limiter and database pool, as separate processes would) with
// many workers sending to one number, and replays the send times through a
// bucket like Meta's (capacity one second of throughput): none may be
// refused, and together they reach the cap.
func TestSharedLimitsHoldTheCapAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		perSecond int
		instances int
		workers   int
		run       time.Duration
	}{
		{"three instances at the default cap", 80, 3, 20, 2 * time.Second},
		{"three instances at a high cap", 500, 3, 40, 2 * time.Second},
		{"one instance, few workers", 80, 1, 4, time.Second},
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
			var ch int64
			if err := db.Writer().QueryRow(`INSERT INTO channels (name, waba_id, phone_number_id, webhook_id, verify_token,
				access_token_enc, app_secret_enc, created_at, updated_at) VALUES ('c', 'w', 'p', 'hook', 'v', 'a', 's', 0, 0)
				RETURNING id`).Scan(&ch); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var sends []time.Time
			var wg sync.WaitGroup
			start := time.Now()
			for range c.instances {
				pool, err := sql.Open("pgx", url)
				if err != nil {
					t.Fatal(err)
				}
				defer pool.Close()
				l := newLimits(time.Second, 1)
				l.shared = &sharedLimits{budget: cluster.NewBudget(pool), nums: map[int64]*sharedNumber{}}
				for range c.workers {
					wg.Go(func() {
						for time.Since(start) < c.run {
							if err := l.waitNumber(ctx, ch, c.perSecond); err != nil {
								t.Error(err)
								return
							}
							mu.Lock()
							sends = append(sends, time.Now())
							mu.Unlock()
						}
					})
				}
			}
			wg.Wait()
			slices.SortFunc(sends, func(a, b time.Time) int { return a.Compare(b) })
			meta := rate.NewLimiter(rate.Limit(c.perSecond), c.perSecond)
			refused := 0
			for _, at := range sends {
				if !meta.AllowN(at, 1) {
					refused++
				}
			}
			elapsed := sends[len(sends)-1].Sub(start).Seconds()
			t.Logf("%d sends in %.2fs at cap %d/s: %.1f/s, %d refused by a Meta-like bucket", len(sends), elapsed,
				c.perSecond, float64(len(sends))/elapsed, refused)
			if refused != 0 {
				t.Errorf("a bucket like Meta's refused %d of %d sends", refused, len(sends))
			}
			if got := float64(len(sends)) / elapsed; got < 0.9*float64(c.perSecond) {
				t.Errorf("%.1f sends/s, want at least 90%% of the cap %d", got, c.perSecond)
			}
		})
	}
}
