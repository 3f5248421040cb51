package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// result is one case's latencies, sequential and concurrent.
type result struct {
	c          reqCase
	seq, conc  []time.Duration
	errors     int
	firstError string
}

// measure runs every case n times from one client, then n times spread
// over c clients.
// A series stops early (with fewer samples) once it has run for limit, so
// a slow query cannot hold the run for hours.
func (b *bench) measure(ctx context.Context, cases []reqCase, n, c int, limit time.Duration, progress io.Writer) ([]result, error) {
	out := make([]result, 0, len(cases))
	for i, rc := range cases {
		res := result{c: rc}
		var mu sync.Mutex
		record := func(into *[]time.Duration, d time.Duration, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.firstError == "" {
					res.firstError = err.Error()
				}
				return
			}
			*into = append(*into, d)
		}
		b.client.CloseIdleConnections()
		b.runClient(ctx, rc, n, time.Now().Add(limit), uint64(i), func(d time.Duration, err error) { record(&res.seq, d, err) })
		var wg sync.WaitGroup
		deadline := time.Now().Add(limit)
		for k := range c {
			share := n / c
			if k < n%c {
				share++
			}
			wg.Go(func() {
				b.runClient(ctx, rc, share, deadline, uint64(i*100+k+1), func(d time.Duration, err error) { record(&res.conc, d, err) })
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if progress != nil {
			slices.Sort(res.seq)
			fmt.Fprintf(progress, "largeinbox: %-40s p95 %.1f ms (%d requests, %d errors)\n", rc.name, percentile(res.seq, 0.95), len(res.seq), res.errors)
		}
		out = append(out, res)
	}
	return out, nil
}

// runClient sends n requests of the case one after the other.
func (b *bench) runClient(ctx context.Context, rc reqCase, n int, deadline time.Time, seed uint64, record func(time.Duration, error)) {
	r := rand.New(rand.NewPCG(seed, 99))
	token := b.adminToken
	pool := b.tickets
	if rc.agent {
		token, pool = b.agentToken, b.agentTickets
	}
	cursor := ""
	for range n {
		if ctx.Err() != nil || time.Now().After(deadline) {
			return
		}
		began := time.Now()
		var err error
		switch rc.kind {
		case "open":
			id := strconv.FormatInt(pool[r.IntN(len(pool))].id, 10)
			if _, err = b.get(ctx, token, "/api/v1/tickets/"+id); err == nil {
				_, err = b.get(ctx, token, "/api/v1/tickets/"+id+"/messages")
			}
		default:
			v := rc.params(r)
			if rc.walk && cursor != "" {
				v.Set("cursor", cursor)
			}
			var next string
			next, err = b.get(ctx, token, "/api/v1/tickets?"+v.Encode())
			cursor = next
		}
		record(time.Since(began), err)
	}
}

// get requests path and returns the list's next_cursor, if any; anything
// but 200 is an error.
func (b *bench) get(ctx context.Context, token, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var list struct {
		Next string `json:"next_cursor"`
	}
	_ = json.Unmarshal(body, &list) // a single ticket has no cursor
	return list.Next, nil
}

// percentile of sorted durations, in milliseconds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	i := min(len(ds)-1, int(float64(len(ds))*p))
	return float64(ds[i].Microseconds()) / 1000
}

// printResults writes the latency table as Markdown.
func printResults(w io.Writer, dialect string, rs []result) {
	fmt.Fprintf(w, "latency through the API on %s, ms (p95 target: lists and open %d, search %d)\n\n", dialect, listTarget, searchTarget)
	fmt.Fprintln(w, "| case | n | p50 | p95 | p99 | 8 clients p50 | p95 | p99 | |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rs {
		slices.Sort(r.seq)
		slices.Sort(r.conc)
		mark := "ok"
		if p95 := percentile(r.seq, 0.95); p95 > r.c.target() || r.errors > 0 {
			mark = "**over**"
		}
		if r.errors > 0 {
			mark += fmt.Sprintf(" %d errors: %s", r.errors, r.firstError)
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s |\n", r.c.name, len(r.seq),
			percentile(r.seq, 0.5), percentile(r.seq, 0.95), percentile(r.seq, 0.99),
			percentile(r.conc, 0.5), percentile(r.conc, 0.95), percentile(r.conc, 0.99), mark)
	}
	fmt.Fprintln(w)
}

// query is the list request a case makes, as url.Values, for EXPLAIN.
func (rc reqCase) sampleParams() url.Values {
	if rc.params == nil {
		return nil
	}
	return rc.params(rand.New(rand.NewPCG(7, 7)))
}
