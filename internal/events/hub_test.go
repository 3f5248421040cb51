package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// renderer is a test Render: the ticket id as JSON, or the error set for
// a ticket.
type renderer struct {
	mu    sync.Mutex
	fail  map[int64]error
	calls int
}

func (r *renderer) render(_ context.Context, ev helpdesk.Event) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if err := r.fail[ev.TicketID]; err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, `{"ticket":%d}`, ev.TicketID), nil
}

func (r *renderer) failFor(ticket int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail == nil {
		r.fail = map[int64]error{}
	}
	r.fail[ticket] = err
}

func all(*int64) bool { return true }

func inGroup(g int64) func(*int64) bool {
	return func(id *int64) bool { return id != nil && *id == g }
}

// next returns the next frame that is an event (not a position), failing
// after a second.
func next(t *testing.T, frames <-chan web.EventFrame) web.EventFrame {
	t.Helper()
	timeout := time.After(time.Second)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("stream closed")
			}
			if f.Type != "" {
				return f
			}
		case <-timeout:
			t.Fatal("no event within a second")
		}
	}
}

// quiet fails if an event frame arrives within d.
func quiet(t *testing.T, frames <-chan web.EventFrame, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case f, ok := <-frames:
			if ok && f.Type != "" {
				t.Fatalf("unexpected frame %+v (%s)", f, f.Data)
			}
			if !ok {
				return
			}
		case <-timeout:
			return
		}
	}
}

// position waits for the stream's position frame and returns its id.
func position(t *testing.T, frames <-chan web.EventFrame) uint64 {
	t.Helper()
	select {
	case f := <-frames:
		if f.Type != "" {
			t.Fatalf("first frame %+v, want a position", f)
		}
		return f.ID
	case <-time.After(time.Second):
		t.Fatal("no position frame")
	}
	return 0
}

func ticket(id int64, group *int64) helpdesk.Event {
	return helpdesk.Event{Type: helpdesk.EventTicketUpdated, TicketID: id, GroupID: group}
}

func id(f web.EventFrame) string { return strconv.FormatUint(f.ID, 10) }

func TestHub(t *testing.T) {
	g7, g8 := int64(7), int64(8)
	cases := []struct {
		name string
		run  func(t *testing.T, h *Hub, r *renderer)
	}{
		{"frames have growing ids and pass the visibility filter", func(t *testing.T, h *Hub, r *renderer) {
			mine, cancel := h.Subscribe("", inGroup(g7))
			defer cancel()
			position(t, mine)
			h.Publish(helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 1, GroupID: &g7})
			h.Publish(helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 2}) // no group: filtered
			h.Publish(helpdesk.Event{Type: helpdesk.EventMessageCreated, TicketID: 3, MessageID: 9, GroupID: &g7})
			a, b := next(t, mine), next(t, mine)
			if a.Type != helpdesk.EventTicketCreated || string(a.Data) != `{"ticket":1}` ||
				b.Type != helpdesk.EventMessageCreated || b.ID <= a.ID {
				t.Errorf("frames = %+v, %+v", a, b)
			}
		}},
		{"a client resuming with Last-Event-ID gets what it missed, then live events", func(t *testing.T, h *Hub, r *renderer) {
			first, cancel := h.Subscribe("", all)
			h.Publish(ticket(1, nil))
			last := next(t, first)
			cancel() // the connection breaks
			for i := int64(2); i <= 4; i++ {
				h.Publish(ticket(i, nil))
			}
			again, cancel := h.Subscribe(id(last), all)
			defer cancel()
			h.Publish(ticket(5, nil))
			for want := 2; want <= 5; want++ {
				if f := next(t, again); string(f.Data) != fmt.Sprintf(`{"ticket":%d}`, want) {
					t.Fatalf("after resuming got %s, want ticket %d", f.Data, want)
				}
			}
		}},
		{"a resuming agent gets no missed event of another group", func(t *testing.T, h *Hub, r *renderer) {
			first, cancel := h.Subscribe("", inGroup(g7))
			start := position(t, first)
			cancel()
			h.Publish(ticket(1, &g8))
			h.Publish(ticket(2, nil))
			h.Publish(ticket(3, &g7))
			again, cancel := h.Subscribe(strconv.FormatUint(start, 10), inGroup(g7))
			defer cancel()
			if f := next(t, again); string(f.Data) != `{"ticket":3}` {
				t.Fatalf("replayed %s, want only ticket 3", f.Data)
			}
			quiet(t, again, 100*time.Millisecond)
		}},
		{"a client that saw nothing of its own still advances its position", func(t *testing.T, h *Hub, r *renderer) {
			s, cancel := h.Subscribe("", inGroup(g7))
			defer cancel()
			start := position(t, s)
			h.Publish(ticket(1, &g8))
			if p := position(t, s); p <= start {
				t.Errorf("position %d after an invisible event, was %d", p, start)
			}
		}},
		{"an id the ring no longer holds, an unknown one, or another run's gets a resync", func(t *testing.T, h *Hub, r *renderer) {
			s, cancel := h.Subscribe("", all)
			start := position(t, s)
			cancel()
			for i := range int64(10) { // the ring holds 4
				h.Publish(ticket(i+1, nil))
			}
			for _, last := range []string{strconv.FormatUint(start, 10), "garbage", "12", strconv.FormatUint(start+1000, 10)} {
				s, cancel := h.Subscribe(last, all)
				f := next(t, s)
				if f.Type != web.EventResync || string(f.Data) != "{}" || f.ID != start+10 {
					t.Errorf("Last-Event-ID %s: first frame %+v, want a resync at %d", last, f, start+10)
				}
				h.Publish(ticket(99, nil))
				if f := next(t, s); string(f.Data) != `{"ticket":99}` {
					t.Errorf("Last-Event-ID %s: after the resync got %s", last, f.Data)
				}
				cancel()
				start++
			}
		}},
		{"a stream that falls behind the ring gets a resync, the others everything", func(t *testing.T, h *Hub, r *renderer) {
			slow, cancelSlow := h.Subscribe("", all)
			defer cancelSlow()
			position(t, slow)
			fast, cancelFast := h.Subscribe("", all)
			defer cancelFast()
			position(t, fast)
			for i := range int64(40) { // the slow one's channel holds 16, the ring 4
				h.Publish(ticket(i, nil))
				if f := next(t, fast); string(f.Data) != fmt.Sprintf(`{"ticket":%d}`, i) {
					t.Fatalf("fast stream got %s, want ticket %d", f.Data, i)
				}
			}
			resynced := false
			for !resynced {
				resynced = next(t, slow).Type == web.EventResync
			}
		}},
		{"an event whose row is gone is skipped; a failed render ends the stream to be resumed", func(t *testing.T, h *Hub, r *renderer) {
			r.failFor(1, fmt.Errorf("store: %w", helpdesk.ErrNotFound))
			r.failFor(2, errors.New("database away"))
			s, cancel := h.Subscribe("", all)
			defer cancel()
			start := position(t, s)
			h.Publish(ticket(1, nil))
			h.Publish(ticket(2, nil))
			h.Publish(ticket(3, nil))
			for f := range s { // closed at ticket 2, ticket 1 skipped
				if f.Type != "" {
					t.Fatalf("got %+v before the stream ended", f)
				}
			}
			r.failFor(2, nil) // the database is back: the client resumes
			again, cancel := h.Subscribe(strconv.FormatUint(start, 10), all)
			defer cancel()
			for _, want := range []string{`{"ticket":2}`, `{"ticket":3}`} {
				if f := next(t, again); string(f.Data) != want {
					t.Errorf("resumed with %s, want %s", f.Data, want)
				}
			}
		}},
		{"an event is rendered once for every stream", func(t *testing.T, h *Hub, r *renderer) {
			var streams []<-chan web.EventFrame
			for range 3 {
				s, cancel := h.Subscribe("", all)
				defer cancel()
				position(t, s)
				streams = append(streams, s)
			}
			h.Publish(ticket(1, nil))
			for _, s := range streams {
				next(t, s)
			}
			if r.calls != 1 {
				t.Errorf("rendered %d times", r.calls)
			}
		}},
		{"Close ends every stream and refuses new ones", func(t *testing.T, h *Hub, r *renderer) {
			s, _ := h.Subscribe("", all)
			h.Close()
			for range s {
			}
			late, _ := h.Subscribe("", all)
			if _, ok := <-late; ok {
				t.Error("a subscription after Close is open")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &renderer{}
			h := New(Options{Render: r.render, Ring: 4})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); h.Run(ctx) }()
			c.run(t, h, r)
			cancel()
			<-done
		})
	}
}

