package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
)

// Opener decrypts channel secrets (internal/secret.Box).
type Opener interface {
	Open(ciphertext, associated string) (string, error)
}

// Options configure a Processor. Service, Jobs and Secrets are required.
type Options struct {
	Service *helpdesk.Service
	Jobs    helpdesk.Enqueuer // media downloads, welcome, reminders, apologies: in the same transaction
	Secrets Opener
	Logger  *slog.Logger
	// Registry receives the metrics; nil keeps them unregistered.
	Registry prometheus.Registerer
	// BatchSize is how many deliveries one transaction claims (default 25:
	// on SQLite the transaction holds the one writer that River and the API
	// need too, so it is kept short; larger batches gain little, see bench/).
	BatchSize int
	// BatchBytes bounds the raw webhook bytes one transaction applies
	// (default 16 KiB, about 50 text messages, ~15 ms of work): a delivery
	// can carry 100 messages, and on SQLite an agent's reply or a River job
	// waits for the running transaction to release the one writer. (Webhook
	// acks do not: the inbox has a file of its own, see store/inbox_file.go.)
	// A single delivery larger than the budget is still applied, alone.
	BatchBytes int
	// Poll is how long the loop sleeps when nothing woke it (default 250 ms):
	// notifications are hints, the poll is the guarantee.
	Poll time.Duration
	// Wake, when set, signals that the inbox committed new rows.
	Wake <-chan struct{}
	// MaxAttempts parks a delivery as failed after this many failed
	// processing attempts (default 5).
	MaxAttempts int
}

// Processor drains the webhook inbox into customers, tickets and messages.
type Processor struct {
	svc     *helpdesk.Service
	jobs    helpdesk.Enqueuer
	secrets Opener
	log     *slog.Logger
	m       *metrics
	batch   int
	bytes   int
	poll    time.Duration
	wake    <-chan struct{}
	notify  chan struct{}
	max     int
}

// New returns a Processor; it does nothing until Run or Drain.
func New(o Options) (*Processor, error) {
	if o.Service == nil || o.Jobs == nil || o.Secrets == nil {
		return nil, errors.New("inbound: Service, Jobs and Secrets are required")
	}
	p := &Processor{svc: o.Service, jobs: o.Jobs, secrets: o.Secrets, log: o.Logger, batch: o.BatchSize,
		bytes: o.BatchBytes, poll: o.Poll, wake: o.Wake, notify: make(chan struct{}, 1), max: o.MaxAttempts}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.batch <= 0 {
		p.batch = 25
	}
	if p.bytes <= 0 {
		p.bytes = 16 << 10
	}
	if p.poll <= 0 {
		p.poll = 250 * time.Millisecond
	}
	if p.max <= 0 {
		p.max = 5
	}
	var err error
	if p.m, err = newMetrics(o.Registry); err != nil {
		return nil, fmt.Errorf("inbound: metrics: %w", err)
	}
	return p, nil
}

// Notify wakes the loop (non-blocking, coalesced): new rows were committed.
func (p *Processor) Notify() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// Run processes deliveries until ctx ends. It wakes on Notify, on the
// Wake channel or every Poll, then drains everything pending. Errors are
// logged and retried with a growing pause (at most 5 s); a delivery that
// keeps failing is parked, never retried forever.
func (p *Processor) Run(ctx context.Context) {
	pause := p.poll
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-p.notify:
		case <-p.wake: // nil channel when unset: never ready
		}
		_, err := p.Drain(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			p.log.Error("inbound: processing paused", "error", err, "retry_in_ms", pause.Milliseconds())
			pause = min(2*pause, 5*time.Second)
		default:
			pause = p.poll
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(pause)
	}
}

// Drain processes pending deliveries until none is left (or ctx ends) and
// returns how many it finished. Rows that other instances hold are left to
// them.
func (p *Processor) Drain(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, more, err := p.step(ctx)
		total += n
		if err != nil {
			return total, err
		}
		if !more {
			return total, nil
		}
	}
	return total, ctx.Err()
}

