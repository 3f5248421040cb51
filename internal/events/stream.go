package events

import (
	"context"
	"errors"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// ErrTooOld is the Archive's answer when events after the asked id were
// pruned: the stream cannot be resumed and the client must reload.
var ErrTooOld = errors.New("events: the events after this id are no longer kept")

const (
	streamBatch   = 256              // ring entries taken per lock
	replayBatch   = 500              // log rows read per query
	renderTimeout = 10 * time.Second // one event's data
)

// stream is one subscriber following the ring from its own position, so a
// slow client delays nobody else and loses nothing while the ring (or the
// log) still holds what it has not seen.
type stream struct {
	hub     *Hub
	ch      chan web.EventFrame
	visible func(groupID *int64) bool
	// cursor is the id of the last event this stream is done with: sent,
	// or not visible to this client.
	cursor   uint64
	announce bool // start by telling the client its position
	resync   bool // start with a resync: its Last-Event-ID cannot be resumed
}

// run streams until ctx ends or an event cannot be rendered for a reason
// other than its row being gone (the database is away): ending the stream
// then makes the client reconnect with its Last-Event-ID and try again.
func (s *stream) run(ctx context.Context) {
	h := s.hub
	switch {
	case s.resync:
		if !s.sendResync(ctx) {
			return
		}
	case s.announce:
		if !s.send(ctx, web.EventFrame{ID: s.cursor}) {
			return
		}
	}
	for {
		h.mu.Lock()
		entries, ok := h.ring.after(s.cursor, streamBatch)
		wake, archive, base := h.wake, h.archive, h.ring.base
		h.mu.Unlock()
		if !ok {
			if !s.replay(ctx, archive, base) {
				return
			}
			continue
		}
		if len(entries) == 0 {
			select {
			case <-wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		sent := false
		for _, e := range entries {
			if s.visible(e.ev.GroupID) {
				data, ok := s.data(ctx, e.ev, func(ctx context.Context) ([]byte, error) { return e.render(ctx, h.render) })
				if !ok {
					return
				}
				if data != nil && !s.send(ctx, web.EventFrame{ID: e.id, Type: e.ev.Type, Data: data}) {
					return
				}
				sent = data != nil
			} else {
				sent = false
			}
			s.cursor = e.id
		}
		// Caught up past events this client may not see: move its
		// Last-Event-ID along, so a reconnect resumes from here rather
		// than from an id the ring may have evicted by then.
		if !sent && len(entries) < streamBatch && !s.send(ctx, web.EventFrame{ID: s.cursor}) {
			return
		}
	}
}

// replay streams events older than the ring from the archive, or sends a
// resync when there is none (a single instance) or it no longer has them.
func (s *stream) replay(ctx context.Context, archive Archive, base uint64) bool {
	if archive == nil {
		return s.sendResync(ctx)
	}
	evs, err := archive.After(ctx, s.cursor, replayBatch)
	if errors.Is(err, ErrTooOld) {
		return s.sendResync(ctx)
	}
	if err != nil {
		s.hub.log.Warn("events: replay from the log failed; ending the stream", "after", s.cursor, "error", err)
		return false
	}
	if len(evs) == 0 {
		s.cursor = max(s.cursor, base) // nothing between here and the ring
		return true
	}
	for _, ev := range evs {
		if validType(ev.Type) && ev.TicketID > 0 && s.visible(ev.GroupID) {
			data, ok := s.data(ctx, ev.Event, func(ctx context.Context) ([]byte, error) { return s.hub.render(ctx, ev.Event) })
			if !ok {
				return false
			}
			if data != nil {
				if !s.send(ctx, web.EventFrame{ID: ev.ID, Type: ev.Type, Data: data}) {
					return false
				}
				s.hub.replayed.Inc()
			}
		}
		s.cursor = ev.ID
	}
	return true
}

// data renders an event; nil data with ok means its row is gone (skip
// it), !ok that the stream should end.
func (s *stream) data(ctx context.Context, ev helpdesk.Event, render func(context.Context) ([]byte, error)) (data []byte, ok bool) {
	rctx, cancel := context.WithTimeout(ctx, renderTimeout)
	defer cancel()
	data, err := render(rctx)
	switch {
	case err == nil:
		return data, true
	case errors.Is(err, helpdesk.ErrNotFound):
		s.hub.log.Debug("events: row gone, event skipped", "type", ev.Type, "ticket_id", ev.TicketID, "message_id", ev.MessageID)
		return nil, true
	case ctx.Err() == nil:
		s.hub.log.Warn("events: not rendered; ending the stream so the client resumes", "type", ev.Type,
			"ticket_id", ev.TicketID, "message_id", ev.MessageID, "error", err)
	}
	return nil, false
}

// sendResync tells the client to reload and moves it to the newest event.
func (s *stream) sendResync(ctx context.Context) bool {
	s.hub.mu.Lock()
	s.cursor = s.hub.ring.head
	s.hub.mu.Unlock()
	s.hub.resyncs.Inc()
	return s.send(ctx, web.EventFrame{ID: s.cursor, Type: web.EventResync, Data: []byte("{}")})
}

func (s *stream) send(ctx context.Context, f web.EventFrame) bool {
	select {
	case s.ch <- f:
		return true
	case <-ctx.Done():
		return false
	}
}
