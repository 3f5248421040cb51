package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"wadesk/internal/app"
	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
	"wadesk/internal/web"
)

// sse is one GET /api/v1/events connection as a browser's EventSource
// would see it: events, and the last id received (an id line alone moves
// it too).
type sse struct {
	cancel func()
	done   chan struct{}
	mu     sync.Mutex
	events []sseEvent
	lastID string
}

type sseEvent struct {
	id, typ string
	ticket  web.TicketView
}

// connect opens the stream on base with token, sending lastID as
// Last-Event-ID when it is not empty.
func connect(t *testing.T, base, token, lastID string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		cancel()
		t.Fatalf("GET /api/v1/events: %v %v", resp, err)
	}
	s := &sse{cancel: cancel, done: make(chan struct{}), lastID: lastID}
	go func() {
		defer close(s.done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var id, typ, data string
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "id: "):
				id = line[4:]
			case strings.HasPrefix(line, "event: "):
				typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = line[6:]
			case line == "":
				s.mu.Lock()
				if id != "" {
					s.lastID = id
				}
				if typ != "" {
					ev := sseEvent{id: id, typ: typ}
					json.Unmarshal([]byte(data), &ev.ticket)
					s.events = append(s.events, ev)
				}
				s.mu.Unlock()
				id, typ, data = "", "", ""
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

// close breaks the connection and returns the last id received.
func (s *sse) close() {
	s.cancel()
	<-s.done
}

func (s *sse) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID
}

// tickets waits until n ticket.updated events (or resyncs) arrived, then
// a little longer for any extra, and returns their ticket ids ("resync"
// for one). Replayed events carry the ticket as it is now, like the
// fragments a browser fetches for them.
func (s *sse) tickets(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	extra := time.Time{}
	for {
		s.mu.Lock()
		var got []string
		for _, ev := range s.events {
			switch ev.typ {
			case web.EventResync:
				got = append(got, "resync")
			case "ticket.updated":
				got = append(got, ev.ticket.ID)
			}
		}
		s.mu.Unlock()
		if len(got) >= n && extra.IsZero() {
			extra = time.Now().Add(200 * time.Millisecond)
		}
		if (!extra.IsZero() && time.Now().After(extra)) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// groupTicket creates a group with a channel and one customer's ticket in
// it; it returns the group's and the ticket's ids.
func groupTicket(t *testing.T, e *apptest.Env, n int) (groupID, ticketID string) {
	t.Helper()
	num, err := e.Sim.AddNumber(sim.Number{ID: fmt.Sprintf("30000000000%04d", n), WABAID: e.Seed.WABAID})
	if err != nil {
		t.Fatal(err)
	}
	var g web.GroupView
	call(t, e, "POST", "/api/v1/groups", map[string]any{"name": fmt.Sprintf("Events %d", n)}, 201, &g)
	var ch web.ChannelView
	call(t, e, "POST", "/api/v1/channels", map[string]any{"name": fmt.Sprintf("Events %d", n), "waba_id": e.Seed.WABAID,
		"phone_number_id": num.ID, "access_token": e.Seed.AccessToken, "app_secret": e.Seed.AppSecret, "group_id": g.ID}, 201, &ch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := e.Sim.CustomerSend(ctx, sim.Inbound{PhoneNumberID: num.ID, From: fmt.Sprintf("4917300%05d", n), Type: "text", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	var page struct{ Data []web.TicketView }
	e.Eventually(15*time.Second, "the ticket", func() bool {
		call(t, e, "GET", "/api/v1/tickets?channel_id="+ch.ID, nil, 200, &page)
		return len(page.Data) == 1
	})
	return g.ID, page.Data[0].ID
}

func call(t *testing.T, e *apptest.Env, method, path string, body any, want int, out any) {
	t.Helper()
	code, b := e.Do(method, path, body)
	if code != want {
		t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

func retitle(t *testing.T, e *apptest.Env, ticketID, title string) {
	t.Helper()
	call(t, e, "PATCH", "/api/v1/tickets/"+ticketID, map[string]any{"title": title}, 200, nil)
}

// agent creates an agent of group and returns a bearer token.
func agent(t *testing.T, e *apptest.Env, group string) string {
	t.Helper()
	var u web.UserView
	call(t, e, "POST", "/api/v1/users", map[string]any{"email": "agent" + group + "@example.com", "name": "Agent",
		"role": "agent", "password": "a long enough password", "group_ids": []string{group}}, 201, &u)
	var id int64
	fmt.Sscan(u.ID, &id)
	tok, _, err := e.App.Service.CreateAPIToken(context.Background(), id, "events")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// startPeer runs a second wadesk on e's PostgreSQL schema, as another
// instance of the cluster, and returns its base URL.
func startPeer(t *testing.T, e *apptest.Env) string {
	t.Helper()
	cfg := *e.App.Config
	base := *cfg.BaseURL
	cfg.BaseURL, cfg.Addr, cfg.DataDir = &base, "127.0.0.1:0", t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	peer, err := app.New(ctx, &cfg, app.Options{Logger: slog.New(slog.DiscardHandler), ShutdownTimeout: 5 * time.Second})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- peer.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + peer.Addr()
}

func TestEventsResumeWithLastEventID(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		groupA, mine := groupTicket(t, e, 1)
		_, theirs := groupTicket(t, e, 2)
		tokA := agent(t, e, groupA)

		admin := connect(t, e.BaseURL, e.AdminToken, "")
		member := connect(t, e.BaseURL, tokA, "")
		retitle(t, e, mine, "seen live")
		if got := admin.tickets(t, 1); len(got) != 1 || got[0] != mine {
			t.Fatalf("live: %v", got)
		}
		member.tickets(t, 1)
		admin.close() // both connections break
		member.close()

		retitle(t, e, mine, "missed 1")
		retitle(t, e, theirs, "missed, other group")
		retitle(t, e, mine, "missed 2")

		instances := map[string]string{"the same instance": e.BaseURL}
		latest := e.BaseURL // the instance started last
		if e.App.DB.PgxPool() != nil {
			latest = startPeer(t, e)
			instances["another instance"] = latest
		}
		for name, base := range instances {
			t.Run(name, func(t *testing.T) {
				admin := connect(t, base, e.AdminToken, admin.last())
				member := connect(t, base, tokA, member.last())
				want := []string{mine, theirs, mine}
				if got := admin.tickets(t, 3); strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("the admin resumed with tickets %q, want %q", got, want)
				}
				want = []string{mine, mine} // no event of another group, replayed or not
				if got := member.tickets(t, 2); strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("the agent resumed with tickets %q, want %q", got, want)
				}
			})
		}

		t.Run("an id that cannot be resumed gets a resync", func(t *testing.T) {
			// PostgreSQL: what follows id 1 was pruned (the cleanup), and
			// the instance started after it; SQLite: 1 is no id of this run.
			if _, err := e.App.DB.Writer().Exec(`DELETE FROM event_log WHERE id < (SELECT MAX(id) FROM event_log)`); err != nil {
				t.Fatal(err)
			}
			s := connect(t, latest, e.AdminToken, "1")
			retitle(t, e, mine, "after the resync")
			if got := s.tickets(t, 2); strings.Join(got, "|") != "resync|"+mine {
				t.Errorf("got %q, want a resync then the live event", got)
			}
		})
	})
}
