package ui

import (
	"crypto/rand"
	"net/http"
	"strconv"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// maxChatPages bounds how many pages of messages a ticket view loads
// (200 each); longer conversations show their first 2000 messages.
const maxChatPages = 10

// ticketView is the chat page: the list column, the conversation, the
// composer and the customer panel.
type ticketView struct {
	Inbox     *inboxView
	Head      headView
	Messages  []msgView
	Templates []templateView
	Others    []ticketRow
	// SendKey is the composer's Idempotency-Key for its first message, new
	// on every page load (the script makes the next ones).
	SendKey string
}

// headView is the ticket header with its controls (re-rendered alone
// after a change and on live ticket.updated events).
type headView struct {
	T         helpdesk.Ticket
	Customer  *helpdesk.Customer
	Channel   *helpdesk.Channel
	Window    windowView
	States    []stateOption
	Users     []helpdesk.User
	Groups    []helpdesk.Group
	Saved     bool
	ShowTitle bool
}

type stateOption struct {
	Value    helpdesk.TicketState
	Selected bool
	Allowed  bool
}

var allStates = []helpdesk.TicketState{helpdesk.StateNew, helpdesk.StateOpen, helpdesk.StatePending, helpdesk.StateClosed}

func (u *UI) head(r *http.Request, n *names, t *helpdesk.Ticket) headView {
	h := headView{T: *t, Customer: n.customer(r.Context(), u.svc.Store(), t.CustomerID), Channel: n.channel(t.ChannelID),
		Window: u.window(t), Users: n.activeUsers(), Groups: n.groupsOf(web.UserFrom(r.Context()))}
	h.ShowTitle = titleSaysMore(t, h.Customer)
	for _, s := range allStates {
		h.States = append(h.States, stateOption{Value: s, Selected: s == t.State, Allowed: helpdesk.CanTransition(t.State, s)})
	}
	return h
}

// ticketFromPath loads the {id} ticket if the user may see it.
func (u *UI) ticketFromPath(r *http.Request) (*helpdesk.Ticket, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return u.svc.Ticket(r.Context(), web.UserFrom(r.Context()), id)
}

// ticket is the conversation page.
func (u *UI) ticket(w http.ResponseWriter, r *http.Request) {
	t, err := u.ticketFromPath(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := ticketView{Head: u.head(r, n, t), SendKey: rand.Text()}
	if v.Inbox, err = u.loadInbox(r, n, t.ID); err != nil {
		u.fail(w, r, err)
		return
	}
	ms, err := u.allMessages(r, t.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v.Messages = messageViews(ms)
	if t.ChannelID != nil {
		ts, err := u.svc.Store().ListTemplates(r.Context(), *t.ChannelID)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		v.Templates = templateViews(ts)
	}
	actor := web.UserFrom(r.Context())
	others, _, err := u.svc.ListTickets(r.Context(), actor, helpdesk.TicketFilter{CustomerID: &t.CustomerID, Page: helpdesk.Page{Limit: 20}})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for i := range others {
		if others[i].ID != t.ID {
			v.Others = append(v.Others, u.row(r, n, &others[i], v.Inbox.Filter, 0))
		}
	}
	title := v.Head.Customer.Name
	if title == "" {
		title = v.Head.Customer.Phone
	}
	u.render(w, r, http.StatusOK, "ticket", newPage(r, title, "inbox", v))
}

// allMessages walks the ticket's messages, oldest first, up to the bound.
func (u *UI) allMessages(r *http.Request, ticketID int64) ([]helpdesk.Message, error) {
	actor := web.UserFrom(r.Context())
	var all []helpdesk.Message
	p := helpdesk.Page{Limit: helpdesk.MaxLimit}
	for range maxChatPages {
		ms, next, err := u.svc.ListMessages(r.Context(), actor, ticketID, p)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
		if next == "" {
			break
		}
		p.Cursor = next
	}
	return all, nil
}

// ticketHeader re-renders the header and controls (live ticket.updated).
func (u *UI) ticketHeader(w http.ResponseWriter, r *http.Request) {
	t, err := u.ticketFromPath(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.fragment(w, r, http.StatusOK, "ticket_head", u.head(r, n, t))
}

// messageFragment renders one bubble, for live message.created/updated
// events and right after the composer sent something.
func (u *UI) messageFragment(w http.ResponseWriter, r *http.Request) {
	mid, err := web.PathID(r, "mid")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	m, err := u.svc.Message(r.Context(), web.UserFrom(r.Context()), mid)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	byID := map[int64]*helpdesk.Message{}
	if m.ReplyToID != nil {
		if q, err := u.svc.Message(r.Context(), web.UserFrom(r.Context()), *m.ReplyToID); err == nil {
			byID[q.ID] = q
		}
	}
	u.fragment(w, r, http.StatusOK, "message", messageView(m, byID))
}

// updateTicket saves the header controls (state, assignee, group) through
// the Service, which checks transitions, membership and visibility.
func (u *UI) updateTicket(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, helpdesk.Invalid("the form could not be read", nil))
		return
	}
	var p helpdesk.TicketPatch
	if v := r.PostForm.Get("state"); v != "" {
		st := helpdesk.TicketState(v)
		p.State = &st
	}
	if _, ok := r.PostForm["assignee_id"]; ok {
		p.AssigneeID = formID(r.PostForm.Get("assignee_id"))
	}
	if _, ok := r.PostForm["group_id"]; ok {
		p.GroupID = formID(r.PostForm.Get("group_id"))
	}
	t, err := u.svc.UpdateTicket(r.Context(), web.UserFrom(r.Context()), id, p)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	h := u.head(r, n, t)
	h.Saved = true
	u.fragment(w, r, http.StatusOK, "ticket_head", h)
}

// formID reads a select's value: "" clears, a number sets.
func formID(s string) helpdesk.OptionalID {
	if s == "" {
		return helpdesk.OptionalID{Set: true}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		id = -1 // not an id: the service reports it as unknown
	}
	return helpdesk.OptionalID{Set: true, ID: &id}
}
