package events

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store/storetest"
)

// recorder is a Publisher that remembers what it received.
type recorder struct {
	mu  sync.Mutex
	got []helpdesk.Event
}

func (r *recorder) Publish(ev helpdesk.Event) {
	r.mu.Lock()
	r.got = append(r.got, ev)
	r.mu.Unlock()
}

func (r *recorder) events() []helpdesk.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]helpdesk.Event(nil), r.got...)
}

// instance is one bridge on a database schema, running until the test ends.
type instance struct {
	b    *Bridge
	rec  *recorder
	pool *pgxpool.Pool
}

func startBridge(t *testing.T, url string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	b, err := NewBridge(ctx, BridgeOptions{Pool: pool, Local: rec})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); b.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; pool.Close() })
	return &instance{b: b, rec: rec, pool: pool}
}

// awaitEvent publishes ev on from (again every 100 ms, as the listener may
// not be connected yet) until to has received it; it returns what to
// received before it.
func awaitEvent(t *testing.T, from, to *instance, ev helpdesk.Event) []helpdesk.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		from.b.Publish(ev)
		for range 10 {
			for i, got := range to.rec.events() {
				if got.Type == ev.Type && got.TicketID == ev.TicketID && got.MessageID == ev.MessageID {
					return to.rec.events()[:i]
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Fatalf("event %+v never arrived", ev)
	return nil
}

func TestBridge(t *testing.T) {
	group := int64(42)
	cases := []struct {
		name string
		run  func(t *testing.T, url string)
	}{
		{"an event of one instance reaches the other with its fields", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			ev := helpdesk.Event{Type: helpdesk.EventMessageCreated, TicketID: 7, MessageID: 70, GroupID: &group}
			awaitEvent(t, a, b, ev)
			got := b.rec.events()[0]
			if got.GroupID == nil || *got.GroupID != group || got.TicketID != 7 || got.MessageID != 70 {
				t.Errorf("received %+v, want %+v", got, ev)
			}
		}},
		{"an instance does not receive its own events back", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			awaitEvent(t, a, b, helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 1})
			// a's event was committed before b's: had a received its own
			// it would come first.
			before := awaitEvent(t, b, a, helpdesk.Event{Type: helpdesk.EventTicketUpdated, TicketID: 2})
			for _, ev := range before {
				if ev.TicketID == 1 {
					t.Fatalf("instance a received its own event %+v", ev)
				}
			}
		}},
		{"events of another schema in the same database are ignored", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			other := startBridge(t, storetest.PostgresURL(t))
			awaitEvent(t, a, b, helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 1}) // both listen now
			other.b.Publish(helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 666})
			time.Sleep(50 * time.Millisecond) // committed before a's next one
			before := awaitEvent(t, a, b, helpdesk.Event{Type: helpdesk.EventTicketUpdated, TicketID: 3})
			for _, ev := range before {
				if ev.TicketID == 666 {
					t.Fatalf("received another schema's event %+v", ev)
				}
			}
		}},
		{"the listener reconnects after its connection is killed", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			awaitEvent(t, a, b, helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 1})
			var killed int
			err := a.pool.QueryRow(context.Background(), `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE application_name = $1`, "wadesk events "+b.b.Origin()).Scan(&killed)
			if err != nil || killed != 1 {
				t.Fatalf("terminated %d listener connections (%v), want 1", killed, err)
			}
			awaitEvent(t, a, b, helpdesk.Event{Type: helpdesk.EventMessageUpdated, TicketID: 5, MessageID: 50})
		}},
		{"malformed and unknown notifications are ignored", func(t *testing.T, url string) {
			a, b := startBridge(t, url), startBridge(t, url)
			awaitEvent(t, a, b, helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 1})
			for _, p := range []string{`not json`, `{"type":"user.deleted","ticket_id":9,"origin":"x","schema":"` + a.b.schema + `"}`,
				`{"type":"ticket.updated","ticket_id":0,"origin":"x","schema":"` + a.b.schema + `"}`} {
				if _, err := a.pool.Exec(context.Background(), `SELECT pg_notify($1, $2)`, BridgeChannel, p); err != nil {
					t.Fatal(err)
				}
			}
			before := awaitEvent(t, a, b, helpdesk.Event{Type: helpdesk.EventTicketUpdated, TicketID: 4})
			for _, ev := range before {
				if ev.TicketID != 1 {
					t.Fatalf("received %+v from a malformed or unknown notification", ev)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, storetest.PostgresURL(t))
		})
	}
}

// TestBridgeDecode covers the filter without a database.
func TestBridgeDecode(t *testing.T) {
	b := &Bridge{origin: "me", schema: "s1"}
	cases := []struct {
		name    string
		payload string
		ok      bool
	}{
		{"another instance's message event", `{"type":"message.created","ticket_id":3,"message_id":4,"group_id":5,"origin":"you","schema":"s1"}`, true},
		{"own event", `{"type":"message.created","ticket_id":3,"message_id":4,"origin":"me","schema":"s1"}`, false},
		{"other schema", `{"type":"ticket.created","ticket_id":3,"origin":"you","schema":"s2"}`, false},
		{"unknown type", `{"type":"ticket.deleted","ticket_id":3,"origin":"you","schema":"s1"}`, false},
		{"no ticket", `{"type":"ticket.created","origin":"you","schema":"s1"}`, false},
		{"not JSON", `ticket.created`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, ok := b.decode(c.payload); ok != c.ok {
				t.Errorf("decode(%s) ok = %v, want %v", c.payload, ok, c.ok)
			}
		})
	}
	round, ok := (&Bridge{origin: "you", schema: "s1"}).decode(b.encode(helpdesk.Event{Type: helpdesk.EventTicketUpdated, TicketID: 9}))
	if !ok || round.TicketID != 9 || round.GroupID != nil {
		t.Errorf("encode/decode round trip = %+v, %v", round, ok)
	}
}
