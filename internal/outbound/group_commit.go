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
// There is no goroutine of its own: a caller that finds a lane free becomes
// a leader and commits what is pending, itself first; callers arriving
// while every lane is busy queue, and when a leader is done the first of
// them leads the next batch. A lone send at a trickle therefore commits at
// once, alone, as before. SQLite has one writer, so one lane; PostgreSQL
// runs a few batches side by side on different connections, because there
// each statement is a network round trip and one lane would serialise
// them all.
//
// Crash safety is unchanged: do returns only after the transaction holding
// fn committed, so an attempt is durable before the Cloud API is called.
type groupCommit struct {
	update   updateFunc // one transaction, events published after commit
	lanes    int        // batches committed at once
	maxBatch int
	sizes    func(n int) // observes each batch's size (metrics); may be nil

	mu      sync.Mutex
	pending []*groupRequest // waiting for a lane, oldest first
	leaders int             // callers committing a batch now
}

// groupRequest is one step's writes waiting for a transaction.
type groupRequest struct {
	ctx  context.Context
	fn   func(tx helpdesk.Tx, ev *helpdesk.Events) error
	done chan groupResult // buffered 1: a lead, then the result; or only the result
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

func newGroupCommit(update updateFunc, lanes int, sizes func(int)) *groupCommit {
	return &groupCommit{update: update, lanes: max(1, lanes), maxBatch: maxGroup, sizes: sizes}
}

// do runs fn in a transaction shared with the other pending requests and
// returns fn's outcome once that transaction committed or failed. fn may
// run twice (see commit), like any function given to Service.Update.
func (g *groupCommit) do(ctx context.Context, fn func(tx helpdesk.Tx, ev *helpdesk.Events) error) error {
	r := &groupRequest{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	g.mu.Lock()
	if g.leaders < g.lanes {
		g.leaders++
	} else {
		g.pending = append(g.pending, r)
		g.mu.Unlock()
		// Waits even if ctx ends: the transaction may commit r's writes,
		// and the caller must know (an attempt begun is an attempt made).
		res := <-r.done
		if !res.lead {
			return res.err
		}
		g.mu.Lock() // the previous leader took r out of pending
	}
	batch := append(make([]*groupRequest, 0, 1+min(len(g.pending), g.maxBatch-1)), r)
	n := min(len(g.pending), g.maxBatch-1)
	batch = append(batch, g.pending[:n]...)
	g.pending = g.pending[:copy(g.pending, g.pending[n:])]
	g.mu.Unlock()

	g.commit(batch)

	g.mu.Lock()
	if len(g.pending) > 0 {
		next := g.pending[0]
		g.pending = g.pending[:copy(g.pending, g.pending[1:])]
		next.done <- groupResult{lead: true}
	} else {
		g.leaders--
	}
	g.mu.Unlock()
	return (<-r.done).err
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
