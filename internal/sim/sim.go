// Package sim is a strict, fast, in-process simulator of Meta's WhatsApp
// Business Cloud API (Graph API), written from /work/shared/reference/cloud-api.md.
//
// It is the project's only mock of Meta, so it errs on the side of strictness:
// anything it accepts must be something Meta accepts. It is an independent
// implementation (it does not import internal/whatsapp) so that it can catch
// bugs in the client.
//
// A Sim serves three things from one http.Handler:
//   - the Graph API under any /vNN.N/ prefix (messages, media, phone numbers,
//     templates, subscriptions, registration);
//   - the media download URLs it hands out (lookaside-style, bearer token required);
//   - a JSON control API under /_sim/ (docs/simulator.md) that tests and the
//     demo use to create apps/numbers/templates, inject customer messages,
//     inject faults and read what was received and delivered.
//
// Every control operation also exists as a Go method so tests need no JSON.
package sim

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Sim. The zero value is usable.
type Options struct {
	// Throughput is the default per-number token bucket in messages/second
	// (Meta's standard level is 80). A number's own Throughput overrides it.
	Throughput int
	// PairLimit switches on the (business number, user) pair limit of §8.2
	// (≈1 msg / 6 s, burst 45) answering 131056.
	PairLimit bool
	// WindowSyncError makes a free-form send outside the 24-hour window fail
	// synchronously (HTTP 400, 131047) instead of the default and preferred
	// behaviour: HTTP 200 then an async "failed" status carrying 131047.
	WindowSyncError bool
	// Statuses controls the sent/delivered/read webhooks emitted after sends.
	Statuses StatusOptions
	// Delivery tunes webhook delivery (workers, batching, retries).
	Delivery DeliveryOptions
	// RecordLimit caps the request and delivery logs (ring buffers). Default 10000.
	RecordLimit int
	// MessageLimit caps how many sent/received messages are remembered for
	// statuses, mark-as-read and the control API. Default 200000.
	MessageLimit int
	// Now is the base clock (default time.Now). The Sim adds its own offset
	// (Advance, POST /_sim/clock) on top, so either can drive expiry.
	Now func() time.Time
	// Logger receives debug/warn logs; default discards.
	Logger *slog.Logger
	// HTTPClient is used for webhook delivery and verification handshakes.
	// Default: a keep-alive client sized to the worker pool, 10 s timeout.
	HTTPClient *http.Client
	// Seed creates the default fixtures of Seed() at New.
	Seed bool
}

// StatusOptions controls the status webhooks that follow an accepted send.
// Delays are real time, measured from the send.
type StatusOptions struct {
	Sent      time.Duration // default 5ms (after the HTTP response in practice)
	Delivered time.Duration // default 20ms
	Read      time.Duration // default 50ms
	// SkipDelivered emits sent then read, as Meta does when delivery and read
	// happen together (§3.4).
	SkipDelivered bool
	// NoRead stops at delivered, as for users without read receipts.
	NoRead bool
	// Off emits no status webhooks at all (failed ones included).
	Off bool
}

// DeliveryOptions tunes webhook delivery.
type DeliveryOptions struct {
	// Workers per callback URL (default 8). Items are sharded by
	// conversation so that one customer's events keep their order.
	Workers int
	// MaxBatch caps how many messages/statuses one POST may carry when the
	// queue backs up (default 50). 1 disables batching under load.
	MaxBatch int
	// Retry schedule for non-2xx and network errors: InitialBackoff doubling
	// up to MaxBackoff, MaxAttempts tries in all (defaults 20ms, 1s, 6).
	// Meta retries for days; this is the compressed schedule for tests.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	MaxAttempts    int
	// Timeout for one POST (default 10s).
	Timeout time.Duration
}

