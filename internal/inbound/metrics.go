package inbound

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// result counts what one transaction did; it reaches the metrics only
// after the commit, so a rolled-back batch counts nothing.
type result struct {
	messages    map[string]int // new messages by type
	statuses    map[string]int // status webhooks by status
	outcomes    map[string]int // every item by outcome
	finished    map[string]int // deliveries by final state
	otherFields map[string]int // changes of fields wadesk does not act on
	unrouted    int            // changes for numbers without an active channel
	received    []time.Time    // received_at of each finished delivery, for the lag
}

func newResult() *result {
	return &result{messages: map[string]int{}, statuses: map[string]int{}, outcomes: map[string]int{},
		finished: map[string]int{}, otherFields: map[string]int{}}
}

type metrics struct {
	messages, statuses, outcomes, deliveries, fields *prometheus.CounterVec
	unrouted                                         prometheus.Counter
	lag                                              prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wadesk_inbound_messages_total",
			Help: "Inbound WhatsApp messages stored, by type."}, []string{"type"}),
		statuses: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wadesk_inbound_statuses_total",
			Help: "Status webhooks processed, by status."}, []string{"status"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wadesk_inbound_items_total",
			Help: "Messages and statuses processed, by outcome (created, duplicate, reaction_dropped, status_pending, …)."}, []string{"outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wadesk_inbound_deliveries_total",
			Help: "Webhook deliveries processed, by result (done, ignored, failed, retry)."}, []string{"result"}),
		fields: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wadesk_inbound_other_fields_total",
			Help: "Webhook changes of fields wadesk does not act on, by field."}, []string{"field"}),
		unrouted: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_inbound_unrouted_changes_total",
			Help: "Webhook changes for a phone number without an active channel (or of another app); never turned into tickets."}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "wadesk_inbound_lag_seconds",
			Help:    "Time from a delivery's arrival to its processing commit.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.messages, m.statuses, m.outcomes, m.deliveries, m.fields, m.unrouted, m.lag} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// record adds a committed transaction's counts.
func (m *metrics) record(r *result, now time.Time) {
	for k, n := range r.messages {
		m.messages.WithLabelValues(k).Add(float64(n))
	}
	for k, n := range r.statuses {
		m.statuses.WithLabelValues(k).Add(float64(n))
	}
	for k, n := range r.outcomes {
		m.outcomes.WithLabelValues(k).Add(float64(n))
	}
	for k, n := range r.finished {
		m.deliveries.WithLabelValues(k).Add(float64(n))
	}
	for k, n := range r.otherFields {
		m.fields.WithLabelValues(k).Add(float64(n))
	}
	m.unrouted.Add(float64(r.unrouted))
	for _, at := range r.received {
		m.lag.Observe(max(0, now.Sub(at).Seconds()))
	}
}
