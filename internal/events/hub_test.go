package events

import (
	"context"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
)

func render(_ context.Context, ev helpdesk.Event) ([]byte, error) {
	return []byte(`{"ticket":` + string(rune('0'+ev.TicketID%10)) + `}`), nil
}

func all(*int64) bool { return true }

func TestHub(t *testing.T) {
	group := int64(7)
	cases := []struct {
		name string
		run  func(t *testing.T, h *Hub)
	}{
		{"frames have growing ids and pass the visibility filter", func(t *testing.T, h *Hub) {
			mine, cancel := h.Subscribe(func(g *int64) bool { return g != nil && *g == group })
			defer cancel()
			h.Publish(helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 1, GroupID: &group})
			h.Publish(helpdesk.Event{Type: helpdesk.EventTicketCreated, TicketID: 2}) // no group: filtered
			h.Publish(helpdesk.Event{Type: helpdesk.EventMessageCreated, TicketID: 3, MessageID: 9, GroupID: &group})
			a, b := <-mine, <-mine
			if a.Type != helpdesk.EventTicketCreated || b.Type != helpdesk.EventMessageCreated || b.ID <= a.ID {
				t.Errorf("frames = %+v, %+v", a, b)
			}
		}},
		{"a slow subscriber is dropped, the others keep receiving", func(t *testing.T, h *Hub) {
			slow, cancelSlow := h.Subscribe(all)
			defer cancelSlow()
			fast, cancelFast := h.Subscribe(all)
			defer cancelFast()
			for i := range 20 { // buffer is 4
				h.Publish(helpdesk.Event{Type: helpdesk.EventTicketUpdated, TicketID: int64(i)})
				select {
				case <-fast:
				case <-time.After(2 * time.Second):
					t.Fatal("the fast subscriber starved")
				}
			}
			n := 0
			for range slow { // closed after its buffer overflowed
				n++
			}
			if n > 4 {
				t.Errorf("slow subscriber got %d frames after its buffer of 4", n)
			}
		}},
		{"Close ends every stream and refuses new ones", func(t *testing.T, h *Hub) {
			s, _ := h.Subscribe(all)
			h.Close()
			if _, ok := <-s; ok {
				t.Error("stream still open after Close")
			}
			late, _ := h.Subscribe(all)
			if _, ok := <-late; ok {
				t.Error("a subscription after Close is open")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New(Options{Render: render, Buffer: 4})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); h.Run(ctx) }()
			c.run(t, h)
			cancel()
			<-done
		})
	}
}
