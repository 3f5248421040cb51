package app

import (
	"sync"

	"wadesk/internal/helpdesk"
)

// Fanout is the Service's Publisher: it hands every event to each
// subscriber registered by a capability (the SSE hub, metrics, …).
type Fanout struct {
	mu   sync.RWMutex
	subs []helpdesk.Publisher
}

// Subscribe adds p; it receives every later event.
func (f *Fanout) Subscribe(p helpdesk.Publisher) {
	f.mu.Lock()
	f.subs = append(f.subs, p)
	f.mu.Unlock()
}

// Publish implements helpdesk.Publisher. Subscribers must not block.
func (f *Fanout) Publish(ev helpdesk.Event) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, p := range f.subs {
		p.Publish(ev)
	}
}
