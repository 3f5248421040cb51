// Command process measures how fast the inbox processor turns stored
// webhook deliveries into customers, tickets and messages, on a fresh
// SQLite file or PostgreSQL schema with the real store, Service, River
// enqueuer (jobs are inserted in the same transactions as in production;
// the runner is not started, so nothing works them off meanwhile) and
// processor.
//
//	go run ./bench/inbound/process -db sqlite -messages 20000 -customers 2000
//
// Phase 1 (backlog): the inbox is pre-filled with -messages text messages
// from -customers customers in deliveries of mixed sizes (1, 5, 10 and 50
// messages), then the processor starts; the figure is messages fully
// processed per second until the inbox is empty, and the lag of each
// delivery counted from the processor's start.
// Phase 2 (steady, with -rate > 0): deliveries arrive at -rate messages per
// second for -duration while the processor runs, woken like the webhook
// writer wakes it; the lag is processed_at − received_at of each delivery.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/inbound"
	"wadesk/internal/jobs"
	"wadesk/internal/secret"
	"wadesk/internal/store"
)

type options struct {
	db, pgURL           string
	messages, customers int
	batch               int
	rate                int
	duration            time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.db, "db", "sqlite", "database: sqlite or postgres")
	flag.StringVar(&o.pgURL, "pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server (a fresh schema is created and dropped)")
	flag.IntVar(&o.messages, "messages", 20000, "messages in the pre-filled inbox")
	flag.IntVar(&o.customers, "customers", 2000, "distinct customers writing")
	flag.IntVar(&o.batch, "batch", 25, "deliveries per processing transaction (the processor's default)")
	flag.IntVar(&o.rate, "rate", 1000, "offered messages per second in the steady phase (0 skips it)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of the steady phase")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if o.db != "sqlite" && o.db != "postgres" || o.messages < 1 || o.customers < 1 || o.batch < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "process:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "process:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	db, cleanup, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	env, err := setup(ctx, db, o)
	if err != nil {
		return err
	}
	fmt.Printf("database %s, %d messages from %d customers, %d deliveries per transaction\n",
		o.db, o.messages, o.customers, o.batch)

	// Phase 1: backlog.
	gen := &generator{customers: o.customers, phoneNumberID: env.channel.PhoneNumberID}
	deliveries, err := env.prefill(ctx, gen, o.messages)
	if err != nil {
		return err
	}
	start := time.Now()
	n, err := env.proc.Drain(ctx)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	stored, err := count(ctx, db, "SELECT COUNT(*) FROM messages")
	if err != nil {
		return err
	}
	if stored != o.messages || n != deliveries {
		return fmt.Errorf("processed %d of %d deliveries, %d of %d messages", n, deliveries, stored, o.messages)
	}
	lags, err := env.lags(ctx, start.UnixMilli())
	if err != nil {
		return err
	}
	tickets, _ := count(ctx, db, "SELECT COUNT(*) FROM tickets")
	fmt.Printf("backlog: %d messages (%d deliveries, %d tickets) in %v: %.0f messages/s; lag from start p50 %v p99 %v\n",
		stored, n, tickets, elapsed.Round(time.Millisecond), float64(stored)/elapsed.Seconds(),
		pct(lags, 50), pct(lags, 99))

	if o.rate > 0 {
		return env.steady(ctx, gen, o)
	}
	return nil
}

