package outbound

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// NumberBudget is a per-number token bucket shared by every process that
// sends for the number (cluster.Budget on PostgreSQL). Take leases up to n
// tokens of a bucket refilled at perSecond and holding at most burst; when
// it gets fewer than n, next is the time until another token.
type NumberBudget interface {
	Take(ctx context.Context, channelID int64, perSecond, burst, n int) (got int, next time.Duration, err error)
}

// ShareNumberLimits makes the per-number cap hold across processes: every
// send (and read receipt) then takes its token from b instead of this
// process's own limiter. Call it before the workers start.
func (d *Dispatcher) ShareNumberLimits(b NumberBudget) {
	d.limits.shared = &sharedLimits{budget: b, nums: map[int64]*sharedNumber{}}
}

const (
	// leaseTTL bounds how long a leased token may wait to be used. Tokens
	// are leased only for workers already waiting, so they are normally
	// used at once; one left over (its worker gave up) must not be spent
	// much later on top of the bucket's own burst.
	leaseTTL = 250 * time.Millisecond
	// minPoll spaces the leases of a number whose bucket is empty: at high
	// caps a token comes every millisecond, and one lease of a hundredth
	// of a second's worth is far cheaper than ten leases of one.
	minPoll = 10 * time.Millisecond
)

// sharedLimits hands the workers of this process tokens leased from the
// shared budget. Per number, one waiting worker at a time leases (for
// itself and everyone waiting behind it) and the others wait for it.
type sharedLimits struct {
	budget NumberBudget

	mu   sync.Mutex
	nums map[int64]*sharedNumber
}

type sharedNumber struct {
	tokens   int       // leased, not yet used
	leasedAt time.Time // when tokens were leased
	leasing  bool      // a worker is leasing for everyone
	waiters  int       // workers waiting for that lease
	changed  chan struct{}
}

// wait blocks until the channel may send one more message.
func (l *sharedLimits) wait(ctx context.Context, channelID int64, perSecond int) error {
	burst := numberBurst(perSecond)
	l.mu.Lock()
	n := l.nums[channelID]
	if n == nil {
		n = &sharedNumber{changed: make(chan struct{})}
		l.nums[channelID] = n
	}
	for {
		if n.tokens > 0 && time.Since(n.leasedAt) < leaseTTL {
			n.tokens--
			l.mu.Unlock()
			return nil
		}
		if n.leasing {
			n.waiters++
			changed := n.changed
			l.mu.Unlock()
			var err error
			select {
			case <-changed:
			case <-ctx.Done():
				err = ctx.Err()
			}
			l.mu.Lock()
			n.waiters--
			if err != nil {
				l.mu.Unlock()
				return err
			}
			continue
		}
		n.leasing = true
		l.mu.Unlock()
		got, err := l.lease(ctx, n, channelID, perSecond, burst)
		l.mu.Lock()
		n.leasing = false
		if got > 0 {
			n.tokens, n.leasedAt = got-1, time.Now() // one is this worker's
		}
		close(n.changed) // the waiters take the rest, or one of them leases next
		n.changed = make(chan struct{})
		l.mu.Unlock()
		return err
	}
}

// lease takes at least one token for this worker and as many as there are
// waiters, polling the empty bucket until a token is due.
func (l *sharedLimits) lease(ctx context.Context, n *sharedNumber, channelID int64, perSecond, burst int) (int, error) {
	for {
		l.mu.Lock()
		want := min(n.waiters+1, burst)
		l.mu.Unlock()
		got, next, err := l.budget.Take(ctx, channelID, perSecond, burst, want)
		if err != nil {
			return 0, fmt.Errorf("outbound: shared rate limit: %w", err)
		}
		if got > 0 {
			return got, nil
		}
		if err := sleep(ctx, max(next, minPoll)); err != nil {
			return 0, err
		}
	}
}
