package outbound

import (
	"context"
	"sync"
	"time"

	"wadesk/internal/helpdesk"
)

// groupCommit runs the send steps' writes of concurrent send workers (the
// attempt committed before the Cloud API call, the outcome after) in shared
// transactions, as internal/inbox does for webhook rows. At 1,000 sends a
// second two transactions per send were most of the cost on SQLite: every
// commit writes the same few pages to the WAL again, and every statement is
// parsed anew per transaction (the store prepares each one once per
// transaction). Grouped, both are paid once per batch.
//
// There is no goroutine of its own: the first caller that finds nobody
// committing becomes the leader and commits what is pending, itself
// included; callers arriving meanwhile queue, and once the leader is done
// the first of them leads the next batch. A lone send at a trickle
// therefore commits at once, alone, as before.
//
// Crash safety is unchanged: do returns only after the transaction holding
// fn committed, so an attempt is durable before the Cloud API is called.
type groupCommit struct {
	update   updateFunc // one transaction, events published after commit
	maxBatch int
	sizes    func(n int) // observes each batch's size (metrics); may be nil

	mu      sync.Mutex
	pending []*groupRequest
	leading bool // a caller is committing; new requests wait for it
}

// groupRequest is one step's writes waiting for a transaction.
type groupRequest struct {
	ctx  context.Context
	fn   func(tx helpdesk.Tx, ev *helpdesk.Events) error
	done chan groupResult // buffered 1: answered exactly once, then maybe once more after lead
}

// groupResult answers a request: its error, or (lead) "nothing yet: commit
// the next batch yourself, you are in it".
type groupResult struct {
	err  error
	lead bool
}

// maxGroup bounds the writes of one transaction: big enough for a second's
// worth of sends at the highest cap to take a handful of transactions,
// small enough that a batch never holds the one SQLite writer for long.
const maxGroup = 128

// updateFunc runs fn in one write transaction and publishes the events fn
// added once it committed: helpdesk.Service.Update.
type updateFunc func(ctx context.Context, fn func(tx helpdesk.Tx, ev *helpdesk.Events) error) error

func newGroupCommit(update updateFunc, sizes func(int)) *groupCommit {
	return &groupCommit{update: update, maxBatch: maxGroup, sizes: sizes}
}

// do runs fn in a transaction shared with the other pending requests and
// returns fn's outcome once that transaction committed or failed. fn may
// run twice (see commit), like any function given to Service.Update.
func (g *groupCommit) do(ctx context.Context, fn func(tx helpdesk.Tx, ev *helpdesk.Events) error) error {
	r := &groupRequest{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, r)
	if g.leading {
		g.mu.Unlock()
		// Waits even if ctx ends: the transaction may commit r's writes,
		// and the caller must know (an attempt begun is an attempt made).
		res := <-r.done
		if !res.lead {
			return res.err
		}
	} else {
		g.leading = true
		g.mu.Unlock()
	}
	return g.lead(r)
}

// lead commits the pending requests (own is the first of them), hands the
// lead to the next waiting request if any, and returns own's outcome.
func (g *groupCommit) lead(own *groupRequest) error {
	g.mu.Lock()
	n := min(len(g.pending), g.maxBatch)
	batch := make([]*groupRequest, n)
	copy(batch, g.pending)
	g.pending = append(g.pending[:0], g.pending[n:]...)
	g.mu.Unlock()

	g.commit(batch)

	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].done <- groupResult{lead: true}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return (<-own.done).err
}

// commit runs the batch in one transaction and answers every request. If
// the transaction fails, which one request's error is enough for, each
// request runs again in a transaction of its own so that it gets its own
// outcome and the others are not held back by it.
func (g *groupCommit) commit(batch []*groupRequest) {
	if g.sizes != nil {
		g.sizes(len(batch))
	}
	if len(batch) == 1 {
		r := batch[0]
		r.done <- groupResult{err: g.update(r.ctx, r.fn)}
		return
	}
	// The batch must not fail because one caller's context ended; each fn
	// still runs its queries with its own caller's context.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), 30*time.Second)
	err := g.update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		for _, r := range batch {
			if err := r.fn(tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	cancel()
	for _, r := range batch {
		if err != nil {
			r.done <- groupResult{err: g.update(r.ctx, r.fn)}
		} else {
			r.done <- groupResult{}
		}
	}
}
