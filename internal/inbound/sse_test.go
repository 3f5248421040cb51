package inbound_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
	"wadesk/internal/web"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	id, typ string
	data    []byte
}

// stream opens GET /api/v1/events with token and parses events into a
// channel until the test ends.
func stream(t *testing.T, e *apptest.Env, token string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.BaseURL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 256)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.typ != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = []byte(line[6:])
			}
		}
	}()
	return out
}

// agentToken creates an agent in the group and returns a bearer token.
func agentToken(t *testing.T, e *apptest.Env, email, groupID string) string {
	t.Helper()
	var u web.UserView
	doJSON(t, e, "POST", "/api/v1/users", map[string]any{"email": email, "name": email, "role": "agent",
		"password": "a long enough password", "group_ids": []string{groupID}}, 201, &u)
	id, _ := strconv.ParseInt(u.ID, 10, 64)
	tok, _, err := e.App.Service.CreateAPIToken(context.Background(), id, "sse")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// next returns the next event of type typ about ticketID, or false after wait.
func next(events <-chan sseEvent, typ, ticketID string, wait time.Duration) (sseEvent, bool) {
	deadline := time.After(wait)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return sseEvent{}, false
			}
			var v struct {
				ID       string `json:"id"`
				TicketID string `json:"ticket_id"`
			}
			_ = json.Unmarshal(ev.data, &v)
			if strings.HasPrefix(ev.typ, "ticket.") {
				v.TicketID = v.ID
			}
			if ev.typ == typ && (v.TicketID == ticketID || (ticketID == "" && v.TicketID != "")) {
				return ev, true
			}
		case <-deadline:
			return sseEvent{}, false
		}
	}
}

func TestLiveEventsFollowVisibility(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		other := newChannel(t, e, nil) // only for its group
		admin := stream(t, e, e.AdminToken)
		adminTickets := stream(t, e, e.AdminToken)
		member := stream(t, e, agentToken(t, e, "member@example.com", ch.groupID))
		outsider := stream(t, e, agentToken(t, e, "outsider@example.com", other.groupID))

		send(t, e, ch, sim.Inbound{Type: "text", Text: "anyone there?"})
		ev, ok := next(admin, "message.created", "", 10*time.Second)
		if !ok {
			t.Fatal("the admin got no message.created")
		}
		var m web.MessageView
		if err := json.Unmarshal(ev.data, &m); err != nil || m.Text != "anyone there?" || m.Type != "text" || m.Direction != "in" {
			t.Fatalf("admin event data = %s (%v)", ev.data, err)
		}
		if n, err := strconv.Atoi(ev.id); err != nil || n < 1 {
			t.Errorf("event id = %q", ev.id)
		}
		if _, ok := next(member, "message.created", m.TicketID, 5*time.Second); !ok {
			t.Error("an agent of the ticket's group got no message.created")
		}
		if ev, ok := next(outsider, "message.created", m.TicketID, 500*time.Millisecond); ok {
			t.Errorf("an agent of another group got %s %s", ev.typ, ev.data)
		}
		ev, ok = next(adminTickets, "ticket.created", m.TicketID, 5*time.Second)
		var tk web.TicketView
		if !ok || json.Unmarshal(ev.data, &tk) != nil || tk.State != "new" || tk.GroupID == nil || *tk.GroupID != ch.groupID {
			t.Errorf("ticket.created = %v %s", ok, ev.data)
		}
	})
}
