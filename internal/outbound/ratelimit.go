package outbound

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limits holds the per-number throughput limiters (reference §8.1) shared
// by every worker of the process, and the per-customer pair limiters
// (§8.2). With several wadesk instances on PostgreSQL the per-number cap
// (channel rate_limit) is drawn from a budget they share (limit_shared.go).
type limits struct {
	pairEvery time.Duration
	pairBurst int

	mu    sync.Mutex
	nums  map[int64]*rate.Limiter
	pairs map[pairKey]*rate.Limiter

	// shared, when set, replaces the per-number limiters with a budget
	// every process draws from (limit_shared.go).
	shared *sharedLimits
}

type pairKey struct {
	channelID int64
	recipient string
}

// maxPairs bounds the pair limiter map; idle (full) limiters are dropped
// when it is reached.
const maxPairs = 50000

func newLimits(pairEvery time.Duration, pairBurst int) *limits {
	return &limits{pairEvery: pairEvery, pairBurst: pairBurst,
		nums: map[int64]*rate.Limiter{}, pairs: map[pairKey]*rate.Limiter{}}
}

// numberBurst is the burst of a per-number limiter: a tenth of a second of
// throughput. Meta's bucket allows a whole second, so small scheduling
// jitter never tips a send over into 130429.
func numberBurst(perSecond int) int { return max(1, perSecond/10) }

// number returns the channel's limiter at perSecond messages per second.
func (l *limits) number(channelID int64, perSecond int) *rate.Limiter {
	perSecond = clampRate(perSecond)
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.nums[channelID]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(perSecond), numberBurst(perSecond))
		l.nums[channelID] = lim
	} else if lim.Limit() != rate.Limit(perSecond) {
		lim.SetLimit(rate.Limit(perSecond))
		lim.SetBurst(numberBurst(perSecond))
	}
	return lim
}

// waitNumber blocks until the channel may send one more message.
func (l *limits) waitNumber(ctx context.Context, channelID int64, perSecond int) error {
	if l.shared != nil {
		return l.shared.wait(ctx, channelID, clampRate(perSecond))
	}
	return l.number(channelID, perSecond).Wait(ctx)
}

// reservePair takes one send to the recipient from the pair limiter. It
// returns how long the caller must wait first; when that is over maxWait
// nothing is taken and the caller should come back after the delay.
func (l *limits) reservePair(channelID int64, recipient string, maxWait time.Duration) (wait time.Duration, ok bool) {
	l.mu.Lock()
	k := pairKey{channelID, recipient}
	lim := l.pairs[k]
	if lim == nil {
		if len(l.pairs) >= maxPairs {
			l.dropIdlePairsLocked()
		}
		lim = rate.NewLimiter(rate.Every(l.pairEvery), l.pairBurst)
		l.pairs[k] = lim
	}
	l.mu.Unlock()
	r := lim.Reserve()
	d := r.Delay()
	if d > maxWait {
		r.Cancel()
		return d, false
	}
	return d, true
}

func (l *limits) dropIdlePairsLocked() {
	now := time.Now()
	for k, lim := range l.pairs {
		if lim.TokensAt(now) >= float64(l.pairBurst) {
			delete(l.pairs, k)
		}
	}
}

// Rate limits of a channel (messages per second).
const (
	DefaultRate = 80
	MaxRate     = 1000
)

func clampRate(r int) int {
	if r <= 0 {
		return DefaultRate
	}
	return min(r, MaxRate)
}
