// Command outbound measures wadesk's sustained send rate: the real App
// (River workers, the per-number limiter, FIFO, the database) sending to
// the Cloud API simulator whose throughput cap equals the channel's
// rate_limit. For each cap it reports the achieved rate as a percentage of
// the cap (target ≥ 95 %) and how often the simulator answered 130429
// (target 0).
//
//	go run ./bench/outbound                          # caps 80 and 1000, 10 s of sending each, SQLite
//	go run ./bench/outbound -db postgres             # same on the local PostgreSQL
//	go run ./bench/outbound -caps 80 -seconds 5      # shorter
//
// Each run is bounded: cap × seconds messages, and -timeout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() { os.Exit(benchMain()) }

// benchMain runs the benchmark and returns the exit code (deferred work,
// such as the CPU profile, is done by then).
func benchMain() int {
	var o options
	caps := flag.String("caps", "80,1000", "per-number caps to measure (messages per second), comma-separated")
	flag.Float64Var(&o.Seconds, "seconds", 10, "seconds of sending at each cap (messages = cap × seconds)")
	flag.IntVar(&o.Customers, "customers", 0, "distinct customers (default: enough that no pair exceeds its burst)")
	flag.StringVar(&o.DB, "db", "sqlite", "sqlite or postgres")
	flag.StringVar(&o.PostgresURL, "postgres-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL for -db postgres (a scratch schema is created and dropped)")
	flag.DurationVar(&o.Timeout, "timeout", 3*time.Minute, "bound for each cap's run")
	flag.BoolVar(&o.Statuses, "statuses", false, "let the simulator send status webhooks back (more load on the database)")
	target := flag.Float64("target", 95, "exit 1 if a run achieves less than this percentage of its cap")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the sending phase (wadesk, River, SQLite, the simulator) to this file; with several caps, to FILE.<cap>")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, %s, database %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), o.DB)
	failed := false
	for _, s := range strings.Split(*caps, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || c < 1 || c > 1000 {
			fmt.Fprintf(os.Stderr, "bench: bad cap %q (1..1000)\n", s)
			return 2
		}
		oc := o
		if o.CPUProfile != "" && strings.Contains(*caps, ",") {
			oc.CPUProfile += "." + strconv.Itoa(c)
		}
		r, err := run(ctx, oc, c)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		fmt.Println(r)
		if r.percent() < *target || r.RateLimited > 0 || r.Failed > 0 {
			failed = true
		}
	}
	if failed {
		fmt.Println("BELOW TARGET")
		return 1
	}
	return 0
}
