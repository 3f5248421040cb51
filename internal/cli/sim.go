package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"wadesk/internal/sim"
)

func runSim(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", ":8090", "listen address of the simulator")
	throughput := fs.Int("throughput", 80, "messages per second each business number may send (130429 beyond)")
	pairLimit := fs.Bool("pair-limit", false, "enforce the pair rate limit to one customer (131056)")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	attempts := fs.Int("delivery-attempts", 30, "webhook delivery tries before giving up (Meta retries for days)")
	maxBackoff := fs.Duration("delivery-max-backoff", 5*time.Second, "longest wait between two delivery tries")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *throughput < 1 {
		return usagef("--throughput must be at least 1")
	}
	lvl := newLevel(*level)
	if lvl == nil {
		return usagef("--log-level must be debug, info, warn or error")
	}
	logger := newLogger(env.Stderr, *lvl)
	fmt.Fprintf(env.Stdout, "Cloud API simulator on %s (control API under /_sim/)\n", *addr)
	if *attempts < 1 || *maxBackoff <= 0 {
		return usagef("--delivery-attempts must be at least 1 and --delivery-max-backoff positive")
	}
	return sim.ListenAndServe(ctx, *addr, sim.Options{Throughput: *throughput, PairLimit: *pairLimit, Logger: logger,
		Delivery: sim.DeliveryOptions{MaxAttempts: *attempts, MaxBackoff: *maxBackoff}})
}