// conflictRetries bounds how often a transaction that lost a race (two
// instances creating the same customer or ticket) is run again.
const conflictRetries = 3

// Step claims one batch of deliveries and applies it in one transaction.
// When that fails for another reason than a lost race, the batch is redone
// one delivery per transaction, so one bad delivery cannot hold up the
// others. It returns how many deliveries were claimed.
func (p *Processor) Step(ctx context.Context) (int, error) {
	n, _, err := p.step(ctx)
	return n, err
}

// step is Step that also says whether more deliveries may be waiting (a
// full batch was claimed, or the byte budget cut it short).
func (p *Processor) step(ctx context.Context) (int, bool, error) {
	var ids []int64
	var err error
	more := false
	for range conflictRetries {
		r := newResult()
		err = p.svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
			items, err := tx.ClaimInbox(ctx, p.batch)
			if err != nil {
				return err
			}
			more = len(items) == p.batch
			if cut := p.withinBudget(items); cut < len(items) {
				// The rest stay pending (on PostgreSQL their row locks go
				// with this transaction) for the next step.
				items, more = items[:cut], true
			}
			ids = ids[:0]
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			return p.apply(ctx, tx, ev, items, r)
		})
		if err == nil {
			p.m.record(r, p.svc.Now())
			return len(ids), more, nil
		}
		if !errors.Is(err, helpdesk.ErrConflict) || ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil || len(ids) == 0 {
		return 0, false, err
	}
	p.log.Warn("inbound: batch failed, retrying its deliveries one by one", "deliveries", len(ids), "error", err)
	for _, id := range ids {
		if err := p.single(ctx, id); err != nil {
			return 0, false, err
		}
	}
	return len(ids), more, nil
}

// withinBudget returns how many of items, in order, fit in the byte budget
// (at least one, so an oversized delivery is still processed).
func (p *Processor) withinBudget(items []helpdesk.InboxItem) int {
	total := 0
	for i, it := range items {
		total += len(it.Body)
		if total > p.bytes && i > 0 {
			return i
		}
	}
	return len(items)
}

// single applies one delivery in its own transaction, a few times for
// transient errors; then it records a failed attempt, and once the
// delivery has failed MaxAttempts times it is parked as failed with the
// reason, kept for inspection.
func (p *Processor) single(ctx context.Context, id int64) error {
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
			}
		}
		r := newResult()
		err = p.svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
			it, err := tx.ClaimInboxItem(ctx, id)
			if errors.Is(err, helpdesk.ErrNotFound) {
				return nil // done meanwhile, or another instance has it
			}
			if err != nil {
				return err
			}
			return p.apply(ctx, tx, ev, []helpdesk.InboxItem{*it}, r)
		})
		if err == nil {
			p.m.record(r, p.svc.Now())
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	reason := err.Error()
	var parked bool
	ferr := p.svc.Update(ctx, func(tx helpdesk.Tx, _ *helpdesk.Events) error {
		it, err := tx.ClaimInboxItem(ctx, id)
		if err != nil {
			return err
		}
		parked = it.Attempts+1 >= p.max
		return tx.MarkInboxFailed(ctx, id, truncate(reason, 2000), p.svc.Now(), !parked)
	})
	if ferr != nil && !errors.Is(ferr, helpdesk.ErrNotFound) {
		return fmt.Errorf("inbound: record failed delivery %d: %w", id, ferr)
	}
	if parked {
		p.m.deliveries.WithLabelValues(helpdesk.InboxFailed).Inc()
		p.log.Error("inbound: delivery parked as failed", "inbox_id", id, "error", reason)
	} else {
		p.m.deliveries.WithLabelValues("retry").Inc()
		p.log.Warn("inbound: delivery failed, will retry", "inbox_id", id, "error", reason)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
