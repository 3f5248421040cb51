package outbound

import (
	"context"
	"sync"
	"time"

	"wadesk/internal/helpdesk"
)

// turns wakes workers waiting for an older message of the same ticket
// (FIFO) as soon as this process records that message's outcome, instead of
// having them poll the database. Waiters also re-check on a timer, because
// another instance may have sent the older message.
type turns struct {
	mu sync.Mutex
	ch map[int64]chan struct{} // ticket → closed when one of its messages left "queued"
}

func newTurns() *turns { return &turns{ch: map[int64]chan struct{}{}} }

// next returns a channel that is closed at the ticket's next done. Take it
// before checking the database, so a done in between is not missed.
func (t *turns) next(ticketID int64) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.ch[ticketID]
	if c == nil {
		c = make(chan struct{})
		t.ch[ticketID] = c
	}
	return c
}

// done wakes the ticket's waiters.
func (t *turns) done(ticketID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.ch[ticketID]; c != nil {
		close(c)
		delete(t.ch, ticketID)
	}
}

// fifoInlineWait is how long a worker waits in place for the older
// messages of its ticket before snoozing the job; fifoRecheck is how often
// it looks at the database meanwhile when nobody wakes it.
const (
	fifoInlineWait = time.Second
	fifoRecheck    = 100 * time.Millisecond
)

// awaitTurn waits until no older message of m's ticket is queued. It
// reports false when that did not happen within fifoInlineWait.
func (d *Dispatcher) awaitTurn(ctx context.Context, m *helpdesk.Message) (bool, error) {
	deadline := time.NewTimer(fifoInlineWait)
	defer deadline.Stop()
	for {
		woken := d.turns.next(m.TicketID)
		earlier, err := d.svc.Store().EarlierUnsent(ctx, m.TicketID, m.ID)
		if err != nil || !earlier {
			return err == nil, err
		}
		recheck := time.NewTimer(fifoRecheck)
		select {
		case <-ctx.Done():
			recheck.Stop()
			return false, ctx.Err()
		case <-deadline.C:
			recheck.Stop()
			return false, nil
		case <-woken:
		case <-recheck.C:
		}
		recheck.Stop()
	}
}
