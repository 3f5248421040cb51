package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/channel"
	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// MaxWebhookBody is the largest webhook delivery accepted (3 MiB); Meta's
// batches are far smaller.
const MaxWebhookBody = 3 << 20

// WebhookChannels finds the channel behind a callback URL (internal/channel).
type WebhookChannels interface {
	// WebhookTarget returns helpdesk.ErrNotFound for unknown or deleted ids.
	WebhookTarget(ctx context.Context, webhookID string) (channel.Target, error)
	MarkWebhookVerified(ctx context.Context, channelID int64) error
}

// InboxAppender stores a delivery durably: Append returns nil only once the
// row is committed (internal/inbox).
type InboxAppender interface {
	Append(ctx context.Context, item helpdesk.InboxItem) error
}

// webhook serves GET/POST /webhooks/whatsapp/{webhook_id}: Meta's side of
// wadesk. It is public (no session, no CSRF): the signature is the
// authentication.
type webhook struct {
	channels WebhookChannels
	inbox    InboxAppender
	now      func() time.Time
	metrics  *webhookMetrics
	bufs     bufferPool
}

// MountWebhook mounts the webhook endpoint.
func (s *Server) MountWebhook(channels WebhookChannels, inbox InboxAppender) {
	h := &webhook{channels: channels, inbox: inbox, now: s.now, metrics: newWebhookMetrics(s.reg)}
	s.Handle("GET /webhooks/whatsapp/{webhook_id}", http.HandlerFunc(h.handshake))
	s.Handle("POST /webhooks/whatsapp/{webhook_id}", http.HandlerFunc(h.receive))
}

// handshake answers Meta's verification request: the challenge as plain
// text when the verify token matches, 403 otherwise.
func (h *webhook) handshake(w http.ResponseWriter, r *http.Request) {
	target, err := h.channels.WebhookTarget(r.Context(), r.PathValue("webhook_id"))
	if err != nil {
		WriteError(w, r, lookupError(err))
		return
	}
	q := r.URL.Query()
	challenge := q.Get("hub.challenge")
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || challenge == "" || len(challenge) > 1024 ||
		subtle.ConstantTimeCompare([]byte(token), []byte(target.VerifyToken)) != 1 {
		WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeForbidden, "verification refused"))
		return
	}
	if err := h.channels.MarkWebhookVerified(r.Context(), target.ChannelID); err != nil {
		// The handshake itself succeeded; only the health page misses it.
		logFrom(r).Warn("webhook: record verification", "channel_id", target.ChannelID,
			"request_id", RequestID(r.Context()), "error", err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(challenge))
}

// receive stores a delivery and acknowledges it only after the commit.
func (h *webhook) receive(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	target, err := h.channels.WebhookTarget(ctx, r.PathValue("webhook_id"))
	if err != nil {
		err = lookupError(err)
		if helpdesk.ErrorCode(err) == helpdesk.ECodeNotFound {
			h.metrics.unknownChannel.Inc()
		} else {
			h.metrics.unavailable.Inc()
		}
		WriteError(w, r, err)
		return
	}
	if r.ContentLength > MaxWebhookBody {
		h.metrics.tooLarge.Inc()
		WriteError(w, r, tooLarge())
		return
	}
	buf := h.bufs.get()
	recycle := true
	defer func() {
		if recycle {
			h.bufs.put(buf)
		}
	}()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxWebhookBody)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.metrics.tooLarge.Inc()
			WriteError(w, r, tooLarge())
			return
		}
		WriteError(w, r, badRequest("the body could not be read", nil))
		return
	}
	body := buf.Bytes()
	if !whatsapp.VerifySignature(target.AppSecret, body, r.Header.Get(whatsapp.SignatureHeader)) {
		h.metrics.badSignature.Inc()
		WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeUnauthorized, "missing or wrong "+whatsapp.SignatureHeader))
		return
	}
	// A disabled channel's deliveries are stored pending like any other and
	// acknowledged, so Meta does not retry them for days. The processor
	// routes each change by metadata.phone_number_id and records, without
	// acting on them, changes whose number has no active channel. Marking
	// the whole row ignored here would be wrong: channels sharing a WABA
	// share one callback URL, so the row may carry other numbers' messages.
	//
	// Malformed JSON with a valid signature came from Meta (or from someone
	// holding the app secret): keep it for inspection, parked as failed so
	// the processor never chokes on it, and say 400.
	item := helpdesk.InboxItem{ChannelID: &target.ChannelID, ReceivedAt: h.now(), Body: body, State: helpdesk.InboxPending}
	malformed := !json.Valid(body)
	if malformed {
		item.State, item.Error = helpdesk.InboxFailed, "malformed JSON"
	}
	if err := h.inbox.Append(ctx, item); err != nil {
		// The writer may still hold the body if ctx ended first.
		recycle = ctx.Err() == nil
		h.metrics.unavailable.Inc()
		logFrom(r).Warn("webhook: not stored", "channel_id", target.ChannelID,
			"request_id", RequestID(ctx), "error", err)
		WriteError(w, r, unavailable())
		return
	}
	if malformed {
		h.metrics.malformed.Inc()
		WriteError(w, r, badRequest("the body is not valid JSON; it was kept for inspection", nil))
		return
	}
	h.metrics.stored.Inc()
	w.WriteHeader(http.StatusOK)
	h.metrics.ack.Observe(time.Since(start).Seconds())
}

