package outbound

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics count what the send worker does; rate_limited counts Meta's
// 130429 answers, which the per-number limiter should keep at zero.
type metrics struct {
	sends       *prometheus.CounterVec
	rateLimited prometheus.Counter
	sendSeconds prometheus.Histogram
	commitBatch prometheus.Histogram // send steps per shared transaction (group_commit.go)
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wadesk_outbound_sends_total",
			Help: "Send attempts by outcome (accepted, retry, failed, paused, unknown)."}, []string{"outcome"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{Name: "wadesk_outbound_rate_limited_total",
			Help: "Sends Meta refused with 130429 (throughput exceeded)."}),
		sendSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "wadesk_outbound_send_seconds",
			Help: "Duration of POST /messages calls.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		commitBatch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "wadesk_outbound_commit_batch_size",
			Help: "Send steps (attempts begun, outcomes) committed per transaction.", Buckets: prometheus.ExponentialBuckets(1, 2, 8)}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.sends, m.rateLimited, m.sendSeconds, m.commitBatch} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("outbound: metrics: %w", err)
		}
	}
	return m, nil
}
