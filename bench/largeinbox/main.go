// Command largeinbox generates a large helpdesk (by default 20,000 tickets
// and 100,000 messages; the figure is 1,000,000 and 5,000,000) on
// SQLite or PostgreSQL through wadesk's real migrations, boots the real App
// on it and measures list, open-ticket and search latency through the HTTP
// API on loopback, then prints each query's plan.
//
//	go run ./bench/largeinbox -db sqlite
//	go run ./bench/largeinbox -db postgres -tickets 1000000 -messages 5000000 -dir /tmp/largeinbox-pg
//	go run ./bench/largeinbox -db sqlite -dir /tmp/li -keep        # keep the inbox …
//	go run ./bench/largeinbox -db sqlite -dir /tmp/li -reuse -keep # … and measure it again
//
// Generated data is thrown away at the end (the SQLite file, or the
// PostgreSQL schema) unless -keep is given. Every phase is bounded by -n
// and -timeout.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"time"

	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// options are the command's flags.
type options struct {
	dialect     string
	tickets     int
	messages    int
	dir         string
	pgURL       string
	schema      string
	keep        bool
	reuse       bool
	n           int
	concurrency int
	explain     bool
	seed        uint64
	timeout     time.Duration
	caseLimit   time.Duration
	only        string
	out         io.Writer
	logs        io.Writer
}

func main() {
	o := options{out: os.Stdout, logs: os.Stderr}
	flag.StringVar(&o.dialect, "db", "sqlite", "sqlite or postgres")
	flag.IntVar(&o.tickets, "tickets", 20000, "tickets to generate")
	flag.IntVar(&o.messages, "messages", 100000, "messages to generate (at least one per ticket)")
	flag.StringVar(&o.dir, "dir", "", "data directory (SQLite file, secret key); default a new temporary directory")
	flag.StringVar(&o.pgURL, "pg", storetest.DefaultPostgresURL, "PostgreSQL server for -db postgres")
	flag.StringVar(&o.schema, "schema", "largeinbox", "PostgreSQL schema to generate into (dropped first)")
	flag.BoolVar(&o.keep, "keep", false, "keep the generated database")
	flag.BoolVar(&o.reuse, "reuse", false, "measure the inbox kept in -dir / -schema instead of generating")
	flag.IntVar(&o.n, "n", 100, "requests per case, sequentially and again from -c concurrent clients")
	flag.IntVar(&o.concurrency, "c", 8, "concurrent clients")
	flag.BoolVar(&o.explain, "explain", true, "print the query plans")
	flag.StringVar(&o.only, "only", "", "measure only the cases whose name contains this")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed of the generator")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Hour, "bound for the whole run")
	flag.DurationVar(&o.caseLimit, "case-limit", time.Minute, "bound for each series of requests (fewer samples when reached)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "largeinbox:", err)
		os.Exit(1)
	}
}

// report is what a run found, for the test.
type report struct {
	world   *world
	counts  map[string]int64 // rows per table after the run
	load    loadResult
	results []result
	plans   map[string]string
}

func run(ctx context.Context, o options) (*report, error) {
	if o.dialect != store.SQLite && o.dialect != store.Postgres {
		return nil, fmt.Errorf("-db must be sqlite or postgres, not %q", o.dialect)
	}
	if o.tickets < 1 || o.messages < o.tickets {
		return nil, fmt.Errorf("need at least one ticket and one message per ticket (-tickets %d -messages %d)", o.tickets, o.messages)
	}
	if o.reuse && o.dir == "" {
		return nil, fmt.Errorf("-reuse needs the -dir of a kept inbox")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	t, err := openTarget(ctx, o, !o.reuse)
	if err != nil {
		return nil, err
	}
	if !o.keep {
		defer func() {
			if err := t.remove(); err != nil {
				fmt.Fprintln(o.logs, "largeinbox: cleanup:", err)
			}
		}()
	}
	fmt.Fprintf(o.out, "machine: %d CPUs, %s, %s; database %s\n\n", runtime.NumCPU(), runtime.GOOS, runtime.Version(), o.dialect)

	// The model is cheap to redraw; with -reuse it describes the kept data
	// as long as -tickets, -messages and -seed are the same.
	m := newModel(o.seed, o.tickets, o.messages, time.Now().UTC().Truncate(time.Millisecond))
	rep := &report{world: m.world}
	if !o.reuse {
		began := time.Now()
		rep.load, err = generateInbox(ctx, t, m)
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		fmt.Fprintf(o.out, "generated %d customers, %d tickets, %d messages (%d notes), %d attachments in %s\n",
			m.world.Customers, m.world.Tickets, m.world.Messages, m.world.Notes, m.world.Attachments, time.Since(began).Round(time.Second))
		fmt.Fprintf(o.out, "  rows %s, indexes and full text %s, analyze %s\n\n",
			rep.load.rows.Round(time.Second), rep.load.index.Round(time.Second), rep.load.finish.Round(time.Second))
	}
	logger := slog.New(slog.NewJSONHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b, err := boot(ctx, t, logger)
	if err != nil {
		return nil, err
	}
	defer b.stop()
	if err := b.sample(ctx); err != nil {
		return nil, err
	}
	rep.counts = b.counts
	cases := b.cases(m.world)
	if o.only != "" {
		cases = slices.DeleteFunc(cases, func(c reqCase) bool { return !strings.Contains(c.name, o.only) })
	}
	rep.results, err = b.measure(ctx, cases, o.n, o.concurrency, o.caseLimit, o.logs)
	if err != nil {
		return nil, err
	}
	printResults(o.out, o.dialect, rep.results)
	if o.explain {
		sw := wordsFor(m.world)
		if err := b.matchCounts(ctx, []string{sw.common, sw.medium, sw.rare, "refund", "card", sw.prefix, sw.none}, o.out); err != nil {
			return nil, err
		}
		rep.plans, err = b.explain(ctx, cases, o.out)
		if err != nil {
			return nil, err
		}
	}
	if o.keep {
		fmt.Fprintf(o.out, "\nkept: -dir %s", t.dir)
		if t.dialect == store.Postgres {
			fmt.Fprintf(o.out, " -schema %s", t.schema)
		}
		fmt.Fprintln(o.out)
	}
	return rep, nil
}