// Sim is one simulated Cloud API. Create it with New, serve Handler, and
// Close it when done.
type Sim struct {
	opts   Options
	log    *slog.Logger
	client *http.Client

	mu        sync.RWMutex // guards the model below
	apps      map[string]*App
	wabas     map[string]*Business
	numbers   map[string]*Number
	tokens    map[string]*Token
	templates map[string]*Template // by id
	customers map[string]*Customer // by internal key
	custByWa  map[string]*Customer
	custByUID map[string]*Customer
	windows   map[windowKey]time.Time

	clockOffset atomic.Int64 // nanoseconds added to opts.Now
	baseURL     atomic.Pointer[string]
	seq         atomic.Uint64 // id generator

	faults   faultState
	limits   *limiter
	media    *mediaStore
	messages *messageStore
	requests *ring[Request]
	delivs   *ring[Delivery]
	delivery *dispatcher

	handler http.Handler
	ctx     context.Context
	cancel  context.CancelFunc
	closed  atomic.Bool
}

// New builds a Sim. It starts the status scheduler and delivery machinery;
// call Close to stop them.
func New(opts Options) *Sim {
	if opts.Throughput <= 0 {
		opts.Throughput = 80
	}
	if opts.RecordLimit <= 0 {
		opts.RecordLimit = 10000
	}
	if opts.MessageLimit <= 0 {
		opts.MessageLimit = 200000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	st := &opts.Statuses
	if st.Sent == 0 && st.Delivered == 0 && st.Read == 0 {
		st.Sent, st.Delivered, st.Read = 5*time.Millisecond, 20*time.Millisecond, 50*time.Millisecond
	}
	d := &opts.Delivery
	if d.Workers <= 0 {
		d.Workers = 8
	}
	if d.MaxBatch <= 0 {
		d.MaxBatch = 50
	}
	if d.InitialBackoff <= 0 {
		d.InitialBackoff = 20 * time.Millisecond
	}
	if d.MaxBackoff <= 0 {
		d.MaxBackoff = time.Second
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 6
	}
	if d.Timeout <= 0 {
		d.Timeout = 10 * time.Second
	}
	client := opts.HTTPClient
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 4 * d.Workers
		tr.MaxIdleConnsPerHost = 2 * d.Workers
		client = &http.Client{Transport: tr, Timeout: d.Timeout}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sim{
		opts:      opts,
		log:       opts.Logger,
		client:    client,
		apps:      map[string]*App{},
		wabas:     map[string]*Business{},
		numbers:   map[string]*Number{},
		tokens:    map[string]*Token{},
		templates: map[string]*Template{},
		customers: map[string]*Customer{},
		custByWa:  map[string]*Customer{},
		custByUID: map[string]*Customer{},
		windows:   map[windowKey]time.Time{},
		media:     newMediaStore(),
		messages:  newMessageStore(opts.MessageLimit),
		requests:  newRing[Request](opts.RecordLimit),
		delivs:    newRing[Delivery](opts.RecordLimit),
		ctx:       ctx,
		cancel:    cancel,
	}
	s.limits = newLimiter(s)
	s.delivery = newDispatcher(s)
	s.handler = s.routes()
	if opts.Seed {
		s.Seed()
	}
	return s
}

// Handler serves the Graph API, media downloads and the /_sim/ control API.
func (s *Sim) Handler() http.Handler { return s.handler }

// Close stops the scheduler and delivery workers. Pending webhooks are
// dropped; it returns within a few seconds even if a receiver hangs.
func (s *Sim) Close() {
	if s.closed.Swap(true) {
		return
	}
	s.cancel()
	done := make(chan struct{})
	go func() {
		s.delivery.wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		s.log.Warn("sim: close timed out waiting for delivery workers")
	}
}

// SetBaseURL sets the public base URL (scheme://host[:port]) used in media
// download URLs. If never set, the first request's Host is used.
func (s *Sim) SetBaseURL(u string) {
	for len(u) > 0 && u[len(u)-1] == '/' {
		u = u[:len(u)-1]
	}
	s.baseURL.Store(&u)
}

// BaseURL returns the public base URL, or "" before the first request.
func (s *Sim) BaseURL() string {
	if p := s.baseURL.Load(); p != nil {
		return *p
	}
	return ""
}

// Now is the simulator clock: Options.Now plus the offset added by Advance.
func (s *Sim) Now() time.Time {
	return s.opts.Now().Add(time.Duration(s.clockOffset.Load()))
}

// Advance moves the simulator clock forward (or back with a negative d).
// Windows, media URL expiry and rate limits follow it; status delays do not.
func (s *Sim) Advance(d time.Duration) { s.clockOffset.Add(int64(d)) }
