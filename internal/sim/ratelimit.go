package sim

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds the per-number throughput buckets (§8.1) and the optional
// per-pair buckets (§8.2). Buckets run on the sim clock so tests with a
// controlled clock are deterministic.
type limiter struct {
	s     *Sim
	mu    sync.Mutex
	nums  map[string]*bucket
	pairs map[windowKey]*rate.Limiter
}

type bucket struct {
	mps int
	lim *rate.Limiter
}

func newLimiter(s *Sim) *limiter {
	return &limiter{s: s, nums: map[string]*bucket{}, pairs: map[windowKey]*rate.Limiter{}}
}

func (s *Sim) throughputOf(n *Number) int {
	if n.Throughput > 0 {
		return n.Throughput
	}
	return s.opts.Throughput
}

// allow takes one token for the number and, with PairLimit, one for the
// pair. Burst equals one second of throughput, as Meta measures per second.
func (l *limiter) allow(n *Number, customerKey string) *GraphError {
	now := l.s.Now()
	mps := l.s.throughputOf(n)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.nums[n.ID]
	if b == nil || b.mps != mps {
		b = &bucket{mps: mps, lim: rate.NewLimiter(rate.Limit(mps), mps)}
		l.nums[n.ID] = b
	}
	if !b.lim.AllowN(now, 1) {
		return &GraphError{HTTPStatus: 429, Code: 130429, Subcode: 2494055, Title: "Rate limit hit",
			Details: "Message failed to send because there were too many messages sent from this phone number in a short period of time"}
	}
	if !l.s.opts.PairLimit {
		return nil
	}
	k := windowKey{n.ID, customerKey}
	p := l.pairs[k]
	if p == nil {
		// ≈1 message per 6 s, bursts of 45 borrowed against future quota.
		p = rate.NewLimiter(rate.Every(6*time.Second), 45)
		l.pairs[k] = p
	}
	if !p.AllowN(now, 1) {
		return &GraphError{HTTPStatus: 400, Code: 131056, Title: "(Business Account, Consumer Account) pair rate limit hit",
			Details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."}
	}
	return nil
}