// archive is an Archive over a slice, pruned below floor.
type archive struct {
	events []Logged
	floor  uint64 // ids at or below it are pruned
}

func (a *archive) After(_ context.Context, after uint64, limit int) ([]Logged, error) {
	if after < a.floor {
		return nil, ErrTooOld
	}
	var out []Logged
	for _, ev := range a.events {
		if ev.ID > after && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

// TestHubFollowingTheLog covers the hub on PostgreSQL without a database:
// ids come from the log, older events from the archive.
func TestHubFollowingTheLog(t *testing.T) {
	g7 := int64(7)
	r := &renderer{}
	h := New(Options{Render: r.render, Ring: 4})
	defer h.Close()
	log := &archive{floor: 100}
	for id := uint64(101); id <= 120; id += 2 { // gaps, as rolled back appends leave
		log.events = append(log.events, Logged{ID: id, Event: ticket(int64(id), &g7)})
	}
	h.Follow(111, log) // the log's head when this instance started
	for _, ev := range log.events[len(log.events)-4:] {
		h.Append(ev.ID, ev.Event) // what the reader read since it started
	}
	h.Publish(ticket(1, nil)) // ignored: this instance's events come back from the log
	h.Append(121, ticket(121, nil))
	h.Append(121, ticket(121, nil)) // read twice after a reconnect: once in the stream

	s, cancel := h.Subscribe("104", inGroup(g7)) // before the ring: from the archive, then the ring
	defer cancel()
	for want := 105; want <= 119; want += 2 {
		if f := next(t, s); f.ID != uint64(want) {
			t.Fatalf("frame %d (%s), want %d", f.ID, f.Data, want)
		}
	}
	quiet(t, s, 100*time.Millisecond)                    // 121 has no group
	if got := testutil.ToFloat64(h.replayed); got != 8 { // 105…119; 121 evicted 113 from the ring
		t.Errorf("replayed %v events from the archive, want 8", got)
	}

	gone, cancel := h.Subscribe("99", all) // pruned
	defer cancel()
	if f := next(t, gone); f.Type != web.EventResync || f.ID != 121 {
		t.Errorf("a pruned id got %+v, want a resync at 121", f)
	}

	ahead, cancel := h.Subscribe("125", all) // another instance has read further: wait for it
	defer cancel()
	h.Append(123, ticket(123, nil))
	h.Append(127, ticket(127, nil))
	if f := next(t, ahead); f.ID != 127 {
		t.Errorf("a stream ahead of this instance got %d first, want 127", f.ID)
	}
}
