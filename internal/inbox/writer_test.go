package inbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/helpdesk"
	"wadesk/internal/inbox"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// countingStore is the real store; it only counts transactions so tests can
// see that rows shared them.
type countingStore struct {
	*store.DB
	txs atomic.Int64
}

func (c *countingStore) WithTx(ctx context.Context, fn func(tx helpdesk.Tx) error) error {
	c.txs.Add(1)
	return c.DB.WithTx(ctx, fn)
}

// start runs w until the test ends (or stop is called) and returns stop,
// which waits for Run to return.
func start(t *testing.T, w *inbox.Writer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("writer did not stop within 10 s")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// bodies returns every stored body with its state, by body text.
func bodies(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	rows, err := db.InboxDB().QueryContext(context.Background(), "SELECT body, state FROM webhook_inbox")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var body []byte
		var state string
		if err := rows.Scan(&body, &state); err != nil {
			t.Fatal(err)
		}
		out[string(body)] = append(out[string(body)], state)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func item(body string) helpdesk.InboxItem {
	return helpdesk.InboxItem{ReceivedAt: time.Now(), Body: []byte(body)}
}

func TestConcurrentAppendsAreStoredOnceAndShareTransactions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		st := &countingStore{DB: db}
		w := inbox.New(st, inbox.Options{MaxBatch: 64})
		start(t, w)
		const n = 400
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				body := fmt.Sprintf(`{"n":%d}`, i)
				if err := w.Append(context.Background(), item(body)); err != nil {
					errs <- err
					return
				}
				// Acknowledged means committed: a new read sees the row.
				var count int
				if err := db.InboxDB().QueryRow("SELECT COUNT(*) FROM webhook_inbox WHERE body = $1", []byte(body)).Scan(&count); err != nil || count != 1 {
					errs <- fmt.Errorf("body %s: %d rows after ack (%v)", body, count, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		got := bodies(t, db)
		if len(got) != n {
			t.Fatalf("%d distinct bodies stored, want %d", len(got), n)
		}
		for b, states := range got {
			if len(states) != 1 || states[0] != helpdesk.InboxPending {
				t.Errorf("body %s stored as %v, want once as pending", b, states)
			}
		}
		if txs := st.txs.Load(); txs >= n {
			t.Errorf("%d transactions for %d rows: no group commit", txs, n)
		}
	})
}

func TestRowsKeepTheirStateAndError(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := inbox.New(db, inbox.Options{})
		start(t, w)
		cases := []struct {
			name, body, state, error string
		}{
			{"pending by default", `{"a":1}`, "", ""},
			{"failed with its reason", `{not json`, helpdesk.InboxFailed, "malformed JSON"},
			{"ignored", `{"b":2}`, helpdesk.InboxIgnored, "channel disabled"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				it := item(c.body)
				it.State, it.Error = c.state, c.error
				if err := w.Append(context.Background(), it); err != nil {
					t.Fatal(err)
				}
				var state, reason string
				var body []byte
				if err := db.InboxDB().QueryRow("SELECT state, error, body FROM webhook_inbox WHERE body = $1", []byte(c.body)).Scan(&state, &reason, &body); err != nil {
					t.Fatal(err)
				}
				want := c.state
				if want == "" {
					want = helpdesk.InboxPending
				}
				if state != want || reason != c.error || !bytes.Equal(body, []byte(c.body)) {
					t.Errorf("stored (%q, %q, %q), want (%q, %q, %q)", state, reason, body, want, c.error, c.body)
				}
			})
		}
	})
}

func TestShutdownCommitsWhatWasAcceptedThenRefuses(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := inbox.New(db, inbox.Options{})
		// Queue rows before Run starts, so they are surely waiting when the
		// writer is told to stop at once.
		const n = 50
		results := make(chan error, n)
		for i := range n {
			go func() { results <- w.Append(context.Background(), item(fmt.Sprintf(`{"q":%d}`, i))) }()
		}
		deadline := time.Now().Add(5 * time.Second)
		for queued(t, w) < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %v rows queued", queued(t, w))
			}
			time.Sleep(time.Millisecond)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		w.Run(ctx) // returns after the drain
		for range n {
			select {
			case err := <-results:
				if err != nil {
					t.Errorf("accepted row not stored: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("an Append was not answered after the drain")
			}
		}
		if got := len(bodies(t, db)); got != n {
			t.Errorf("%d rows stored, want %d", got, n)
		}
		if err := w.Append(context.Background(), item(`{}`)); !errors.Is(err, inbox.ErrClosed) {
			t.Errorf("Append after shutdown = %v, want ErrClosed", err)
		}
	})
}

func queued(t *testing.T, w *inbox.Writer) int {
	t.Helper()
	return w.Len()
}

