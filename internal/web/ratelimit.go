package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Login attempts allowed per client IP and per email: 5 a minute, burst 5.
const (
	loginRate      = rate.Limit(5.0 / 60.0)
	loginBurst     = 5
	maxLimiterKeys = 10000
	limiterIdle    = 10 * time.Minute // an idle limiter is full again by then
)

// loginLimits holds one token bucket per key ("ip:…", "email:…") in a map of
// bounded size, so a flood of distinct keys cannot grow memory without end.
type loginLimits struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	maxKeys int
	keys    map[string]*limiterEntry
}

type limiterEntry struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

func newLoginLimits(limit rate.Limit, burst, maxKeys int) *loginLimits {
	return &loginLimits{limit: limit, burst: burst, maxKeys: maxKeys, keys: make(map[string]*limiterEntry)}
}

// allow takes one token from each key's bucket and reports whether all had
// one. Every key is charged even if an earlier one refused, so an attacker
// cannot spread attempts to dodge the per-email limit.
func (l *loginLimits) allow(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ok := true
	for _, k := range keys {
		e := l.keys[k]
		if e == nil {
			l.makeRoom(now)
			e = &limiterEntry{lim: rate.NewLimiter(l.limit, l.burst)}
			l.keys[k] = e
		}
		e.lastSeen = now
		if !e.lim.AllowN(now, 1) {
			ok = false
		}
	}
	return ok
}

// makeRoom evicts idle entries when the map is full, and if all are busy the
// least recently seen one: forgetting a key only ever gives it a fresh burst.
func (l *loginLimits) makeRoom(now time.Time) {
	if len(l.keys) < l.maxKeys {
		return
	}
	var oldestKey string
	var oldest time.Time
	for k, e := range l.keys {
		if now.Sub(e.lastSeen) > limiterIdle {
			delete(l.keys, k)
			continue
		}
		if oldestKey == "" || e.lastSeen.Before(oldest) {
			oldestKey, oldest = k, e.lastSeen
		}
	}
	if len(l.keys) >= l.maxKeys {
		delete(l.keys, oldestKey)
	}
}

// size is the number of keys tracked (for tests).
func (l *loginLimits) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