// open creates a fresh database: a SQLite file in a temp dir, or a new
// PostgreSQL schema that is dropped afterwards.
func open(ctx context.Context, o options) (*store.DB, func(), error) {
	cfg := store.Config{Logger: slog.New(slog.DiscardHandler)}
	var drop func()
	if o.db == "sqlite" {
		dir, err := os.MkdirTemp("", "wadesk-process-*")
		if err != nil {
			return nil, nil, err
		}
		cfg.DataDir = dir
		drop = func() { os.RemoveAll(dir) }
	} else {
		schema := fmt.Sprintf("bench_process_%d", time.Now().UnixNano())
		admin, err := sql.Open("pgx", o.pgURL)
		if err != nil {
			return nil, nil, err
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			return nil, nil, fmt.Errorf("create schema: %w", err)
		}
		u, err := url.Parse(o.pgURL)
		if err != nil {
			return nil, nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		cfg.DatabaseURL = u.String()
		drop = func() {
			_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		}
	}
	db, err := store.Open(ctx, cfg)
	if err != nil {
		drop()
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

// env is the processor under test with its channel.
type env struct {
	db      *store.DB
	svc     *helpdesk.Service
	proc    *inbound.Processor
	channel *helpdesk.Channel
}

// noop satisfies River's insert-time check that a kind has a worker; the
// runner is not started.
func noop[T river.JobArgs]() river.Worker[T] {
	return river.WorkFunc(func(context.Context, *river.Job[T]) error { return nil })
}

func setup(ctx context.Context, db *store.DB, o options) (*env, error) {
	svc := helpdesk.NewService(db, helpdesk.Options{})
	runner, err := jobs.New(db, jobs.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	w := runner.Workers()
	river.AddWorker(w, noop[helpdesk.MediaDownloadJob]())
	river.AddWorker(w, noop[helpdesk.WelcomeJob]())
	river.AddWorker(w, noop[helpdesk.ReminderJob]())
	river.AddWorker(w, noop[helpdesk.ApologyJob]())
	if err := runner.Init(); err != nil {
		return nil, err
	}
	box, err := secret.NewBox([]byte(strings.Repeat("b", 32)))
	if err != nil {
		return nil, err
	}
	tok, _ := box.Seal("token", "channel:access_token")
	sec, _ := box.Seal("secret", "channel:app_secret")
	now := time.Now()
	ch := &helpdesk.Channel{Name: "Bench", WABAID: "waba", PhoneNumberID: "106540352242922", WebhookID: "bench", VerifyToken: "vt",
		AccessTokenEnc: tok, AppSecretEnc: sec, Active: true, Status: helpdesk.ChannelActive, WelcomeMessage: "Welcome!",
		Reminder: helpdesk.Reminder{Enabled: true, AfterSeconds: 72000}, RateLimit: 80, CreatedAt: now, UpdatedAt: now}
	if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, ch) }); err != nil {
		return nil, err
	}
	proc, err := inbound.New(inbound.Options{Service: svc, Jobs: runner, Secrets: box, BatchSize: o.batch})
	if err != nil {
		return nil, err
	}
	return &env{db: db, svc: svc, proc: proc, channel: ch}, nil
}

// prefill stores deliveries holding n messages as pending inbox rows.
func (e *env) prefill(ctx context.Context, g *generator, n int) (int, error) {
	rows := 0
	for n > 0 {
		var items []*helpdesk.InboxItem
		for len(items) < 200 && n > 0 {
			size := min(g.nextSize(), n)
			items = append(items, &helpdesk.InboxItem{ChannelID: &e.channel.ID, ReceivedAt: time.Now(), Body: g.delivery(size, time.Now())})
			n -= size
		}
		if err := e.insert(ctx, items); err != nil {
			return 0, err
		}
		rows += len(items)
	}
	return rows, nil
}

func (e *env) insert(ctx context.Context, items []*helpdesk.InboxItem) error {
	return e.db.WithTx(ctx, func(tx helpdesk.Tx) error {
		for _, it := range items {
			if err := tx.InsertInbox(ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
}

// steady offers deliveries at o.rate messages per second (one insert
// transaction every 10 ms, like the webhook writer's group commits) while
// the processor runs, then reports the lag of each delivery.
func (e *env) steady(ctx context.Context, g *generator, o options) error {
	if _, err := e.db.InboxDB().ExecContext(ctx, "DELETE FROM webhook_inbox"); err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.proc.Run(runCtx) }()
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	offered := 0
	for now := range tick.C {
		if now.Sub(start) >= o.duration {
			break
		}
		due := int(now.Sub(start).Seconds()*float64(o.rate)) - offered
		var items []*helpdesk.InboxItem
		for due > 0 {
			size := min(g.nextSize(), due)
			items = append(items, &helpdesk.InboxItem{ChannelID: &e.channel.ID, ReceivedAt: time.Now(), Body: g.delivery(size, time.Now())})
			due -= size
			offered += size
		}
		if len(items) > 0 {
			if err := e.insert(ctx, items); err != nil {
				stop()
				return err
			}
			e.proc.Notify()
		}
	}
	tick.Stop()
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, err := count(ctx, e.db, "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'pending'")
		if err != nil || n == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done
	lags, err := e.lags(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Printf("steady: %d messages offered at %d/s for %v; lag p50 %v p99 %v (%d deliveries)\n",
		offered, o.rate, o.duration, pct(lags, 50), pct(lags, 99), len(lags))
	return nil
}

// lags reads processed_at − max(received_at, from) of every processed delivery.
func (e *env) lags(ctx context.Context, fromMs int64) ([]time.Duration, error) {
	rows, err := e.db.InboxDB().QueryContext(ctx,
		"SELECT received_at, processed_at FROM webhook_inbox WHERE state = 'done'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var recv, done int64
		if err := rows.Scan(&recv, &done); err != nil {
			return nil, err
		}
		out = append(out, time.Duration(done-max(recv, fromMs))*time.Millisecond)
	}
	if len(out) == 0 {
		return nil, errors.New("no processed deliveries")
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, rows.Err()
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func count(ctx context.Context, db *store.DB, q string) (int, error) {
	var n int
	conn := db.Writer()
	if strings.Contains(q, "webhook_inbox") {
		conn = db.InboxDB()
	}
	err := conn.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}