func TestFullQueueFailsFast(t *testing.T) {
	db := storetest.OpenSQLite(t)
	w := inbox.New(db, inbox.Options{QueueSize: 1}) // not running: nothing drains
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	first := make(chan error, 1)
	go func() { first <- w.Append(ctx, item(`{"first":1}`)) }()
	for w.Len() < 1 {
		time.Sleep(time.Millisecond)
	}
	if err := w.Append(context.Background(), item(`{"second":1}`)); !errors.Is(err, inbox.ErrFull) {
		t.Errorf("second Append = %v, want ErrFull", err)
	}
	if err := <-first; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("first Append = %v, want its context's deadline", err)
	}
}

func TestDatabaseErrorReachesEveryWaiter(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := inbox.New(db, inbox.Options{CommitTimeout: 5 * time.Second})
		start(t, w)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var failed atomic.Int64
		for i := range 20 {
			wg.Go(func() {
				if err := w.Append(context.Background(), item(fmt.Sprintf(`{"x":%d}`, i))); err != nil {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		if failed.Load() != 20 {
			t.Errorf("%d of 20 Appends failed on a closed database, want all", failed.Load())
		}
	})
}

func TestSubscribersAreWokenAfterCommitsWithPendingRows(t *testing.T) {
	db := storetest.OpenSQLite(t)
	w := inbox.New(db, inbox.Options{})
	wake := w.Subscribe()
	start(t, w)
	cases := []struct {
		name  string
		state string
		wake  bool
	}{
		{"failed row only: nothing to process", helpdesk.InboxFailed, false},
		{"pending row", helpdesk.InboxPending, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			it := item(fmt.Sprintf(`{"s":%d}`, i))
			it.State = c.state
			if err := w.Append(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			select {
			case <-wake:
				if !c.wake {
					t.Error("woken without a pending row")
				}
			case <-time.After(100 * time.Millisecond):
				if c.wake {
					t.Error("not woken after a pending row committed")
				}
			}
		})
	}
}

func TestLastWebhookAtIsThrottledPerChannel(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.UnixMilli(1_700_000_000_000).UTC()
		var clock atomic.Int64
		clock.Store(now.UnixMilli())
		ch := &helpdesk.Channel{Name: "c", WABAID: "1", PhoneNumberID: "2", WebhookID: "w", VerifyToken: "v",
			AccessTokenEnc: "x", AppSecretEnc: "y", Active: true, Status: helpdesk.ChannelActive, CreatedAt: now, UpdatedAt: now}
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, ch) }); err != nil {
			t.Fatal(err)
		}
		w := inbox.New(db, inbox.Options{TouchEvery: time.Second, Now: func() time.Time { return time.UnixMilli(clock.Load()) }})
		start(t, w)
		steps := []struct {
			name    string
			advance time.Duration
			want    time.Time
		}{
			{"first delivery sets it", 0, now},
			{"within a second: not written again", 500 * time.Millisecond, now},
			{"after a second: moved forward", 600 * time.Millisecond, now.Add(1100 * time.Millisecond)},
		}
		for i, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				clock.Add(s.advance.Milliseconds())
				it := helpdesk.InboxItem{ChannelID: &ch.ID, ReceivedAt: time.UnixMilli(clock.Load()), Body: fmt.Appendf(nil, `{"t":%d}`, i)}
				if err := w.Append(ctx, it); err != nil {
					t.Fatal(err)
				}
				// The channel is touched beside the ack (it is in the main
				// database): wait for it, then check that nothing moves it on.
				var got *time.Time
				read := func() {
					c, err := db.ChannelByID(ctx, ch.ID)
					if err != nil {
						t.Fatal(err)
					}
					got = c.LastWebhookAt
				}
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
					if read(); got != nil && got.Equal(s.want) {
						break
					}
				}
				time.Sleep(50 * time.Millisecond)
				if read(); got == nil || !got.Equal(s.want) {
					t.Errorf("last_webhook_at = %v, want %v", got, s.want)
				}
			})
		}
	})
}

func TestPostgresNotifiesOtherInstances(t *testing.T) {
	url := storetest.PostgresURL(t)
	db := storetest.OpenPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN wadesk_inbox"); err != nil {
		t.Fatal(err)
	}
	w := inbox.New(db, inbox.Options{})
	start(t, w)
	if err := w.Append(ctx, item(`{"notify":1}`)); err != nil {
		t.Fatal(err)
	}
	n, err := conn.WaitForNotification(ctx)
	if err != nil {
		t.Fatalf("no notification after a commit: %v", err)
	}
	if n.Channel != "wadesk_inbox" {
		t.Errorf("notified on %q", n.Channel)
	}
}
