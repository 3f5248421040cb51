package channel

import (
	"context"
	"sync"
	"time"

	"wadesk/internal/helpdesk"
)

// Target is what the webhook endpoint needs to know about the channel
// behind a callback URL.
type Target struct {
	ChannelID   int64
	Active      bool
	AppSecret   string // plain; held in memory only, never logged
	VerifyToken string
}

// WebhookTarget returns the channel behind a webhook id, from a cache with
// a short TTL (changes made through this Service clear it at once). An
// unknown, malformed or deleted id is helpdesk.ErrNotFound.
func (s *Service) WebhookTarget(ctx context.Context, webhookID string) (Target, error) {
	if !plausibleWebhookID(webhookID) {
		return Target{}, helpdesk.ErrNotFound
	}
	if t, err, ok := s.targets.get(webhookID); ok {
		return t, err
	}
	ch, err := s.st.ChannelByWebhookID(ctx, webhookID)
	if err != nil {
		if helpdesk.ErrorCode(err) == helpdesk.ECodeNotFound {
			s.targets.put(webhookID, Target{}, helpdesk.ErrNotFound)
			return Target{}, helpdesk.ErrNotFound
		}
		return Target{}, err // the database is down: not cached
	}
	sec, err := s.AppSecret(ch)
	if err != nil {
		return Target{}, err
	}
	t := Target{ChannelID: ch.ID, Active: ch.Active, AppSecret: sec, VerifyToken: ch.VerifyToken}
	s.targets.put(webhookID, t, nil)
	return t, nil
}

// plausibleWebhookID accepts base64url ids of a sane length, so garbage
// paths cost no query and do not fill the cache.
func plausibleWebhookID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// MarkWebhookVerified records that Meta completed the GET handshake.
func (s *Service) MarkWebhookVerified(ctx context.Context, channelID int64) error {
	return s.st.WithTx(ctx, func(tx helpdesk.Tx) error {
		return tx.SetChannelWebhookVerified(ctx, channelID, s.nowMs())
	})
}

// targetCache maps webhook ids to targets (or to not-found) for a while.
type targetCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	now     func() time.Time
	entries map[string]cacheEntry
}

type cacheEntry struct {
	target  Target
	err     error
	expires time.Time
}

// maxCacheEntries bounds the cache: random ids sprayed at the endpoint
// cannot grow it without limit.
const maxCacheEntries = 10000

// negativeTTL is shorter: a channel created on another instance becomes
// reachable quickly.
const negativeTTL = 2 * time.Second

func newTargetCache(ttl time.Duration, now func() time.Time) *targetCache {
	return &targetCache{ttl: ttl, now: now, entries: make(map[string]cacheEntry)}
}

func (c *targetCache) get(id string) (Target, error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || c.now().After(e.expires) {
		return Target{}, nil, false
	}
	return e.target, e.err, true
}

func (c *targetCache) put(id string, t Target, err error) {
	ttl := c.ttl
	if err != nil {
		ttl = min(ttl, negativeTTL)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCacheEntries {
		clear(c.entries)
	}
	c.entries[id] = cacheEntry{target: t, err: err, expires: c.now().Add(ttl)}
}

// invalidate forgets everything; channel changes are rare.
func (c *targetCache) invalidate() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}
