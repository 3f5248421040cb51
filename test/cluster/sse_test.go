package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// frame is one Server-Sent Event as a browser would see it.
type frame struct {
	Type string
	Data struct {
		ID        string `json:"id"`
		TicketID  string `json:"ticket_id"`
		Direction string `json:"direction"`
		Text      string `json:"text"`
		Status    string `json:"status"`
	}
}

// stream is a live event stream opened on one instance.
type stream struct {
	mu     sync.Mutex
	frames []frame
}

// openStream connects to GET /api/v1/events on base (one instance, not the
// balancer) and collects frames until the test ends.
func openStream(t *testing.T, c *Cluster, base string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		cancel()
		t.Fatalf("GET %s/api/v1/events: %d", base, resp.StatusCode)
	}
	s := &stream{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var f frame
		for sc.Scan() { // ends when the test cancels the request
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				f.Type = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &f.Data)
			case line == "" && f.Type != "":
				s.mu.Lock()
				s.frames = append(s.frames, f)
				s.mu.Unlock()
				f = frame{}
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// await waits until a frame matches, or fails the test after timeout.
func (s *stream) await(t *testing.T, what string, timeout time.Duration, match func(frame) bool) frame {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for _, f := range s.frames {
			if match(f) {
				s.mu.Unlock()
				t.Logf("%s after %v", what, time.Since(deadline.Add(-timeout)).Round(time.Millisecond))
				return f
			}
		}
		s.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s within %v", what, timeout)
	return frame{}
}

// TestLiveEventsReachEveryInstance: with two instances on PostgreSQL, a
// browser connected to either sees what happened on the other.
func TestLiveEventsReachEveryInstance(t *testing.T) {
	skipShort(t)
	c := Start(t, Options{Instances: 2, Dialect: "postgres"})
	a, b := openStream(t, c, c.URL(0)), openStream(t, c, c.URL(1))

	// A customer writes. Exactly one instance processes the delivery, so
	// whichever it was, the stream on the other one got the event through
	// the bridge; both must see it.
	text := "hello from the cluster test"
	if code := c.SimJSON("POST", "/_sim/inbound", map[string]any{"phone_number_id": c.Seed.PhoneNumberID,
		"from": "4917000000001", "name": "Live", "type": "text", "text": text}, nil); code != 200 {
		t.Fatalf("sim inbound: %d", code)
	}
	var in frame
	for i, s := range []*stream{a, b} {
		in = s.await(t, fmt.Sprintf("message.created for the customer message on instance %d", i), 15*time.Second,
			func(f frame) bool { return f.Type == "message.created" && f.Data.Text == text })
	}

	// An agent answers on instance 0: the message is created there, so
	// instance 1 can only learn of it from the bridge.
	var reply struct {
		ID string `json:"id"`
	}
	if code := c.do(c.URL(0), "Bearer "+c.Token, "POST", "/api/v1/tickets/"+in.Data.TicketID+"/messages",
		map[string]any{"text": "answer from instance 0"}, &reply); code != 202 {
		t.Fatalf("reply on instance 0: %d", code)
	}
	b.await(t, "message.created for the reply on instance 1", 15*time.Second,
		func(f frame) bool { return f.Type == "message.created" && f.Data.ID == reply.ID })
	// Its status moves on as the Cloud API accepts it and reports it sent,
	// delivered and read; instance 1 streams the updates too.
	for _, s := range []*stream{a, b} {
		s.await(t, "message.updated (delivered or read) for the reply", 30*time.Second, func(f frame) bool {
			return f.Type == "message.updated" && f.Data.ID == reply.ID && (f.Data.Status == "delivered" || f.Data.Status == "read")
		})
	}
}
