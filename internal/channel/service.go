package channel

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/secret"
	"wadesk/internal/whatsapp"
)

// Associated data of the sealed secrets: a ciphertext only opens in the
// column it was made for.
const (
	adAccessToken = "channel:access_token"
	adAppSecret   = "channel:app_secret"
)

// Options are a Service's dependencies.
type Options struct {
	Store   helpdesk.Store
	Graph   whatsapp.Options // without AccessToken: each channel brings its own
	Secrets *secret.Box
	// BaseURL returns the current public base URL (WADESK_BASE_URL);
	// callback URLs are built from it on every use.
	BaseURL func() string
	Now     func() time.Time
	Logger  *slog.Logger
	// CacheTTL bounds how long another instance's change to a channel can
	// go unnoticed by the webhook endpoint (default 10 s). Changes made
	// through this Service are seen at once.
	CacheTTL time.Duration
}

// Service is the channel use cases; the web layer's handlers stay thin.
type Service struct {
	st      helpdesk.Store
	graph   whatsapp.Options
	box     *secret.Box
	baseURL func() string
	now     func() time.Time
	log     *slog.Logger
	targets *targetCache

	hooksMu     sync.Mutex
	reactivated []func(channelID int64)
}

// New returns a Service.
func New(o Options) *Service {
	s := &Service{st: o.Store, graph: o.Graph, box: o.Secrets, baseURL: o.BaseURL, now: o.Now, log: o.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.baseURL == nil {
		s.baseURL = func() string { return "http://localhost:8080" }
	}
	ttl := o.CacheTTL
	if ttl <= 0 {
		ttl = 10 * time.Second
	}
	s.targets = newTargetCache(ttl, s.now)
	return s
}

// OnReactivated registers fn to run after a channel left status "error"
// because its credentials work again (a new access token, or a successful
// Verify). Outbound uses it to resume the sends it paused. fn runs on the
// caller's goroutine after the change committed; it must not block long.
func (s *Service) OnReactivated(fn func(channelID int64)) {
	s.hooksMu.Lock()
	s.reactivated = append(s.reactivated, fn)
	s.hooksMu.Unlock()
}

func (s *Service) fireReactivated(id int64) {
	s.hooksMu.Lock()
	hooks := append([]func(int64){}, s.reactivated...)
	s.hooksMu.Unlock()
	s.log.Info("channel: reactivated", "channel_id", id)
	for _, fn := range hooks {
		fn(id)
	}
}

// CallbackURL is the webhook URL Meta posts the channel's deliveries to.
func (s *Service) CallbackURL(ch *helpdesk.Channel) string {
	return strings.TrimRight(s.baseURL(), "/") + "/webhooks/whatsapp/" + ch.WebhookID
}

// nowMs is the clock at the precision the database keeps.
func (s *Service) nowMs() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// List returns every channel that is not deleted, by id.
func (s *Service) List(ctx context.Context) ([]helpdesk.Channel, error) {
	return s.st.ListChannels(ctx)
}

// Get returns one channel; deleted or unknown ones are not_found.
func (s *Service) Get(ctx context.Context, id int64) (*helpdesk.Channel, error) {
	return s.st.ChannelByID(ctx, id)
}

// modify reads the channel inside a write transaction, lets fn change it and
// writes it back, so that concurrent single-column writes (the webhook
// handshake time) are not overwritten by a stale copy.
func (s *Service) modify(ctx context.Context, id int64, fn func(ch *helpdesk.Channel) error) (*helpdesk.Channel, error) {
	var out *helpdesk.Channel
	err := s.st.WithTx(ctx, func(tx helpdesk.Tx) error {
		ch, err := tx.ChannelByID(ctx, id)
		if err != nil {
			return err
		}
		if err := fn(ch); err != nil {
			return err
		}
		ch.UpdatedAt = s.nowMs()
		out = ch
		return tx.UpdateChannel(ctx, ch)
	})
	s.targets.invalidate()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Delete hides the channel: its tickets keep their history, its webhook
// URL answers 404 and its phone number can be connected again.
func (s *Service) Delete(ctx context.Context, id int64) error {
	ch, err := s.st.ChannelByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.st.WithTx(ctx, func(tx helpdesk.Tx) error {
		return tx.DeleteChannel(ctx, id, s.nowMs())
	}); err != nil {
		return err
	}
	s.targets.invalidate()
	s.log.Info("channel: deleted", "channel_id", id)
	s.repointWABA(ctx, ch)
	return nil
}

// repointWABA hands the WABA's callback override to another live channel of
// the same WABA, so that its numbers keep receiving deliveries after the
// channel that was subscribed last is deleted. Best effort: logged only.
func (s *Service) repointWABA(ctx context.Context, deleted *helpdesk.Channel) {
	siblings, err := s.st.ChannelsByWABA(ctx, deleted.WABAID)
	if err != nil || len(siblings) == 0 {
		return
	}
	next := &siblings[len(siblings)-1]
	if err := s.subscribe(ctx, next); err != nil {
		s.log.Warn("channel: re-point WABA webhooks after delete", "channel_id", next.ID,
			"waba_id", next.WABAID, "error", err)
	}
}

// RecordError puts a channel in status "error" with Meta's complaint, e.g.
// when a send is refused because the token expired (outbound calls it and
// pauses sends; OnReactivated tells it when to resume). A disabled channel
// keeps status "disabled" but records the error.
func (s *Service) RecordError(ctx context.Context, channelID int64, code int, message string) error {
	_, err := s.modify(ctx, channelID, func(ch *helpdesk.Channel) error {
		ch.LastError = &helpdesk.ChannelErrorInfo{Code: code, Message: message, At: s.nowMs()}
		if ch.Active {
			ch.Status = helpdesk.ChannelError
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("channel: record error: %w", err)
	}
	return nil
}
