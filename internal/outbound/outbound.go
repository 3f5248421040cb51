package outbound

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/secret"
	"wadesk/internal/whatsapp"
)

// Blobs opens attachment bytes by their sha256.
type Blobs interface {
	Open(sha string) (io.ReadCloser, error)
}

// Options configure a Dispatcher. Zero durations take the defaults.
type Options struct {
	Outbox  *helpdesk.Outbox
	Secrets *secret.Box
	// Graph is the Cloud API configuration without a token; each channel's
	// token is decrypted and set per call.
	Graph    whatsapp.Options
	Blobs    Blobs
	Logger   *slog.Logger
	Registry prometheus.Registerer // may be nil

	RetryBase   time.Duration // first retry of a transient failure (default 1 s)
	RetryMax    time.Duration // longest wait between retries (default 10 min)
	MaxAttempts int           // attempts before a transiently failing message fails (default 10)
	PauseCheck  time.Duration // how often a paused job looks at its channel again (default 5 s)
	FIFOWait    time.Duration // how long a message waits for an older one of its ticket (default 100 ms)
	// PairEvery and PairBurst shape the per-customer limiter: one message
	// per PairEvery sustained, PairBurst at once (defaults 6 s and 20;
	// Meta blocks the pair beyond ≈45 in 6 s).
	PairEvery time.Duration
	PairBurst int
}

// Dispatcher is the sending machinery of one wadesk process: the River
// workers, the shared rate limiters and a cache of per-channel clients.
type Dispatcher struct {
	o       Options
	outbox  *helpdesk.Outbox
	svc     *helpdesk.Service
	log     *slog.Logger
	limits  *limits
	turns   *turns
	metrics *metrics
	steps   sendSteps // the send steps' writes, committed together with concurrent workers'

	mu      sync.Mutex
	clients map[int64]cachedClient // channel id → client for its current token
}

type cachedClient struct {
	tokenEnc string
	client   *whatsapp.Client
}

// New returns a Dispatcher; register its workers with Register.
func New(o Options) (*Dispatcher, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.RetryBase, time.Second)
	def(&o.RetryMax, 10*time.Minute)
	def(&o.PauseCheck, 5*time.Second)
	def(&o.FIFOWait, 100*time.Millisecond)
	def(&o.PairEvery, 6*time.Second)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.PairBurst <= 0 {
		o.PairBurst = 20
	}
	d := &Dispatcher{o: o, outbox: o.Outbox, svc: o.Outbox.Service(), log: o.Logger,
		limits: newLimits(o.PairEvery, o.PairBurst), turns: newTurns(), clients: map[int64]cachedClient{}}
	var err error
	if d.metrics, err = newMetrics(o.Registry); err != nil {
		return nil, err
	}
	d.steps = sendSteps{o: o.Outbox, g: newGroupCommit(d.svc.Update, commitLanes(d.svc.Store()),
		func(n int) { d.metrics.commitBatch.Observe(float64(n)) })}
	return d, nil
}

// commitLanes is how many batches of send steps commit at once: one on
// SQLite (one writer connection), a few on PostgreSQL (group_commit.go).
func commitLanes(st helpdesk.Store) int {
	if d, ok := st.(interface{ Dialect() string }); ok && d.Dialect() == "postgres" {
		return 4
	}
	return 1
}

// Register adds the outbound workers to River.
func (d *Dispatcher) Register(w *river.Workers) {
	river.AddWorker(w, &SendWorker{d: d})
	river.AddWorker(w, &WelcomeWorker{d: d})
	river.AddWorker(w, &ReminderWorker{d: d})
	river.AddWorker(w, &ApologyWorker{d: d})
	river.AddWorker(w, &MarkReadWorker{d: d})
	river.AddWorker(w, &TypingWorker{d: d})
	river.AddWorker(w, &TemplateSyncWorker{d: d})
}

// client returns a Cloud API client with the channel's decrypted token.
// Clients are cached per channel until the sealed token changes.
func (d *Dispatcher) client(ch *helpdesk.Channel) (*whatsapp.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.clients[ch.ID]; ok && c.tokenEnc == ch.AccessTokenEnc {
		return c.client, nil
	}
	token, err := d.o.Secrets.Open(ch.AccessTokenEnc, "channel:access_token")
	if err != nil {
		return nil, fmt.Errorf("outbound: channel %d: open access token: %w", ch.ID, err)
	}
	g := d.o.Graph
	g.AccessToken = token
	c := whatsapp.NewClient(g)
	d.clients[ch.ID] = cachedClient{tokenEnc: ch.AccessTokenEnc, client: c}
	return c, nil
}

// jitter is a uniform value in [0, 1) for backoff spreading.
func jitter() float64 { return rand.Float64() }

// Resume is the channel capability's reactivation hook: a channel whose
// token was fixed may send again. Paused jobs notice within PauseCheck;
// this only drops the cached client so the new token is used at once.
func (d *Dispatcher) Resume(channelID int64) {
	d.mu.Lock()
	delete(d.clients, channelID)
	d.mu.Unlock()
	d.log.Info("outbound: channel active again, paused sends resume", "channel_id", channelID)
}

// pauseOnAuth puts the channel in error status when err says its token or
// account is broken. It reports whether it did.
func (d *Dispatcher) pauseOnAuth(ctx context.Context, channelID int64, err error) bool {
	if !whatsapp.IsAuthError(err) {
		return false
	}
	if perr := d.outbox.PauseChannel(ctx, channelID, reasonOf(err)); perr != nil {
		d.log.Error("outbound: pause channel", "channel_id", channelID, "error", perr)
	}
	return true
}
