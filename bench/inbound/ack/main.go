// Command ack measures how fast wadesk acknowledges WhatsApp webhook
// deliveries — durably stored in the inbox before the 200 — against the
// real App (app.New on a temp dir or a fresh PostgreSQL schema, one channel
// created through the API against the Cloud API simulator), and compares it
// with a bare net/http handler on the same machine that only checks the
// HMAC and appends the body to a file (no fsync).
//
//	go run ./bench/inbound/ack -db sqlite -batch 1,10,100 -senders 64 -duration 10s
//
// Phases, each bounded by -duration: for every batch size, closed-loop load
// from -senders keep-alive clients (messages and deliveries acknowledged per
// second, ack p50/p99); then an open-loop offered rate of -rate messages per
// second, one message per delivery (ack p50/p99 measured from the scheduled
// send time, so queueing is not hidden). Each phase runs against the bare
// handler first, then against wadesk. Before each wadesk phase the inbox is
// allowed to drain (bounded by -drain), so the processor's backlog from one
// phase does not distort the next.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run())
}

type options struct {
	db       string
	pgURL    string
	batches  []int
	senders  int
	duration time.Duration
	rate     int
	sync     string
	drain    time.Duration
	logLevel string
	profile  string
}

func run() int {
	var o options
	var batches string
	flag.StringVar(&o.db, "db", "sqlite", "database: sqlite or postgres")
	flag.StringVar(&o.pgURL, "pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server (a fresh schema is created and dropped)")
	flag.StringVar(&batches, "batch", "1,10,100", "messages per delivery, comma separated")
	flag.IntVar(&o.senders, "senders", 64, "concurrent keep-alive senders")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each phase")
	flag.IntVar(&o.rate, "rate", 1000, "offered messages per second in the fixed-rate phase (0 skips it)")
	flag.StringVar(&o.sync, "sync", "normal", "SQLite synchronous setting of the writer: normal or full")
	flag.DurationVar(&o.drain, "drain", 90*time.Second, "longest wait for the inbox to drain before a phase")
	flag.StringVar(&o.logLevel, "log-level", "info", "wadesk log level (logs are discarded, but formatted: info costs an access-log line per request)")
	flag.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the whole run (client and server) to this file")
	flag.Parse()
	for _, s := range strings.Split(batches, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1000 {
			fmt.Fprintf(os.Stderr, "ack: bad -batch %q\n", s)
			return 2
		}
		o.batches = append(o.batches, n)
	}
	if o.db != "sqlite" && o.db != "postgres" || o.sync != "normal" && o.sync != "full" || o.senders < 1 || o.duration <= 0 {
		flag.Usage()
		return 2
	}
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ack:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "ack:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "ack:", err)
		return 1
	}
	return 0
}

func bench(o options) error {
	ctx := context.Background()
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level}))
	target, err := boot(ctx, o, logger)
	if err != nil {
		return err
	}
	defer target.stop()
	bare, err := startBare()
	if err != nil {
		return err
	}
	defer bare.stop()

	fmt.Printf("wadesk webhook ack benchmark: db=%s sync=%s senders=%d duration=%v GOMAXPROCS=%d\n",
		o.db, o.sync, o.senders, o.duration, gomaxprocs())
	fmt.Printf("%-22s %10s %9s %9s %9s %6s %9s %9s %11s %9s %6s\n",
		"phase", "msgs/s", "deliv/s", "p50", "p99", "errors", "avg batch", "avg commit", "bare msgs/s", "bare p99", "ratio")
	for _, b := range o.batches {
		gen := newGenerator(target.seed, b)
		bres := closedLoop(bare.url, bare.secret, gen, o.senders, o.duration)
		if err := target.drainInbox(o.drain); err != nil {
			return err
		}
		before := target.batchStats()
		res := closedLoop(target.hookURL, target.secret, gen, o.senders, o.duration)
		report(fmt.Sprintf("batch=%d closed loop", b), res, bres, target.batchStats().since(before))
	}
	if o.rate > 0 {
		gen := newGenerator(target.seed, 1)
		bres := openLoop(bare.url, bare.secret, gen, o.senders, o.rate, o.duration)
		if err := target.drainInbox(o.drain); err != nil {
			return err
		}
		before := target.batchStats()
		res := openLoop(target.hookURL, target.secret, gen, o.senders, o.rate, o.duration)
		report(fmt.Sprintf("rate=%d msg/s", o.rate), res, bres, target.batchStats().since(before))
	}
	return nil
}

func report(name string, r, bare result, batch batchStats) {
	ratio := 0.0
	if bare.msgsPerSec() > 0 {
		ratio = r.msgsPerSec() / bare.msgsPerSec()
	}
	fmt.Printf("%-22s %10.0f %9.0f %9s %9s %6d %9.1f %9s %11.0f %9s %6.2f\n",
		name, r.msgsPerSec(), r.deliveriesPerSec(), ms(r.percentile(50)), ms(r.percentile(99)), r.errors,
		batch.mean(), ms(batch.meanCommit()), bare.msgsPerSec(), ms(bare.percentile(99)), ratio)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
