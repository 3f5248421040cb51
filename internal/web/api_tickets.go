package web

import (
	"net/http"
	"strings"

	"wadesk/internal/helpdesk"
)

// ticketPatchBody is the body of PATCH /api/v1/tickets/{id}; assignee_id
// and group_id may be null to clear them.
type ticketPatchBody struct {
	State      *string    `json:"state"`
	AssigneeID optionalID `json:"assignee_id"`
	GroupID    optionalID `json:"group_id"`
	Title      *string    `json:"title"`
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	f, err := ticketFilter(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	list, next, err := s.svc.ListTickets(r.Context(), UserFrom(r.Context()), f)
	if err != nil {
		WriteError(w, r, listError(err))
		return
	}
	now := s.now()
	views := make([]TicketView, len(list))
	for i := range list {
		views[i] = TicketJSONAt(&list[i], now)
	}
	writeJSON(w, http.StatusOK, List(views, next))
}

// ticketFilter reads the list filters; a malformed one is a 400 naming it.
func ticketFilter(r *http.Request) (helpdesk.TicketFilter, error) {
	var f helpdesk.TicketFilter
	var err error
	if f.Page, err = PageFrom(r); err != nil {
		return f, err
	}
	q := r.URL.Query()
	f.Query = q.Get("q")
	for _, st := range strings.Split(q.Get("state"), ",") {
		switch st = strings.TrimSpace(st); helpdesk.TicketState(st) {
		case "":
		case helpdesk.StateNew, helpdesk.StateOpen, helpdesk.StatePending, helpdesk.StateClosed:
			f.States = append(f.States, helpdesk.TicketState(st))
		default:
			return f, badRequest("bad filter", map[string]string{"state": "must be new, open, pending or closed (comma-separated)"})
		}
	}
	if q.Get("assignee_id") == "none" {
		f.Unassigned = true
	} else if f.AssigneeID, err = queryID(r, "assignee_id"); err != nil {
		return f, err
	}
	if f.ChannelID, err = queryID(r, "channel_id"); err != nil {
		return f, err
	}
	if f.CustomerID, err = queryID(r, "customer_id"); err != nil {
		return f, err
	}
	if f.GroupID, err = queryID(r, "group_id"); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	t, err := s.svc.Ticket(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, TicketJSONAt(t, s.now()))
}

func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var body ticketPatchBody
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	p := helpdesk.TicketPatch{AssigneeID: body.AssigneeID.domain(), GroupID: body.GroupID.domain(), Title: body.Title}
	if body.State != nil {
		st := helpdesk.TicketState(*body.State)
		p.State = &st
	}
	t, err := s.svc.UpdateTicket(r.Context(), UserFrom(r.Context()), id, p)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, TicketJSONAt(t, s.now()))
}
