package inbox

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics describe the group commit: how many rows share a transaction,
// how long it takes, and how many rows wait for one.
type metrics struct {
	batch    prometheus.Histogram
	duration prometheus.Histogram
	failures prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, queueLen func() float64) *metrics {
	m := &metrics{
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wadesk_inbox_batch_size",
			Help:    "Webhook deliveries stored per group-commit transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10), // 1 … 512
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wadesk_inbox_commit_duration_seconds",
			Help:    "Time of one group-commit transaction (insert and commit).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16), // 100 µs … 3.3 s
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wadesk_inbox_commit_failures_total",
			Help: "Group-commit transactions that failed (their requests were answered 503).",
		}),
	}
	if reg == nil {
		return m
	}
	m.batch = register(reg, m.batch)
	m.duration = register(reg, m.duration)
	m.failures = register(reg, m.failures)
	// A second writer on the same registry (tests) keeps the first gauge.
	_ = reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "wadesk_inbox_queue_length",
		Help: "Webhook deliveries waiting for a group-commit transaction.",
	}, queueLen))
	return m
}

// register registers c or reuses the collector already registered under
// its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("inbox: register metrics: " + err.Error()) // names collide: a programming error
	}
	return c
}

func (m *metrics) observe(rows int, d time.Duration, err error) {
	m.batch.Observe(float64(rows))
	m.duration.Observe(d.Seconds())
	if err != nil {
		m.failures.Inc()
	}
}
