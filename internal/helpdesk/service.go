package helpdesk

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Options configures a Service.
type Options struct {
	Now    func() time.Time // default time.Now; tests inject a clock
	Events Publisher        // may be nil
	Logger *slog.Logger
}

// Event tells subscribers (SSE, metrics) that something changed. It is
// published only after its transaction committed.
type Event struct {
	Type      string // EventTicketCreated, …
	TicketID  int64
	MessageID int64  // 0 for ticket events
	GroupID   *int64 // the ticket's group, for visibility filtering of SSE
}

// Event types.
const (
	EventTicketCreated  = "ticket.created"
	EventTicketUpdated  = "ticket.updated"
	EventMessageCreated = "message.created"
	EventMessageUpdated = "message.updated"
)

// Publisher receives domain events after their transaction committed.
type Publisher interface{ Publish(Event) }

// Service is the helpdesk's use cases: what the web layer, the CLI and the
// job workers call. It enforces the rules; the Store only stores.
type Service struct {
	st     Store
	now    func() time.Time
	events Publisher
	log    *slog.Logger

	// dummyHash is compared against on logins with an unknown email, so that
	// they take as long as a wrong password (no user enumeration by timing).
	dummyOnce sync.Once
	dummyHash string
}

// NewService returns a Service over st.
func NewService(st Store, opts Options) *Service {
	s := &Service{st: st, now: opts.Now, events: opts.Events, log: opts.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Now is the service's clock, truncated to milliseconds (the precision
// the database keeps) and in UTC.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Events collects the events of one transaction.
type Events struct{ list []Event }

// Add records an event to publish after commit.
func (e *Events) Add(ev Event) { e.list = append(e.list, ev) }

// Update runs fn in one write transaction and publishes the events fn
// added once it committed. It is how the inbound and outbound workers
// combine the Tx primitives (find or create customer and ticket, insert a
// message) into one atomic step.
func (s *Service) Update(ctx context.Context, fn func(tx Tx, ev *Events) error) error {
	var ev Events
	if err := s.st.WithTx(ctx, func(tx Tx) error {
		ev = Events{} // a retried fn must not publish twice
		return fn(tx, &ev)
	}); err != nil {
		return err
	}
	s.publish(ev.list...)
	return nil
}

// Store gives the workers read access to storage.
func (s *Service) Store() Store { return s.st }

func (s *Service) publish(evs ...Event) {
	if s.events == nil {
		return
	}
	for _, ev := range evs {
		s.events.Publish(ev)
	}
}

// isNotFound reports whether err is (or wraps) ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
