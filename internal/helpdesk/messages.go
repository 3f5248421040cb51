package helpdesk

import (
	"context"
	"strings"
	"unicode/utf8"
)

// MaxNoteLength is the longest internal note, in characters.
const MaxNoteLength = 65536

// ListMessages returns a page of a visible ticket's messages, oldest first,
// with attachments, reactions and sender names.
func (s *Service) ListMessages(ctx context.Context, actor *User, ticketID int64, p Page) ([]Message, string, error) {
	limit, c, err := p.limitAndCursor()
	if err != nil {
		return nil, "", err
	}
	if _, err := visibleTicket(ctx, s.st, actor, ticketID); err != nil {
		return nil, "", err
	}
	q := MessageQuery{TicketID: ticketID, Limit: limit + 1}
	if c != nil {
		q.AfterAt, q.AfterID = c.time(), c.ID
	}
	ms, err := s.st.ListMessages(ctx, q)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ms) > limit {
		ms = ms[:limit]
		last := ms[limit-1]
		next = cursor{At: last.CreatedAt.UnixMilli(), ID: last.ID}.encode()
	}
	return ms, next, nil
}

// Message returns one message of a ticket the actor may see.
func (s *Service) Message(ctx context.Context, actor *User, id int64) (*Message, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	m, err := s.st.MessageByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := visibleTicket(ctx, s.st, actor, m.TicketID); err != nil {
		return nil, err
	}
	return m, nil
}

// Attachment returns one attachment of a ticket the actor may see.
func (s *Service) Attachment(ctx context.Context, actor *User, id int64) (*Attachment, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	a, err := s.st.AttachmentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.Message(ctx, actor, a.MessageID); err != nil {
		return nil, err
	}
	return a, nil
}

// AddNote adds an internal note to a visible ticket. Notes never go to
// WhatsApp; they do not count as activity for the inbox order.
func (s *Service) AddNote(ctx context.Context, actor *User, ticketID int64, text string) (*Message, error) {
	var m *Message
	_, err := s.AddNoteOnce(ctx, actor, ticketID, text, Idempotency{Render: keep(&m, nil)})
	return m, err
}

// AddNoteOnce is AddNote that answers with idem.Render's response and,
// with a key, adds the note at most once per key (idempotency.go).
func (s *Service) AddNoteOnce(ctx context.Context, actor *User, ticketID int64, text string, idem Idempotency) (Response, error) {
	if strings.TrimSpace(text) == "" {
		return Response{}, Invalid("invalid note", map[string]string{"text": "required"})
	}
	if utf8.RuneCountInString(text) > MaxNoteLength {
		return Response{}, Invalid("invalid note", map[string]string{"text": "must be at most 65536 characters"})
	}
	request := struct{ Kind, Text string }{"note", text}
	var resp Response
	err := s.Update(ctx, func(tx Tx, ev *Events) (err error) {
		resp, err = s.once(ctx, tx, actor, ticketID, idem, request, func() (*Message, *Ticket, error) {
			t, err := visibleTicket(ctx, tx, actor, ticketID)
			if err != nil {
				return nil, nil, err
			}
			now := s.Now()
			senderID := actor.ID
			m := &Message{TicketID: t.ID, ChannelID: t.ChannelID, Direction: Out, Internal: true, Type: "note", Text: text,
				SenderKind: SenderAgent, SenderID: &senderID, Status: StatusNote, CreatedAt: now, UpdatedAt: now}
			if _, err := tx.InsertMessage(ctx, m); err != nil {
				return nil, nil, err
			}
			t.UpdatedAt = now
			if err := tx.UpdateTicket(ctx, t); err != nil {
				return nil, nil, err
			}
			ev.Add(Event{Type: EventMessageCreated, TicketID: t.ID, MessageID: m.ID, GroupID: t.GroupID})
			out, err := tx.MessageByID(ctx, m.ID)
			return out, t, err
		})
		return err
	})
	return resp, err
}
