package jobs

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
)

type metrics struct {
	finished *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wadesk_jobs_total",
			Help: "Background jobs that ran, by kind, queue and outcome (completed, failed, cancelled, snoozed).",
		}, []string{"kind", "queue", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wadesk_job_duration_seconds",
			Help:    "Time a job spent running, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
		}, []string{"kind"}),
	}
	for _, c := range []prometheus.Collector{m.finished, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(ev *river.Event) {
	outcome := map[river.EventKind]string{
		river.EventKindJobCompleted: "completed",
		river.EventKindJobFailed:    "failed",
		river.EventKindJobCancelled: "cancelled",
		river.EventKindJobSnoozed:   "snoozed",
	}[ev.Kind]
	m.finished.WithLabelValues(ev.Job.Kind, ev.Job.Queue, outcome).Inc()
	if ev.JobStats != nil {
		m.duration.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.RunDuration.Seconds())
	}
}
