package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"wadesk/internal/helpdesk"
)

// EventFrame is one Server-Sent Event: id, event type and its JSON data.
type EventFrame struct {
	// ID is the event's position; a client resumes after it by sending it
	// back as Last-Event-ID.
	ID uint64
	// Type is ticket.created, ticket.updated, message.created,
	// message.updated or EventResync; empty, the frame only moves the
	// client's position (an "id:" line alone, which browsers record
	// without dispatching anything).
	Type string
	Data []byte // the contract's JSON of the ticket or message, on one line
}

// EventResync tells a client that events it missed can no longer be
// replayed (its Last-Event-ID is too old or unknown): it should reload what
// it shows. Its data is {}. An extra type beside the contract's four;
// clients that do not listen for it lose nothing they had before.
const EventResync = "resync"

// EventSource is the live feed behind GET /api/v1/events (internal/events.Hub).
type EventSource interface {
	// Subscribe returns the frames after lastEventID (the request's
	// Last-Event-ID; empty: from now on) whose ticket group visible lets
	// through, the missed ones first. The channel is closed when the
	// source shuts down or cannot go on (the client reconnects and
	// resumes); cancel releases the subscription.
	Subscribe(lastEventID string, visible func(groupID *int64) bool) (frames <-chan EventFrame, cancel func())
}

// DefaultKeepAlive is how often an idle event stream gets a comment line,
// so proxies and browsers keep the connection open.
const DefaultKeepAlive = 20 * time.Second

// EventData renders an event's data: the ticket or message as the API
// shows it, loaded once for all subscribers.
func (s *Server) EventData(ctx context.Context, ev helpdesk.Event) ([]byte, error) {
	st := s.svc.Store()
	switch ev.Type {
	case helpdesk.EventMessageCreated, helpdesk.EventMessageUpdated:
		m, err := st.MessageByID(ctx, ev.MessageID)
		if err != nil {
			return nil, err
		}
		return json.Marshal(MessageJSON(m))
	case helpdesk.EventTicketCreated, helpdesk.EventTicketUpdated:
		t, err := st.TicketByID(ctx, ev.TicketID)
		if err != nil {
			return nil, err
		}
		return json.Marshal(TicketJSONAt(t, s.now()))
	}
	return nil, fmt.Errorf("web: unknown event type %q", ev.Type)
}

// EventsHandler serves GET /api/v1/events as text/event-stream. Admins get
// every event; agents only those of tickets in their groups (re-read at
// each keep-alive, so a membership change takes effect within one
// interval), replayed ones exactly as live ones. A client reconnecting
// with Last-Event-ID (browsers do it by themselves) first gets what it
// missed. Mount it with HandleAPI.
func (s *Server) EventsHandler(src EventSource, keepAlive time.Duration) http.Handler {
	if keepAlive <= 0 {
		keepAlive = DefaultKeepAlive
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := UserFrom(r.Context())
		vis := &groupFilter{admin: actor.IsAdmin()}
		if err := vis.refresh(r.Context(), s.svc, actor.ID); err != nil {
			WriteError(w, r, err)
			return
		}
		frames, cancel := src.Subscribe(r.Header.Get("Last-Event-ID"), vis.visible)
		defer cancel()

		rc := http.NewResponseController(w)
		// The server's read timeout would otherwise end the stream (its
		// background read cancels the request when the deadline passes).
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
		w.WriteHeader(http.StatusOK)
		if _, err := fmt.Fprint(w, "retry: 3000\n: connected\n\n"); err != nil || rc.Flush() != nil {
			return
		}
		tick := time.NewTicker(keepAlive)
		defer tick.Stop()
		unflushed := 0
		for {
			select {
			case <-r.Context().Done():
				return
			case f, ok := <-frames:
				if !ok {
					return // shutting down, or the source cannot go on: the client reconnects
				}
				if err := writeFrame(w, f); err != nil {
					return
				}
				if unflushed++; len(frames) > 0 && unflushed < maxUnflushedFrames {
					continue // more are ready: one flush for several
				}
			case <-tick.C:
				if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
					return
				}
				if err := vis.refresh(r.Context(), s.svc, actor.ID); err != nil {
					return // deactivated or gone: end the stream
				}
			}
			if rc.Flush() != nil {
				return
			}
			unflushed = 0
		}
	})
}

// maxUnflushedFrames bounds the frames written before a flush while more
// are ready (a replay, a burst), so the client sees them come in.
const maxUnflushedFrames = 64

func writeFrame(w http.ResponseWriter, f EventFrame) error {
	var err error
	if f.Type == "" {
		_, err = fmt.Fprintf(w, "id: %d\n\n", f.ID)
	} else {
		_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", f.ID, f.Type, f.Data)
	}
	return err
}

// groupFilter is one stream's visibility rule, read by the event source's
// goroutine and refreshed by the handler's.
type groupFilter struct {
	admin  bool
	mu     sync.RWMutex
	groups map[int64]bool
}

func (g *groupFilter) visible(groupID *int64) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	switch {
	case g.admin:
		return true
	case groupID == nil:
		return false // tickets without a group are for admins to triage
	}
	return g.groups[*groupID]
}

func (g *groupFilter) refresh(ctx context.Context, svc *helpdesk.Service, userID int64) error {
	u, err := svc.User(ctx, userID)
	if err != nil {
		return err
	}
	if !u.Active {
		return helpdesk.Errorf(helpdesk.ECodeUnauthorized, "the account is deactivated")
	}
	groups := make(map[int64]bool, len(u.GroupIDs))
	for _, id := range u.GroupIDs {
		groups[id] = true
	}
	g.mu.Lock()
	g.groups, g.admin = groups, u.IsAdmin()
	g.mu.Unlock()
	return nil
}
