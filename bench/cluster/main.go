// Command cluster measures wadesk as several `wadesk serve` processes on
// one PostgreSQL behind a round-robin balancer (real processes, as in
// test/cluster): webhook messages acknowledged and processed per second,
// outbound sends per second at a number's cap, and each instance's
// resident memory under that load.
//
//	go run ./bench/cluster -instances 1,3
//	go run ./bench/cluster -instances 3 -duration 20s -cap 1000 -sends 8000
//
// For each instance count: a fresh schema (dropped afterwards), the Cloud
// API simulator with its throughput at -cap, the instances, the balancer.
// Inbound: -senders keep-alive clients post signed deliveries of -batch
// messages through the balancer for -duration; "processed" counts from the
// first send until every acknowledged message is a stored message (bounded
// by -drain). Outbound: -sends agent replies queued through the balancer,
// sent at the channel's rate_limit = -cap; the rate is the simulator's
// (first to last accepted send), with its 130429 answers. RSS: the highest
// VmRSS sampled every 250 ms and the kernel's VmHWM of each instance.
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

type options struct {
	pg        string
	senders   int
	batch     int
	customers int
	duration  time.Duration
	drain     time.Duration
	capRate   int
	sends     int
}

func main() {
	var o options
	counts := flag.String("instances", "1,3", "instance counts to measure, comma separated")
	flag.StringVar(&o.pg, "pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server (a fresh schema is created and dropped)")
	flag.IntVar(&o.senders, "senders", 64, "concurrent webhook senders")
	flag.IntVar(&o.batch, "batch", 1, "messages per delivery")
	flag.IntVar(&o.customers, "customers", 1000, "distinct customers writing")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of the inbound phase")
	flag.DurationVar(&o.drain, "drain", 3*time.Minute, "longest wait for the acknowledged messages to be processed")
	flag.IntVar(&o.capRate, "cap", 80, "the number's cap (channel rate_limit and simulator throughput), messages/s")
	flag.IntVar(&o.sends, "sends", 0, "outbound replies (default 8 s at the cap)")
	flag.Parse()
	if o.sends == 0 {
		o.sends = 8 * o.capRate
	}
	var ns []int
	for _, s := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 16 {
			fmt.Fprintf(os.Stderr, "cluster: bad -instances %q\n", s)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "wadesk-bench-bin-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	bin, err := build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("machine: %d CPUs, %s, load average %s", runtime.NumCPU(), runtime.Version(), load)
	fmt.Printf("senders=%d batch=%d customers=%d duration=%v cap=%d/s sends=%d\n",
		o.senders, o.batch, o.customers, o.duration, o.capRate, o.sends)
	for _, n := range ns {
		if err := measure(ctx, bin, o, n); err != nil {
			fmt.Fprintln(os.Stderr, "cluster:", err)
			os.Exit(1)
		}
	}
}

func measure(ctx context.Context, bin string, o options, n int) error {
	c, err := start(ctx, bin, o.pg, n, o.capRate)
	if err != nil {
		return err
	}
	defer c.stop()
	var mem rss
	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() { defer close(sampled); c.sampleRSS(sampleCtx, &mem) }()

	in, err := inbound(ctx, c, o.senders, o.batch, o.customers, o.duration, o.drain)
	if err != nil {
		stopSampling()
		return err
	}
	out, err := outbound(ctx, c, o.sends, o.capRate, 2*time.Minute+time.Duration(o.sends/o.capRate)*time.Second)
	stopSampling()
	<-sampled
	if err != nil {
		return err
	}
	fmt.Printf("\n%d instance(s)\n", n)
	fmt.Printf("  inbound : %d messages acknowledged in %v = %.0f msg/s acked (%d not acked); %d stored in %v = %.0f msg/s processed\n",
		in.acked, in.ackTime.Round(time.Millisecond), in.ackRate(), in.failed, in.stored, in.procTime.Round(time.Millisecond), in.procRate())
	fmt.Printf("  outbound: %d queued, %d accepted in %v = %.1f sends/s at a cap of %d/s (%.0f%%), %d answered 130429\n",
		out.queued, out.accepted, out.span.Round(time.Millisecond), out.rate(), o.capRate, 100*out.rate()/float64(o.capRate), out.limited)
	for i, p := range c.procs {
		fmt.Printf("  instance %d: peak VmRSS %.0f MB, VmHWM %.0f MB\n", i, float64(mem.peak[i])/1024,
			float64(procStatus(p.Process.Pid, "VmHWM"))/1024)
	}
	return nil
}
