package events

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store/storetest"
)

// follower is a Follower that remembers what it was handed.
type follower struct {
	mu   sync.Mutex
	head uint64
	got  []Logged
}

func (f *follower) Follow(head uint64, _ Archive) { f.head = head }

func (f *follower) Append(id uint64, ev helpdesk.Event) {
	f.mu.Lock()
	f.got = append(f.got, Logged{ID: id, Event: ev})
	f.mu.Unlock()
}

func (f *follower) events() []Logged {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// instance is one bridge on a migrated schema, running until the test
// ends (or stop is called).
type instance struct {
	b    *Bridge
	f    *follower
	pool *pgxpool.Pool
	stop func()
}

// logURL is a new migrated PostgreSQL schema.
func logURL(t testing.TB) string {
	return storetest.OpenPostgres(t).PgxPool().Config().ConnString()
}

func startBridge(t testing.TB, url string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	f := &follower{}
	b, err := NewBridge(ctx, BridgeOptions{Pool: pool, Hub: f})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); b.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(func() { stop(); pool.Close() })
	return &instance{b: b, f: f, pool: pool, stop: stop}
}

// await waits until in has been handed n events and returns them.
func (in *instance) await(t *testing.T, n int) []Logged {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if got := in.f.events(); len(got) >= n {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d of %d events arrived", len(in.f.events()), n)
	return nil
}

// killListener terminates in's listener connection, as a database restart
// or a network cut would.
func killListener(t *testing.T, in *instance) {
	t.Helper()
	var killed int
	err := in.pool.QueryRow(context.Background(), `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, "wadesk events "+in.b.Origin()).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d listener connections (%v), want 1", killed, err)
	}
}

// inOrder checks that ids grow and every instance saw the same sequence.
func inOrder(t *testing.T, seqs ...[]Logged) {
	t.Helper()
	for i, s := range seqs {
		for j := 1; j < len(s); j++ {
			if s[j].ID <= s[j-1].ID {
				t.Fatalf("sequence %d: id %d after %d", i, s[j].ID, s[j-1].ID)
			}
		}
		if i > 0 && !slices.EqualFunc(s, seqs[0], func(a, b Logged) bool {
			return a.ID == b.ID && a.Type == b.Type && a.TicketID == b.TicketID && a.MessageID == b.MessageID
		}) {
			t.Fatalf("instances saw different sequences:\n%v\n%v", seqs[0], s)
		}
	}
}

func TestBridge(t *testing.T) {
	group := int64(42)
	cases := []struct {
		name string
		run  func(t *testing.T, url string)
	}{
		{"every instance gets every event, its own too, with its fields, in one order", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			a.b.Publish(helpdesk.Event{Type: helpdesk.EventMessageCreated, TicketID: 7, MessageID: 70, GroupID: &group})
			a.await(t, 1)
			b.b.Publish(helpdesk.Event{Type: helpdesk.EventTicketUpdated, TicketID: 8})
			got := a.await(t, 2)
			inOrder(t, got, b.await(t, 2))
			if ev := got[0]; ev.GroupID == nil || *ev.GroupID != group || ev.TicketID != 7 || ev.MessageID != 70 ||
				ev.Type != helpdesk.EventMessageCreated || got[1].GroupID != nil || got[1].TicketID != 8 {
				t.Errorf("received %+v", got)
			}
		}},
		{"nothing is lost while a listener reconnects", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			a.b.Publish(ticket(1, nil))
			b.await(t, 1)
			killListener(t, b)
			const n = 300
			for i := range n { // while b is away (it waits 100 ms before reconnecting) and after
				a.b.Publish(ticket(int64(i+2), &group))
				if i%50 == 0 {
					time.Sleep(20 * time.Millisecond)
				}
			}
			inOrder(t, b.await(t, n+1), a.await(t, n+1))
			if lost := testutil.ToFloat64(a.b.lost) + testutil.ToFloat64(b.b.lost); lost != 0 {
				t.Errorf("lost = %v", lost)
			}
		}},
		{"an append waits for an older one still uncommitted, so no id is skipped", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			// A slow inserter: it took its id and has not committed yet.
			ctx := context.Background()
			slow, err := a.pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer slow.Rollback(ctx)
			if _, err := slow.Exec(ctx, appendLock); err != nil {
				t.Fatal(err)
			}
			if _, err := slow.Exec(ctx, appendSQL, []string{helpdesk.EventTicketCreated}, []int64{1}, []int64{0},
				[]*int64{nil}, time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}
			b.b.Publish(ticket(2, nil)) // a later id must not become visible first
			time.Sleep(300 * time.Millisecond)
			if got := a.f.events(); len(got) != 0 {
				t.Fatalf("read %v while an older append was uncommitted", got)
			}
			if err := slow.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			got := a.await(t, 2)
			inOrder(t, got, b.await(t, 2))
			if got[0].TicketID != 1 || got[1].TicketID != 2 {
				t.Errorf("order %v, want the slow append's first", got)
			}
		}},
		{"an append the database refuses is retried, not lost", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			ctx := context.Background()
			if _, err := a.pool.Exec(ctx, `ALTER TABLE event_log RENAME TO event_log_away`); err != nil {
				t.Fatal(err)
			}
			a.b.Publish(ticket(1, nil))
			time.Sleep(300 * time.Millisecond) // a few failed tries
			if _, err := a.pool.Exec(ctx, `ALTER TABLE event_log_away RENAME TO event_log`); err != nil {
				t.Fatal(err)
			}
			b.await(t, 1)
			if lost := testutil.ToFloat64(a.b.lost); lost != 0 {
				t.Errorf("lost = %v", lost)
			}
		}},
		{"events queued at shutdown are appended", func(t *testing.T, url string) {
			a := startBridge(t, url)
			for i := range 50 {
				a.b.Publish(ticket(int64(i+1), nil))
			}
			a.stop()
			b := startBridge(t, url)
			var n int
			if err := b.pool.QueryRow(context.Background(), `SELECT COUNT(*) FROM event_log`).Scan(&n); err != nil || n != 50 {
				t.Fatalf("%d events in the log (%v), want 50", n, err)
			}
			a.b.Publish(ticket(99, nil)) // after Run returned
			if lost := testutil.ToFloat64(a.b.lost); lost != 1 {
				t.Errorf("lost = %v, want 1 (the event published after shutdown)", lost)
			}
			if b.f.head != 50 {
				t.Errorf("a new instance follows from %d, want 50", b.f.head)
			}
		}},
		{"another schema's events are not read; unknown rows are skipped", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			other := startBridge(t, logURL(t))
			other.b.Publish(ticket(666, nil))
			other.await(t, 1)
			if _, err := a.pool.Exec(context.Background(), `INSERT INTO event_log (type, ticket_id, created_at)
				VALUES ('user.deleted', 9, 0), ('ticket.updated', 0, 0)`); err != nil {
				t.Fatal(err)
			}
			a.b.Publish(ticket(3, nil))
			for _, in := range []*instance{a, b} {
				if got := in.await(t, 1); len(got) != 1 || got[0].TicketID != 3 {
					t.Errorf("received %v, want only ticket 3", got)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, logURL(t))
		})
	}
}

// TestBridgeArchive: a stream resuming beyond the ring reads the log, or
// is told to reload once the cleanup pruned what it missed.
func TestBridgeArchive(t *testing.T) {
	url := logURL(t)
	a := startBridge(t, url)
	for i := range 5 {
		a.b.Publish(ticket(int64(i+1), nil))
	}
	ids := a.await(t, 5)
	got, err := a.b.After(context.Background(), ids[1].ID, 2)
	if err != nil || len(got) != 2 || got[0].ID != ids[2].ID || got[1].ID != ids[3].ID {
		t.Fatalf("After(%d, 2) = %v, %v; want ids %d, %d", ids[1].ID, got, err, ids[2].ID, ids[3].ID)
	}
	// The cleanup deletes the oldest ids first (jobs.CleanupWorker).
	if _, err := a.pool.Exec(context.Background(), `DELETE FROM event_log WHERE id <= $1`, int64(ids[2].ID)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		after uint64
		err   error
		n     int
	}{{ids[1].ID, ErrTooOld, 0}, {ids[2].ID, ErrTooOld, 0}, {ids[3].ID, nil, 1}, {0, ErrTooOld, 0}} {
		got, err := a.b.After(context.Background(), c.after, 100)
		if err != c.err || len(got) != c.n {
			t.Errorf("After(%d) after pruning = %v, %v; want %d events, %v", c.after, got, err, c.n, c.err)
		}
	}
}

// BenchmarkBridgeThroughput: events published on one instance until
// another has read them all (batched appends).
func BenchmarkBridgeThroughput(b *testing.B) {
	url := logURL(b)
	from, to := startBridge(b, url), startBridge(b, url)
	b.ResetTimer()
	for i := range b.N {
		from.b.Publish(ticket(int64(i+1), nil))
		if i%4096 == 4095 { // within the queue
			for len(to.f.events()) < i-8192 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	for len(to.f.events()) < b.N {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkBridgeLatency: one event at a time, from Publish on one
// instance to its hub on another.
func BenchmarkBridgeLatency(b *testing.B) {
	url := logURL(b)
	from, to := startBridge(b, url), startBridge(b, url)
	b.ResetTimer()
	for i := range b.N {
		from.b.Publish(ticket(int64(i+1), nil))
		for len(to.f.events()) <= i {
			time.Sleep(50 * time.Microsecond)
		}
	}
}
