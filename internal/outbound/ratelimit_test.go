package outbound_test

import (
	"fmt"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// N sends on a number capped at C messages per second take about N/C
// seconds, and the simulator (with the same cap) never answers 130429.
func TestRateLimiterKeepsTheNumberUnderItsCap(t *testing.T) {
	if testing.Short() {
		t.Skip("measures a few seconds of sending")
	}
	const capPerSecond, perTicket, tickets = 25, 4, 20 // 80 sends
	e := apptest.Start(t, apptest.Options{Sim: sim.Options{Throughput: capPerSecond, PairLimit: true, Statuses: sim.StatusOptions{Off: true}}})
	ch := newChannel(t, e, map[string]any{"rate_limit": capPerSecond})
	var convs []*conv
	for i := range tickets {
		convs = append(convs, newConv(t, e, ch, fmt.Sprintf("3161000%04d", i)))
	}
	var ids []struct {
		c  *conv
		id int64
	}
	for i := range perTicket {
		for _, c := range convs {
			ids = append(ids, struct {
				c  *conv
				id int64
			}{c, c.mustQueue(t, map[string]any{"text": fmt.Sprintf("update %d", i)})})
		}
	}
	for _, x := range ids {
		x.c.waitStatus(t, x.id, 30*time.Second, "accepted")
	}
	var first, last time.Time
	n, limited := 0, 0
	for _, r := range e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/messages"}) {
		switch r.Status {
		case 200:
			if first.IsZero() {
				first = r.Time
			}
			last = r.Time
			n++
		case 429:
			limited++
		}
	}
	if limited != 0 {
		t.Fatalf("the simulator answered 130429 %d times", limited)
	}
	if n != len(ids) {
		t.Fatalf("%d accepted sends, want %d", n, len(ids))
	}
	// The limiter's burst is a tenth of a second of throughput.
	want := time.Duration(float64(n-capPerSecond/10) / capPerSecond * float64(time.Second))
	got := last.Sub(first)
	t.Logf("%d sends at cap %d/s took %v (ideal %v): %.1f/s", n, capPerSecond, got, want, float64(n-1)/got.Seconds())
	if got < want*85/100 || got > want*130/100 {
		t.Fatalf("%d sends took %v, want about %v", n, got, want)
	}
}
