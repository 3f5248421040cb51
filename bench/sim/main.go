// Command sim measures the Cloud API simulator on loopback: accepted sends
// per second (valid template and text sends from concurrent keep-alive
// clients, throughput cap raised) and webhook messages per second pushed to
// a receiver that verifies every signature.
//
//	go run ./bench/sim                      # default: 40k sends, 40k inbound, 10k status sends
//	go run ./bench/sim -sends 5000 -inbound 5000 -status-sends 1000
//
// Every phase is bounded by its count and by -timeout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"time"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.Sends, "sends", 40000, "messages to POST in the send phase")
	flag.IntVar(&cfg.Inbound, "inbound", 40000, "customer messages to push as webhooks")
	flag.IntVar(&cfg.StatusSends, "status-sends", 10000, "sends whose 3 status webhooks are counted")
	flag.IntVar(&cfg.Concurrency, "c", 32, "concurrent clients")
	flag.IntVar(&cfg.Customers, "customers", 1000, "distinct customers")
	flag.DurationVar(&cfg.Timeout, "timeout", 60*time.Second, "bound for each phase")
	flag.IntVar(&cfg.MaxBatch, "max-batch", 0, "webhook items per POST under load (0 = sim default 50, 1 = no batching)")
	target := flag.Float64("target", 5000, "exit 1 if a rate is below this")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Printf("sends:    %6d accepted, %d failed in %.2fs = %8.0f sends/s (concurrency %d)\n", res.Sends, res.SendErrors, res.SendSeconds, res.sendRate(), cfg.Concurrency)
	fmt.Printf("inbound:  %6d webhook messages in %.2fs = %8.0f msgs/s\n", res.Inbound, res.InboundSeconds, res.inboundRate())
	fmt.Printf("statuses: %6d status webhooks  in %.2fs = %8.0f statuses/s (sends + sent/delivered/read)\n", res.Statuses, res.StatusSeconds, res.statusRate())
	fmt.Printf("webhook POSTs: %d, bad signatures: %d\n", res.Posts, res.BadSignature)
	if res.SendErrors > 0 || res.BadSignature > 0 || res.sendRate() < *target || res.inboundRate() < *target || res.statusRate() < *target {
		fmt.Println("BELOW TARGET")
		os.Exit(1)
	}
}
