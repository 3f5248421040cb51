package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
)

// Errors of Append that mean "not stored, answer 503".
var (
	// ErrFull is returned when the queue is full: the database cannot keep up.
	ErrFull = errors.New("inbox: queue full")
	// ErrClosed is returned once the writer stopped accepting rows.
	ErrClosed = errors.New("inbox: writer closed")
)

// Store is what the writer needs from storage.
type Store interface {
	// AppendInbox commits deliveries in a transaction of their own (on
	// SQLite in the inbox's own file, so an ack never waits for the main
	// database's writer).
	AppendInbox(ctx context.Context, items []*helpdesk.InboxItem) error
	WithTx(ctx context.Context, fn func(tx helpdesk.Tx) error) error
}

// Options tune a Writer; zero values take the defaults.
type Options struct {
	// MaxBatch bounds the rows of one transaction (default 256).
	MaxBatch int
	// MaxBatchBytes bounds the bodies of one transaction (default 16 MiB).
	MaxBatchBytes int
	// MaxDelay is how long the writer waits for more rows when it found
	// more than one queued (under load), to make fewer, larger
	// transactions (default 1 ms; negative: never wait). A single waiting
	// row is committed at once, so a trickle pays no delay.
	MaxDelay time.Duration
	// QueueSize bounds the rows waiting for a transaction (default 4096);
	// beyond it Append fails fast with ErrFull.
	QueueSize int
	// CommitTimeout bounds one transaction (default 10 s).
	CommitTimeout time.Duration
	// TouchEvery throttles last_webhook_at updates per channel (default 1 s).
	TouchEvery time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
	Registry   prometheus.Registerer // may be nil
}

