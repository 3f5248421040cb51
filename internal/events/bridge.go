package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
)

// BridgeChannel is the PostgreSQL notification channel that carries domain
// events between instances.
const BridgeChannel = "wadesk_events"

// BridgeOptions configure a Bridge. Pool and Local are required.
type BridgeOptions struct {
	// Pool sends the notifications; the listener opens its own connection
	// from the pool's configuration.
	Pool *pgxpool.Pool
	// Local receives the other instances' events (the Hub).
	Local helpdesk.Publisher
	// Origin identifies this instance in every notification; default a
	// random id, new at each start.
	Origin string
	Logger *slog.Logger
	// Queue bounds the local events waiting to be sent (default 4096).
	Queue int
	// Registry receives the bridge's metrics; may be nil.
	Registry prometheus.Registerer
}

// Bridge makes the live event stream cluster-wide on PostgreSQL: every
// event of this instance is sent as NOTIFY wadesk_events after its
// transaction committed, and every event another instance sent is handed to
// Local, which loads and filters it as one of its own. The row behind an
// event is committed before the notification leaves, so the receiving
// instance always finds it.
//
// Like the Hub it never blocks a publisher: when the queue is full or the
// database refuses the NOTIFY the events are dropped and counted. The live
// stream is a hint — a client that reconnects reloads what it shows.
type Bridge struct {
	pool   *pgxpool.Pool
	local  helpdesk.Publisher
	origin string
	// schema scopes the channel: NOTIFY is per database, not per schema, so
	// two deployments (or parallel tests) in one database would otherwise
	// see each other's ticket ids.
	schema string
	log    *slog.Logger
	out    chan helpdesk.Event

	sent, received, lost prometheus.Counter
}

// wireEvent is a notification's payload.
type wireEvent struct {
	Type      string `json:"type"`
	TicketID  int64  `json:"ticket_id"`
	MessageID int64  `json:"message_id,omitempty"`
	GroupID   *int64 `json:"group_id"`
	Origin    string `json:"origin"`
	Schema    string `json:"schema"`
}

// NewBridge returns a Bridge for the pool's database and schema; start it
// with Run and register it as a publisher of this instance's events.
func NewBridge(ctx context.Context, o BridgeOptions) (*Bridge, error) {
	if o.Pool == nil || o.Local == nil {
		return nil, fmt.Errorf("events: bridge: a pool and a local publisher are required")
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
		o.Queue = 4096
	}
	b := &Bridge{pool: o.Pool, local: o.Local, origin: o.Origin, log: o.Logger, out: make(chan helpdesk.Event, o.Queue),
		sent: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_events_bridge_sent_total",
			Help: "Events of this instance notified to the others (NOTIFY wadesk_events)."}),
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_events_bridge_received_total",
			Help: "Events of other instances received and streamed here."}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_events_bridge_lost_total",
			Help: "Events not notified to the other instances (queue full or database unavailable)."}),
	}
	if err := o.Pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&b.schema); err != nil {
		return nil, fmt.Errorf("events: bridge: current schema: %w", err)
	}
	if o.Registry != nil {
		for _, c := range []prometheus.Collector{b.sent, b.received, b.lost} {
			if err := o.Registry.Register(c); err != nil {
				b.log.Warn("events: bridge metrics not registered", "error", err)
			}
		}
	}
	return b, nil
}

// Origin is this instance's id in the notifications.
func (b *Bridge) Origin() string { return b.origin }

// Publish implements helpdesk.Publisher for this instance's events; it
// never blocks.
func (b *Bridge) Publish(ev helpdesk.Event) {
	select {
	case b.out <- ev:
	default:
		b.lost.Inc()
	}
}

// Run sends and receives until ctx ends.
func (b *Bridge) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); b.listen(ctx) }()
	b.send(ctx)
	<-done
}

// decode turns a notification into an event for Local; ok is false for
// this instance's own events, another schema's, and anything malformed.
func (b *Bridge) decode(payload string) (helpdesk.Event, bool) {
	var w wireEvent
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		return helpdesk.Event{}, false
	}
	if w.Origin == b.origin || w.Schema != b.schema || w.TicketID <= 0 {
		return helpdesk.Event{}, false
	}
	switch w.Type {
	case helpdesk.EventTicketCreated, helpdesk.EventTicketUpdated, helpdesk.EventMessageCreated, helpdesk.EventMessageUpdated:
	default:
		return helpdesk.Event{}, false
	}
	return helpdesk.Event{Type: w.Type, TicketID: w.TicketID, MessageID: w.MessageID, GroupID: w.GroupID}, true
}

func (b *Bridge) encode(ev helpdesk.Event) string {
	p, _ := json.Marshal(wireEvent{Type: ev.Type, TicketID: ev.TicketID, MessageID: ev.MessageID, GroupID: ev.GroupID,
		Origin: b.origin, Schema: b.schema}) // cannot fail: plain fields
	return string(p)
}
