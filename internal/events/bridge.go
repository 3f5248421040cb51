package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
)

// BridgeChannel is the PostgreSQL notification channel that wakes the
// instances when events were appended to the log; the payload is the
// schema, as NOTIFY is per database.
const BridgeChannel = "wadesk_events"

// Follower is what the Bridge feeds: the Hub.
type Follower interface {
	// Follow is called once, before the first Append, with the log's
	// newest id and the log itself for older events.
	Follow(head uint64, archive Archive)
	// Append receives every event of the log, in id order.
	Append(id uint64, ev helpdesk.Event)
}

// BridgeOptions configure a Bridge. Pool and Hub are required.
type BridgeOptions struct {
	// Pool appends to the log; the listener opens its own connection
	// from the pool's configuration.
	Pool *pgxpool.Pool
	// Hub receives every instance's events, this one's too, from the log.
	Hub Follower
	// Origin names this instance's listener connection
	// (application_name); default a random id, new at each start.
	Origin string
	Logger *slog.Logger
	// Queue bounds the local events waiting to be appended (default 16384).
	Queue int
	// Registry receives the bridge's metrics; may be nil.
	Registry prometheus.Registerer
	// Now stamps the log rows (for pruning); default time.Now.
	Now func() time.Time
}

// Bridge makes the live event stream cluster-wide on PostgreSQL through
// the event_log table. Each instance appends the events it committed
// (Publish, batched into one INSERT) and sends a NOTIFY that only wakes
// the others; every instance reads the log in id order from the last id it
// read and hands each event to its Hub. A listener that was disconnected
// reads everything since its last id when it is back, so no event is lost;
// browsers resume from the log with Last-Event-ID on any instance.
//
// Appends are serialized by a transaction-scoped advisory lock, so ids
// become visible in increasing order: a reader that has seen id n never
// misses a smaller id committed later (which concurrent inserters into an
// identity column would otherwise allow). The lock is held for one
// multi-row INSERT, and batches grow when appends queue up.
type Bridge struct {
	pool   *pgxpool.Pool
	hub    Follower
	origin string
	schema string
	log    *slog.Logger
	now    func() time.Time
	out    chan helpdesk.Event
	// cursor is the last id read from the log; only the listener uses it.
	cursor uint64

	mu      sync.Mutex
	stopped bool // Run returned: later events cannot be appended

	sent, received, lost prometheus.Counter
}

// NewBridge returns a Bridge for the pool's database and schema, and makes
// the hub follow the log from its newest id; start it with Run and
// register it as a publisher of this instance's events.
func NewBridge(ctx context.Context, o BridgeOptions) (*Bridge, error) {
	if o.Pool == nil || o.Hub == nil {
		return nil, fmt.Errorf("events: bridge: a pool and a hub are required")
	}
	if o.Origin == "" {
		var b [8]byte
		rand.Read(b[:])
		o.Origin = hex.EncodeToString(b[:])
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Queue <= 0 {
		o.Queue = 16384
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	b := &Bridge{pool: o.Pool, hub: o.Hub, origin: o.Origin, log: o.Logger, now: o.Now, out: make(chan helpdesk.Event, o.Queue),
		sent: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_events_bridge_sent_total",
			Help: "Events of this instance appended to the cluster's event log."}),
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_events_bridge_received_total",
			Help: "Events read from the cluster's event log (every instance's) and streamed here."}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_events_bridge_lost_total",
			Help: "Events of this instance never appended to the log (queue full, or published after shutdown began); stays 0."}),
	}
	var head int64
	err := o.Pool.QueryRow(ctx, `SELECT current_schema(), COALESCE((SELECT MAX(id) FROM event_log), 0)`).Scan(&b.schema, &head)
	if err != nil {
		return nil, fmt.Errorf("events: bridge: the log's head: %w", err)
	}
	if o.Registry != nil {
		for _, c := range []prometheus.Collector{b.sent, b.received, b.lost} {
			if err := o.Registry.Register(c); err != nil {
				b.log.Warn("events: bridge metrics not registered", "error", err)
			}
		}
	}
	o.Hub.Follow(uint64(head), b)
	b.cursor = uint64(head)
	return b, nil
}

// Origin names this instance's listener connection.
func (b *Bridge) Origin() string { return b.origin }

// Publish implements helpdesk.Publisher for this instance's events; it
// never blocks.
func (b *Bridge) Publish(ev helpdesk.Event) {
	b.mu.Lock()
	stopped := b.stopped
	b.mu.Unlock()
	if stopped {
		b.lost.Inc()
		return
	}
	select {
	case b.out <- ev:
	default:
		b.lost.Inc()
	}
}

// Run appends and reads until ctx ends; the events still queued then are
// appended before it returns (bounded by a few seconds).
func (b *Bridge) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); b.listen(ctx) }()
	b.send(ctx)
	<-done
}

// validType filters what the log hands to the hub.
func validType(t string) bool {
	switch t {
	case helpdesk.EventTicketCreated, helpdesk.EventTicketUpdated, helpdesk.EventMessageCreated, helpdesk.EventMessageUpdated:
		return true
	}
	return false
}