func (o *Options) defaults() {
	if o.MaxDelay == 0 {
		o.MaxDelay = time.Millisecond
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = 16 << 20
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	if o.CommitTimeout <= 0 {
		o.CommitTimeout = 10 * time.Second
	}
	if o.TouchEvery <= 0 {
		o.TouchEvery = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// request is one row waiting for its commit.
type request struct {
	item helpdesk.InboxItem
	done chan error // buffered 1: the writer never blocks on a caller
}

// Writer is the group-commit writer. Append may be called from any
// goroutine; Run must run (once) for rows to be written.
type Writer struct {
	st      Store
	opts    Options
	queue   chan *request
	metrics *metrics
	reqs    sync.Pool

	mu     sync.RWMutex // guards closed against sends on queue
	closed bool

	subsMu sync.Mutex
	subs   []chan struct{}

	// Owned by the Run goroutine.
	touched map[int64]time.Time
	items   []*helpdesk.InboxItem
	touch   []int64
	touchQ  chan touchReq // to the goroutine that updates channels.last_webhook_at
}

// touchReq moves last_webhook_at of channels to at.
type touchReq struct {
	ids []int64
	at  time.Time
}

// New returns a Writer on st; start it with Run.
func New(st Store, opts Options) *Writer {
	opts.defaults()
	w := &Writer{
		st:      st,
		opts:    opts,
		queue:   make(chan *request, opts.QueueSize),
		touched: make(map[int64]time.Time),
	}
	w.reqs.New = func() any { return &request{done: make(chan error, 1)} }
	w.metrics = newMetrics(opts.Registry, func() float64 { return float64(w.Len()) })
	return w
}

// Append queues item and waits until the transaction holding it committed
// (nil) or failed (the error). item.Body must stay unchanged until Append
// returns. If ctx ends first, Append returns ctx's error; the row may still
// be committed (Meta retries, and the processor is idempotent).
func (w *Writer) Append(ctx context.Context, item helpdesk.InboxItem) error {
	r := w.reqs.Get().(*request)
	r.item = item
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		w.release(r)
		return ErrClosed
	}
	select {
	case w.queue <- r:
		w.mu.RUnlock()
	default:
		w.mu.RUnlock()
		w.release(r)
		return ErrFull
	}
	select {
	case err := <-r.done:
		w.release(r)
		return err
	case <-ctx.Done():
		// r is abandoned: the writer still answers into its buffered
		// channel, and the garbage collector takes it from there.
		return ctx.Err()
	}
}

func (w *Writer) release(r *request) {
	r.item = helpdesk.InboxItem{}
	w.reqs.Put(r)
}

// Len is the number of rows waiting for a transaction.
func (w *Writer) Len() int { return len(w.queue) }

// Subscribe returns a channel that receives a value after each commit that
// stored at least one pending row. Values coalesce: a slow reader sees one
// value for many commits, and the writer never waits for it.
func (w *Writer) Subscribe() <-chan struct{} {
	ch := make(chan struct{}, 1)
	w.subsMu.Lock()
	w.subs = append(w.subs, ch)
	w.subsMu.Unlock()
	return ch
}

func (w *Writer) notify() {
	w.subsMu.Lock()
	defer w.subsMu.Unlock()
	for _, ch := range w.subs {
		select {
		case ch <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// Run writes batches until ctx ends, then stops accepting rows, commits
// everything already accepted and returns.
func (w *Writer) Run(ctx context.Context) {
	w.touchQ = make(chan touchReq, 1)
	touching := make(chan struct{})
	go func() {
		defer close(touching)
		w.runTouches()
	}()
	defer func() {
		close(w.touchQ)
		<-touching
	}()
	batch := make([]*request, 0, w.opts.MaxBatch)
	var timer *time.Timer
	if w.opts.MaxDelay > 0 {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
	}
	for {
		select {
		case r := <-w.queue:
			batch = w.collect(append(batch[:0], r), timer)
			w.commit(batch)
		case <-ctx.Done():
			w.drain(batch[:0])
			return
		}
	}
}

// collect adds queued rows to batch up to the limits, waiting up to
// MaxDelay for more when a timer is given.
func (w *Writer) collect(batch []*request, timer *time.Timer) []*request {
	size := len(batch[0].item.Body)
	full := func() bool { return len(batch) >= w.opts.MaxBatch || size >= w.opts.MaxBatchBytes }
take:
	for !full() {
		select {
		case r := <-w.queue:
			batch, size = append(batch, r), size+len(r.item.Body)
		default:
			break take
		}
	}
	// Wait for more only under load (rows were already queued behind the
	// first): a lone delivery at a trickle is committed at once.
	if timer == nil || full() || len(batch) == 1 {
		return batch
	}
	timer.Reset(w.opts.MaxDelay)
	defer timer.Stop()
	for !full() {
		select {
		case r := <-w.queue:
			batch, size = append(batch, r), size+len(r.item.Body)
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// drain closes the writer to new rows and commits what was accepted.
func (w *Writer) drain(batch []*request) {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	for {
		select {
		case r := <-w.queue:
			batch = w.collect(append(batch[:0], r), nil)
			w.commit(batch)
		default:
			return
		}
	}
}

// commit stores batch in one transaction and answers every waiting request.
func (w *Writer) commit(batch []*request) {
	start := time.Now()
	now := w.opts.Now()
	w.items, w.touch = w.items[:0], w.touch[:0]
	pending := false
	for _, r := range batch {
		w.items = append(w.items, &r.item)
		pending = pending || r.item.State == "" || r.item.State == helpdesk.InboxPending
		if id := r.item.ChannelID; id != nil && now.Sub(w.touched[*id]) >= w.opts.TouchEvery && !contains(w.touch, *id) {
			w.touch = append(w.touch, *id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.CommitTimeout)
	err := w.st.AppendInbox(ctx, w.items)
	cancel()
	w.metrics.observe(len(batch), time.Since(start), err)
	if err != nil {
		err = fmt.Errorf("inbox: commit %d deliveries: %w", len(batch), err)
		w.opts.Logger.Error("inbox: commit failed", "rows", len(batch), "error", err)
	}
	for _, r := range batch {
		r.done <- err
	}
	if err == nil && len(w.touch) > 0 {
		w.touchChannels(now)
	}
	clear(w.items) // do not keep bodies alive until the next batch
	clear(batch)
	if err == nil && pending {
		w.notify()
	}
}

// touchChannels hands the channels' last_webhook_at to runTouches: it is
// written in the main database, and an ack must not wait for that writer.
// When a touch is still in flight the channels are left for a later batch.
func (w *Writer) touchChannels(now time.Time) {
	select {
	case w.touchQ <- touchReq{ids: append([]int64(nil), w.touch...), at: now}:
		for _, id := range w.touch {
			w.touched[id] = now
		}
	default:
	}
}

// runTouches writes the touches until touchQ is closed.
func (w *Writer) runTouches() {
	for r := range w.touchQ {
		ctx, cancel := context.WithTimeout(context.Background(), w.opts.CommitTimeout)
		err := w.st.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.TouchChannelsWebhook(ctx, r.ids, r.at) })
		cancel()
		if err != nil {
			w.opts.Logger.Warn("inbox: recording the channels' last webhook failed", "error", err)
		}
	}
}

func contains(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}
