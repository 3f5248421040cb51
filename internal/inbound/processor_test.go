package inbound

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/jobs"
	"wadesk/internal/secret"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// harness is a migrated database with a channel, River (for the jobs the
// processor enqueues; never started) and a sealed app secret.
type harness struct {
	db      *store.DB
	svc     *helpdesk.Service
	jobs    *jobs.Runner
	box     *secret.Box
	channel *helpdesk.Channel
}

// noop satisfies River's insert-time check that a job kind has a worker;
// the runner is never started, so it never runs.
func noop[T river.JobArgs]() river.Worker[T] {
	return river.WorkFunc(func(context.Context, *river.Job[T]) error { return nil })
}

func newHarness(t *testing.T, db *store.DB) *harness {
	t.Helper()
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	h := &harness{db: db, svc: storetest.NewService(t, db, nil)}
	var err error
	if h.jobs, err = jobs.New(db, jobs.Options{Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	w := h.jobs.Workers()
	river.AddWorker(w, noop[helpdesk.MediaDownloadJob]())
	river.AddWorker(w, noop[helpdesk.WelcomeJob]())
	river.AddWorker(w, noop[helpdesk.ReminderJob]())
	river.AddWorker(w, noop[helpdesk.ApologyJob]())
	if err := h.jobs.Init(); err != nil {
		t.Fatal(err)
	}
	if h.box, err = secret.NewBox([]byte(strings.Repeat("k", 32))); err != nil {
		t.Fatal(err)
	}
	tok, _ := h.box.Seal("token", adAccessToken)
	sec, _ := h.box.Seal("app-secret", adAppSecret)
	now := time.Now()
	h.channel = &helpdesk.Channel{Name: "Main", WABAID: "waba", PhoneNumberID: "pn1", WebhookID: "wh1", VerifyToken: "vt",
		AccessTokenEnc: tok, AppSecretEnc: sec, Active: true, Status: helpdesk.ChannelActive,
		Reminder: helpdesk.Reminder{Enabled: true, AfterSeconds: 72000}, RateLimit: 80, CreatedAt: now, UpdatedAt: now}
	if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, h.channel) }); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) processor(t *testing.T, batch, maxAttempts int) *Processor {
	t.Helper()
	p, err := New(Options{Service: h.svc, Jobs: h.jobs, Secrets: h.box, BatchSize: batch, MaxAttempts: maxAttempts,
		Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// textMessage is one message object from customer c (wa_id 4900000000c).
func textMessage(c, seq int, text string) string {
	return fmt.Sprintf(`{"from":"49%09d","id":"wamid.T%d","timestamp":"%d","type":"text","text":{"body":%q}}`,
		c, seq, 1750000000+seq, text)
}

// envelope wraps message objects of the given customers in one envelope.
func envelope(phoneNumberID string, customers []int, msgs []string) []byte {
	var contacts []string
	for _, c := range customers {
		contacts = append(contacts, fmt.Sprintf(`{"profile":{"name":"Customer %d"},"wa_id":"49%09d"}`, c, c))
	}
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"waba","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":%q},"contacts":[%s],"messages":[%s]}}]}]}`,
		phoneNumberID, strings.Join(contacts, ","), strings.Join(msgs, ",")))
}

// insert stores raw deliveries as pending inbox rows of the channel.
func (h *harness) insert(t *testing.T, bodies ...[]byte) {
	t.Helper()
	ctx := context.Background()
	err := h.db.WithTx(ctx, func(tx helpdesk.Tx) error {
		for _, b := range bodies {
			if err := tx.InsertInbox(ctx, &helpdesk.InboxItem{ChannelID: &h.channel.ID, ReceivedAt: time.Now(), Body: b}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (h *harness) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	db := h.db.Writer()
	if strings.Contains(query, "webhook_inbox") {
		db = h.db.InboxDB()
	}
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// deliveries makes n deliveries of per messages each, spread over customers.
func deliveries(n, per, customers int) [][]byte {
	var out [][]byte
	seq := 0
	for range n {
		var msgs []string
		var cs []int
		for range per {
			c := seq % customers
			msgs = append(msgs, textMessage(c, seq, fmt.Sprintf("message %d", seq)))
			cs = append(cs, c)
			seq++
		}
		out = append(out, envelope("pn1", cs, msgs))
	}
	return out
}

func TestThousandMessageDeliveryIsProcessedInFull(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		h.insert(t, deliveries(1, 1000, 100)...)
		if _, err := h.processor(t, 100, 5).Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := h.count(t, "SELECT COUNT(*) FROM messages"); n != 1000 {
			t.Errorf("%d messages, want 1000", n)
		}
		if n := h.count(t, "SELECT COUNT(*) FROM tickets"); n != 100 {
			t.Errorf("%d tickets, want one per customer", n)
		}
		if n := h.count(t, "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'done'"); n != 1 {
			t.Errorf("%d deliveries done, want 1", n)
		}
		// One reminder per ticket: the batch collapses each ticket's messages.
		if n := h.count(t, "SELECT COUNT(*) FROM river_job WHERE kind = 'reminder'"); n != 100 {
			t.Errorf("%d reminder jobs, want 100", n)
		}
	})
}

func TestStoppedWorkerLosesAndDoublesNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		const n, per, customers = 200, 3, 25
		h.insert(t, deliveries(n, per, customers)...)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.processor(t, 8, 5).Run(ctx)
		}()
		deadline := time.Now().Add(20 * time.Second)
		for h.count(t, "SELECT COUNT(*) FROM messages") == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cancel() // most likely inside a batch's transaction
		<-done
		stoppedAt := h.count(t, "SELECT COUNT(*) FROM messages")
		if stoppedAt == n*per {
			t.Log("the worker finished before it was stopped; the restart below still checks idempotence")
		}
		if _, err := h.processor(t, 8, 5).Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			if got := h.count(t, "SELECT COUNT(*) FROM messages"); got != n*per {
				t.Errorf("%s: %d messages, want %d", when, got, n*per)
			}
			if got := h.count(t, "SELECT COUNT(DISTINCT wa_message_id) FROM messages"); got != n*per {
				t.Errorf("%s: %d distinct wamids", when, got)
			}
			if got := h.count(t, "SELECT COUNT(*) FROM tickets"); got != customers {
				t.Errorf("%s: %d tickets, want %d", when, got, customers)
			}
			if got := h.count(t, "SELECT SUM(unread_count) FROM tickets"); got != n*per {
				t.Errorf("%s: unread counts sum to %d", when, got)
			}
			if got := h.count(t, "SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'done'"); got != 0 {
				t.Errorf("%s: %d deliveries not done", when, got)
			}
		}
		check(fmt.Sprintf("after a stop at %d messages and a restart", stoppedAt))
		// Processing every stored delivery again (a crash between commit
		// and anything else) changes nothing.
		if _, err := db.InboxDB().Exec("UPDATE webhook_inbox SET state = 'pending'"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.processor(t, 50, 5).Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		check("after processing everything twice")
	})
}

func TestConcurrentProcessorsNeverSplitAConversation(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		const n, customers = 240, 6
		h.insert(t, deliveries(n, 1, customers)...)
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for range 3 {
			wg.Go(func() {
				_, err := h.processor(t, 4, 5).Drain(context.Background())
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if _, err := h.processor(t, 50, 5).Drain(context.Background()); err != nil { // retried leftovers
			t.Fatal(err)
		}
		if got := h.count(t, "SELECT COUNT(*) FROM tickets"); got != customers {
			t.Errorf("%d tickets, want one per customer", got)
		}
		if got := h.count(t, "SELECT COUNT(*) FROM customers"); got != customers {
			t.Errorf("%d customers, want %d", got, customers)
		}
		if got := h.count(t, "SELECT COUNT(*) FROM messages"); got != n {
			t.Errorf("%d messages, want %d", got, n)
		}
		if got := h.count(t, "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'done'"); got != n {
			t.Errorf("%d deliveries done, want %d", got, n)
		}
	})
}

// poison makes the database refuse messages whose text is "poison", like
// a bug or a constraint would.
func poison(t *testing.T, db *store.DB) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.text = 'poison'
		BEGIN SELECT RAISE(ABORT, 'poison message refused'); END`}
	if db.Dialect() == store.Postgres {
		stmts = []string{`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.text = 'poison' THEN RAISE EXCEPTION 'poison message refused'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poison()`}
	}
	for _, s := range stmts {
		if _, err := db.Writer().Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBadDeliveriesAreParkedWithoutBlockingOthers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		poison(t, db)
		good := func(seq int) []byte { return envelope("pn1", []int{1}, []string{textMessage(1, seq, "fine")}) }
		h.insert(t,
			good(1),
			[]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[`), // cut off
			good(2),
			[]byte(`[]`),
			envelope("pn1", []int{1}, []string{textMessage(1, 3, "poison")}),
			good(4),
			envelope("unknown-number", []int{1}, []string{textMessage(1, 5, "for nobody")}),
		)
		p := h.processor(t, 10, 2)
		for range 2 { // the poisoned delivery is retried once, then parked
			if _, err := p.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := h.count(t, "SELECT COUNT(*) FROM messages"); got != 3 {
			t.Errorf("%d messages, want the 3 good ones", got)
		}
		rows, err := db.InboxDB().Query("SELECT state, error FROM webhook_inbox ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		want := []struct{ state, reason string }{
			{"done", ""}, {"failed", "malformed"}, {"done", ""}, {"failed", "not a webhook notification"},
			{"failed", "poison message refused"}, {"done", ""}, {"ignored", "no active channel"},
		}
		i := 0
		for ; rows.Next(); i++ {
			var state, reason string
			if err := rows.Scan(&state, &reason); err != nil {
				t.Fatal(err)
			}
			if i < len(want) && (state != want[i].state || !strings.Contains(reason, want[i].reason)) {
				t.Errorf("delivery %d: %s %q, want %s containing %q", i+1, state, reason, want[i].state, want[i].reason)
			}
		}
		if i != len(want) {
			t.Errorf("%d deliveries", i)
		}
	})
}
