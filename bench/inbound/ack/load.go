package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"

	"sync"
	"sync/atomic"
	"time"

	"wadesk/internal/sim"
	"wadesk/internal/whatsapp"
)

func gomaxprocs() int { return runtime.GOMAXPROCS(0) }

// maxSamples bounds the latencies kept per phase.
const maxSamples = 2_000_000

// result is one phase's outcome.
type result struct {
	ok, errors int64
	batch      int
	elapsed    time.Duration
	latencies  []time.Duration
}

func (r result) msgsPerSec() float64 {
	return float64(r.ok*int64(r.batch)) / r.elapsed.Seconds()
}

func (r result) deliveriesPerSec() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// generator builds Meta-shaped deliveries of batch text messages, every
// message with its own wamid, customers spread over 64 numbers.
type generator struct {
	seed  sim.SeedInfo
	batch int
	seq   atomic.Int64
}

func newGenerator(seed sim.SeedInfo, batch int) *generator {
	return &generator{seed: seed, batch: batch}
}

func (g *generator) next(buf *bytes.Buffer) {
	n := g.seq.Add(1)
	customer := 4915100000000 + n%64
	ts := time.Now().Unix()
	buf.Reset()
	fmt.Fprintf(buf, `{"object":"whatsapp_business_account","entry":[{"id":"%s","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"},"contacts":[{"profile":{"name":"Bench Customer %d"},"wa_id":"%d"}],"messages":[`,
		g.seed.WABAID, g.seed.PhoneNumberID, customer%64, customer)
	for i := range g.batch {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(buf, `{"from":"%d","id":"wamid.bench%dx%dx%d","timestamp":"%d","type":"text","text":{"body":"Benchmark message %d of delivery %d: hello, is my order on its way?"}}`,
			customer, time.Now().UnixNano()%1e9, n, i, ts, i+1, n)
	}
	buf.WriteString(`]}}]}]}`)
}

// transport is a keep-alive client for senders connections.
func client(senders int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: senders, MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders, IdleConnTimeout: time.Minute,
	}}
}

// post sends one signed delivery and reports whether it was acknowledged.
func post(c *http.Client, url, secret string, body []byte) bool {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(secret, body))
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// closedLoop runs senders that each post, wait for the answer, and post
// again, for d.
func closedLoop(url, secret string, g *generator, senders int, d time.Duration) result {
	c := client(senders)
	defer c.CloseIdleConnections()
	var mu sync.Mutex
	res := result{batch: g.batch}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			var buf bytes.Buffer
			var lat []time.Duration
			var ok, bad int64
			for time.Now().Before(deadline) {
				g.next(&buf)
				t0 := time.Now()
				if post(c, url, secret, buf.Bytes()) {
					ok++
					if len(lat) < maxSamples/senders {
						lat = append(lat, time.Since(t0))
					}
				} else {
					bad++
				}
			}
			mu.Lock()
			res.ok, res.errors = res.ok+ok, res.errors+bad
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// openLoop offers rate deliveries per second for d, spread over senders
// workers; latency counts from the scheduled time, so a slow answer that
// delays later sends is measured, not hidden.
func openLoop(url, secret string, g *generator, senders, rate int, d time.Duration) result {
	c := client(senders)
	defer c.CloseIdleConnections()
	total := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	jobs := make(chan time.Time, total)
	var mu sync.Mutex
	res := result{batch: g.batch}
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			var buf bytes.Buffer
			var lat []time.Duration
			var ok, bad int64
			for at := range jobs {
				if wait := time.Until(at); wait > 0 {
					time.Sleep(wait)
				}
				g.next(&buf)
				if post(c, url, secret, buf.Bytes()) {
					ok++
					lat = append(lat, time.Since(at))
				} else {
					bad++
				}
			}
			mu.Lock()
			res.ok, res.errors = res.ok+ok, res.errors+bad
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	for i := range total {
		jobs <- start.Add(time.Duration(i) * interval)
	}
	close(jobs)
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}
