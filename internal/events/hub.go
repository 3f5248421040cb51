// Package events is the in-memory hub behind the live event stream (SSE,
// GET /api/v1/events). It receives domain events after their transaction
// committed (it is a helpdesk.Publisher), renders each once — the ticket
// or message as the API shows it — and fans the frame out to every
// subscriber allowed to see the ticket's group.
//
// Publishers never wait: events queue in a bounded buffer (when it is full
// the event is dropped and counted), and a subscriber that does not keep
// up is dropped rather than slowing the others; its client reconnects and
// reloads. Anything that can call Publish is a source: today the
// Service's events of this process; with several instances on PostgreSQL
// a LISTEN/NOTIFY bridge can publish the events of the others the same way.
package events

import (
	"context"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// Options configure a Hub. Render is required.
type Options struct {
	// Render loads and encodes an event's data (web.Server.EventData).
	Render func(ctx context.Context, ev helpdesk.Event) ([]byte, error)
	Logger *slog.Logger
	// Queue bounds the events waiting to be rendered (default 4096).
	Queue int
	// Buffer bounds each subscriber's unsent frames (default 256).
	Buffer int
	// Registry receives the hub's metrics; may be nil.
	Registry prometheus.Registerer
}

// Hub fans events out to subscribers. Run must be running for events to flow.
type Hub struct {
	render func(ctx context.Context, ev helpdesk.Event) ([]byte, error)
	log    *slog.Logger
	in     chan helpdesk.Event
	buffer int

	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	seq    uint64 // last frame id; ids only grow

	clients       prometheus.Gauge
	dropped, lost prometheus.Counter
}

type subscriber struct {
	ch      chan web.EventFrame
	visible func(groupID *int64) bool
}

// New returns a Hub; register it with the event source and start Run.
func New(o Options) *Hub {
	if o.Queue <= 0 {
		o.Queue = 4096
	}
	if o.Buffer <= 0 {
		o.Buffer = 256
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Hub{render: o.Render, log: o.Logger, in: make(chan helpdesk.Event, o.Queue), buffer: o.Buffer,
		subs: map[*subscriber]struct{}{},
		clients: prometheus.NewGauge(prometheus.GaugeOpts{Name: "wadesk_sse_clients",
			Help: "Connected live event streams."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_sse_dropped_clients_total",
			Help: "Event streams closed because the client did not keep up."}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_sse_lost_events_total",
			Help: "Events not streamed because the hub's queue was full."}),
	}
	if o.Registry != nil {
		for _, c := range []prometheus.Collector{h.clients, h.dropped, h.lost} {
			if err := o.Registry.Register(c); err != nil {
				h.log.Warn("events: metrics not registered", "error", err)
			}
		}
	}
	return h
}

// Publish implements helpdesk.Publisher; it never blocks.
func (h *Hub) Publish(ev helpdesk.Event) {
	select {
	case h.in <- ev:
	default:
		h.lost.Inc()
	}
}

// Subscribe implements web.EventSource.
func (h *Hub) Subscribe(visible func(groupID *int64) bool) (<-chan web.EventFrame, func()) {
	s := &subscriber{ch: make(chan web.EventFrame, h.buffer), visible: visible}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	h.subs[s] = struct{}{}
	h.clients.Inc()
	return s.ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.remove(s)
	}
}

// remove closes s's channel once; h.mu must be held.
func (h *Hub) remove(s *subscriber) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
		h.clients.Dec()
	}
}

// Run renders and fans out events until ctx ends, then closes every stream.
func (h *Hub) Run(ctx context.Context) {
	defer h.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-h.in:
			h.deliver(ctx, ev)
		}
	}
}

// Close ends every stream and refuses new ones; the server calls it when
// shutting down, so open streams do not hold the shutdown up.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		h.remove(s)
	}
}

func (h *Hub) deliver(ctx context.Context, ev helpdesk.Event) {
	h.mu.Lock()
	idle := len(h.subs) == 0
	h.mu.Unlock()
	if idle {
		return // nobody listens: do not load anything
	}
	data, err := h.render(ctx, ev)
	if err != nil {
		// Typically the row is gone (deleted since); nothing to stream.
		h.log.Debug("events: not rendered", "type", ev.Type, "ticket_id", ev.TicketID, "message_id", ev.MessageID, "error", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	f := web.EventFrame{ID: h.seq, Type: ev.Type, Data: data}
	for s := range h.subs {
		if !s.visible(ev.GroupID) {
			continue
		}
		select {
		case s.ch <- f:
		default:
			h.remove(s)
			h.dropped.Inc()
		}
	}
}