// lookupError keeps not_found as it is and makes every other failure to
// find the channel a 503: the database is down, Meta should retry.
func lookupError(err error) error {
	if helpdesk.ErrorCode(err) == helpdesk.ECodeNotFound {
		return helpdesk.Errorf(helpdesk.ECodeNotFound, "no such webhook")
	}
	return unavailable()
}

func unavailable() error {
	return &statusError{status: http.StatusServiceUnavailable,
		err: helpdesk.Errorf("unavailable", "the delivery could not be stored; retry later")}
}

func tooLarge() error {
	return &statusError{status: http.StatusRequestEntityTooLarge,
		err: helpdesk.Invalid("the body is larger than 3 MiB", nil)}
}

// logFrom is the request's logger.
func logFrom(r *http.Request) *slog.Logger {
	if info := infoFrom(r.Context()); info != nil {
		return info.log
	}
	return slog.New(slog.DiscardHandler)
}

// bufferPool recycles request body buffers: under load every delivery
// would otherwise allocate (and grow) its own.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) get() *bytes.Buffer {
	if v, ok := b.p.Get().(*bytes.Buffer); ok {
		v.Reset()
		return v
	}
	return new(bytes.Buffer)
}

func (b *bufferPool) put(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 { // do not pin rare multi-MiB buffers
		b.p.Put(buf)
	}
}

// webhookMetrics count deliveries by result and time the ack.
type webhookMetrics struct {
	stored, badSignature, unknownChannel, tooLarge, malformed, unavailable prometheus.Counter
	ack                                                                    prometheus.Histogram
}

func newWebhookMetrics(reg prometheus.Registerer) *webhookMetrics {
	deliveries := registerOrReuse(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "wadesk_webhook_deliveries_total",
		Help: "Webhook POSTs by result: stored, bad_signature, unknown_channel, too_large, malformed, unavailable.",
	}, []string{"result"}))
	ack := registerOrReuse(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "wadesk_webhook_ack_duration_seconds",
		Help:    "Time from receiving a webhook POST to acknowledging it after the commit (stored deliveries).",
		Buckets: prometheus.ExponentialBuckets(0.00025, 2, 14), // 250 µs … 2 s
	}))
	return &webhookMetrics{
		stored:         deliveries.WithLabelValues("stored"),
		badSignature:   deliveries.WithLabelValues("bad_signature"),
		unknownChannel: deliveries.WithLabelValues("unknown_channel"),
		tooLarge:       deliveries.WithLabelValues("too_large"),
		malformed:      deliveries.WithLabelValues("malformed"),
		unavailable:    deliveries.WithLabelValues("unavailable"),
		ack:            ack,
	}
}
