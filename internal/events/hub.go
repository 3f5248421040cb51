// Package events is the hub behind the live event stream (SSE,
// GET /api/v1/events) and, on PostgreSQL, the event log that makes the
// stream cluster-wide.
//
// Every event gets an id that only grows and keeps its place in a ring of
// recent events. Each stream follows the ring from its own position, so a
// client that lags or reconnects with Last-Event-ID gets exactly what it
// missed: from the ring, from the PostgreSQL log when the ring no longer
// holds it, or — when neither does — a "resync" event telling it to
// reload. An event's data (the ticket or message as the API shows it) is
// rendered once, when the first stream needs it, and shared by the others;
// nothing is rendered while nobody listens.
//
// A single instance (SQLite) numbers its own events as they are published.
// With several instances on PostgreSQL the hub follows the log instead
// (Bridge): every event, this instance's too, comes back from the log with
// the log's id, so ids mean the same on every instance.
package events

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// Options configure a Hub. Render is required.
type Options struct {
	// Render loads and encodes an event's data (web.Server.EventData).
	Render func(ctx context.Context, ev helpdesk.Event) ([]byte, error)
	Logger *slog.Logger
	// Ring is how many recent events are kept for streams that lag or
	// resume (default 8192).
	Ring int
	// Registry receives the hub's metrics; may be nil.
	Registry prometheus.Registerer
	// Now numbers a single instance's events from its start time; default
	// time.Now.
	Now func() time.Time
}

// Archive holds events older than the ring: the PostgreSQL event log.
type Archive interface {
	// After returns up to limit events with an id above after, in id
	// order, or ErrTooOld when some of them are no longer kept.
	After(ctx context.Context, after uint64, limit int) ([]Logged, error)
}

// Logged is an event with its id in the log.
type Logged struct {
	ID uint64
	helpdesk.Event
}

// Hub streams events to subscribers. It never blocks a publisher.
type Hub struct {
	render func(ctx context.Context, ev helpdesk.Event) ([]byte, error)
	log    *slog.Logger
	// ctx bounds renders and streams; Close cancels it.
	ctx  context.Context
	stop context.CancelFunc

	mu      sync.Mutex
	ring    *ring
	wake    chan struct{} // closed (and replaced) when events arrive
	archive Archive       // set when following the PostgreSQL log
	closed  bool

	clients           prometheus.Gauge
	resyncs, replayed prometheus.Counter
}

// New returns a Hub that numbers the events it is published; a Bridge
// makes it follow the PostgreSQL log instead.
func New(o Options) *Hub {
	if o.Ring <= 0 {
		o.Ring = 8192
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ctx, stop := context.WithCancel(context.Background())
	h := &Hub{render: o.Render, log: o.Logger, ctx: ctx, stop: stop,
		// A restarted instance numbers from its start time in
		// microseconds, above any id of its previous run (which would have
		// needed more than an event per microsecond to catch up): a client
		// resuming with an old id is told to resync, never given a
		// stranger's events.
		ring: newRing(o.Ring, uint64(o.Now().UnixMicro())),
		wake: make(chan struct{}),
		clients: prometheus.NewGauge(prometheus.GaugeOpts{Name: "wadesk_sse_clients",
			Help: "Connected live event streams."}),
		resyncs: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_sse_resyncs_total",
			Help: "Streams told to reload (resync) because the events they missed are no longer kept."}),
		replayed: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_sse_replayed_events_total",
			Help: "Events streamed from the PostgreSQL log to streams that lagged or resumed beyond the ring."}),
	}
	if o.Registry != nil {
		for _, c := range []prometheus.Collector{h.clients, h.resyncs, h.replayed} {
			if err := o.Registry.Register(c); err != nil {
				h.log.Warn("events: metrics not registered", "error", err)
			}
		}
	}
	return h
}

// Publish implements helpdesk.Publisher for a single instance: the event
// gets the next id. It never blocks. While the hub follows the PostgreSQL
// log it does nothing: the event comes back from the log.
func (h *Hub) Publish(ev helpdesk.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.archive != nil {
		return
	}
	h.add(h.ring.head+1, ev)
}

// Follow makes the hub stream the PostgreSQL log: from now on its events
// arrive through Append with the log's ids, the first above head, and
// streams resuming before the ring read archive. The Bridge calls it
// before it starts.
func (h *Hub) Follow(head uint64, archive Archive) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.archive = archive
	h.ring = newRing(len(h.ring.buf), head)
}

// Append adds an event of the log; ids must grow. It never blocks.
func (h *Hub) Append(id uint64, ev helpdesk.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id <= h.ring.head {
		return // already here (a reader re-reading after a reconnect)
	}
	h.add(id, ev)
}

// add appends to the ring and wakes the streams; h.mu must be held.
func (h *Hub) add(id uint64, ev helpdesk.Event) {
	h.ring.add(&entry{id: id, ev: ev})
	close(h.wake)
	h.wake = make(chan struct{})
}

// Subscribe implements web.EventSource. lastEventID is the client's
// Last-Event-ID: the stream starts after it, or at the newest event when
// it is empty. An id the hub cannot resume from starts with a resync.
func (h *Hub) Subscribe(lastEventID string, visible func(groupID *int64) bool) (<-chan web.EventFrame, func()) {
	ctx, cancel := context.WithCancel(h.ctx)
	ch := make(chan web.EventFrame, 16)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		cancel()
		close(ch)
		return ch, func() {}
	}
	s := &stream{hub: h, ch: ch, visible: visible, cursor: h.ring.head}
	if lastEventID == "" {
		s.announce = true // tell the client where it starts, so it can resume from there
	} else if id, err := strconv.ParseUint(lastEventID, 10, 64); err != nil || !h.canResume(id) {
		s.resync = true
	} else {
		s.cursor = id
	}
	h.clients.Inc()
	h.mu.Unlock()
	go func() {
		defer h.clients.Dec()
		defer close(ch)
		s.run(ctx)
	}()
	return ch, cancel
}

// canResume reports whether a stream can start after id; h.mu must be
// held. A single instance knows exactly; with the log, an id older than
// the ring is checked when the archive is read, and one above head is
// another instance's that this one has not read yet.
func (h *Hub) canResume(id uint64) bool {
	if h.archive != nil {
		return true
	}
	return id >= h.ring.base && id <= h.ring.head
}

// Run keeps the hub open until ctx ends, then closes every stream.
func (h *Hub) Run(ctx context.Context) {
	<-ctx.Done()
	h.Close()
}

// Close ends every stream and refuses new ones; the server calls it when
// shutting down, so open streams do not hold the shutdown up.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.stop()
}
