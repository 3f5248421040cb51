package cluster

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// simRequest is one entry of the simulator's request log.
type simRequest struct {
	Time   time.Time      `json:"time"`
	Status int            `json:"status"`
	Body   map[string]any `json:"body"`
}

// TestRateLimitHoldsAcrossInstances: three instances send to one number
// whose Cloud API cap (the simulator's throughput) equals the channel's
// rate_limit. Each instance alone may send at the cap, so only a budget
// shared between them keeps the number out of 130429 — and it must still
// reach the cap.
func TestRateLimitHoldsAcrossInstances(t *testing.T) {
	skipShort(t)
	const capPerSecond = 80
	customers := envInt("WADESK_RATELIMIT_CUSTOMERS", 120)
	perTicket := envInt("WADESK_RATELIMIT_PER_TICKET", 4)
	c := Start(t, Options{Instances: 3, Dialect: "postgres", Throughput: capPerSecond})
	if code := c.API("PATCH", "/api/v1/channels/"+c.ChannelID, map[string]any{"rate_limit": capPerSecond, "mark_read": false}, nil); code != 200 {
		t.Fatalf("patch channel: %d", code)
	}

	sendInbound(t, c, customers, 1, 16, 7000)
	db := c.DB()
	if n := waitCount(t, c, time.Minute, customers, `SELECT COUNT(*) FROM tickets`); n != customers {
		t.Fatalf("%d tickets, want %d", n, customers)
	}
	tickets := TicketIDs(t, db)
	if code := c.SimJSON("DELETE", "/_sim/requests", nil, nil); code != 200 {
		t.Fatalf("clear requests: %d", code)
	}

	// Round by round over the tickets, 32 agents at once through the balancer.
	total := len(tickets) * perTicket
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= total {
					return
				}
				path := fmt.Sprintf("/api/v1/tickets/%d/messages", tickets[i%len(tickets)])
				if code := c.API("POST", path, map[string]any{"text": fmt.Sprintf("update %d", i/len(tickets))}, nil); code != 202 {
					t.Errorf("reply: %d", code)
				}
			}
		})
	}
	wg.Wait()
	sent := waitCount(t, c, 2*time.Minute, total,
		`SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status IN ('accepted','sent','delivered','read')`)
	if sent != total {
		t.Fatalf("%d of %d replies accepted", sent, total)
	}

	var log struct {
		Data []simRequest `json:"data"`
	}
	c.SimJSON("GET", "/_sim/requests?path=/messages&method=POST", nil, &log)
	var first, last time.Time
	ok, limited := 0, 0
	for _, r := range log.Data {
		switch r.Status {
		case 200:
			if first.IsZero() || r.Time.Before(first) {
				first = r.Time
			}
			if r.Time.After(last) {
				last = r.Time
			}
			ok++
		case 429:
			limited++
		}
	}
	rate := float64(ok-1) / last.Sub(first).Seconds()
	t.Logf("3 instances: %d sends accepted in %v = %.1f/s at a cap of %d/s (%.0f%%), %d answered 130429",
		ok, last.Sub(first).Round(time.Millisecond), rate, capPerSecond, 100*rate/capPerSecond, limited)
	if limited != 0 {
		t.Errorf("the Cloud API answered 130429 %d times", limited)
	}
	if ok != total {
		t.Errorf("the Cloud API accepted %d sends, want %d", ok, total)
	}
	if rate < 0.9*capPerSecond {
		t.Errorf("%.1f sends/s, want at least 90%% of the cap %d/s", rate, capPerSecond)
	}
}
