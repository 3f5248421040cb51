package events

import (
	"context"
	"errors"
	"sort"
	"sync"

	"wadesk/internal/helpdesk"
)

// entry is one event of the ring with its id. Its data (the ticket or
// message as the API shows it) is rendered once, by the first stream that
// needs it, and shared by all the others.
type entry struct {
	id uint64
	ev helpdesk.Event

	mu   sync.Mutex
	done bool // data or a permanent error is known
	data []byte
	err  error
}

// render returns the entry's data. A missing row is remembered (the event
// is skipped by every stream); any other error is not, so the next stream
// that reaches the entry tries again.
func (e *entry) render(ctx context.Context, render func(context.Context, helpdesk.Event) ([]byte, error)) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return e.data, e.err
	}
	data, err := render(ctx, e.ev)
	if err == nil || errors.Is(err, helpdesk.ErrNotFound) {
		e.done, e.data, e.err = true, data, err
	}
	return data, err
}

// ring keeps the most recent events in id order. Ids only grow but need
// not be consecutive (the PostgreSQL log has gaps where an append rolled
// back). Every event with an id in (base, head] is in the ring.
type ring struct {
	buf   []*entry // circular
	first int      // index of the oldest entry
	n     int
	base  uint64 // the id just before the oldest entry kept
	head  uint64 // the newest id (base when empty)
}

func newRing(size int, start uint64) *ring {
	return &ring{buf: make([]*entry, size), base: start, head: start}
}

// add appends an event with an id above head, evicting the oldest when full.
func (r *ring) add(e *entry) {
	if r.n == len(r.buf) {
		r.base = r.buf[r.first].id
		r.buf[r.first] = nil
		r.first = (r.first + 1) % len(r.buf)
		r.n--
	}
	r.buf[(r.first+r.n)%len(r.buf)] = e
	r.n++
	r.head = e.id
}

// at is the i-th oldest entry.
func (r *ring) at(i int) *entry { return r.buf[(r.first+i)%len(r.buf)] }

// after returns up to max entries with an id above cursor, oldest first;
// ok is false when cursor is older than what the ring holds (events after
// it may have been evicted).
func (r *ring) after(cursor uint64, max int) (out []*entry, ok bool) {
	if cursor < r.base {
		return nil, false
	}
	i := sort.Search(r.n, func(i int) bool { return r.at(i).id > cursor })
	for ; i < r.n && len(out) < max; i++ {
		out = append(out, r.at(i))
	}
	return out, true
}
