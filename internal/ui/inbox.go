package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// inboxFilter is the inbox's query string: what the agent narrowed the
// list to. It travels with every link so opening a ticket keeps the list.
type inboxFilter struct {
	State    string // "" = everything not closed, "all", or one state
	Group    int64
	Assignee string // "", "me", "none" or a user id
	Channel  int64
	Q        string
}

func readFilter(q url.Values) inboxFilter {
	f := inboxFilter{State: q.Get("state"), Assignee: q.Get("assignee"), Q: q.Get("q")}
	f.Group, _ = strconv.ParseInt(q.Get("group"), 10, 64)
	f.Channel, _ = strconv.ParseInt(q.Get("channel"), 10, 64)
	if f.State != "all" && f.State != "" && !helpdesk.ValidState(helpdesk.TicketState(f.State)) {
		f.State = ""
	}
	return f
}

// Encode is the filter as a query string (without "?"), empty values left out.
func (f inboxFilter) Encode() string {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("state", f.State)
	set("assignee", f.Assignee)
	set("q", f.Q)
	if f.Group > 0 {
		set("group", strconv.FormatInt(f.Group, 10))
	}
	if f.Channel > 0 {
		set("channel", strconv.FormatInt(f.Channel, 10))
	}
	return v.Encode()
}

// Active reports whether anything narrows the list (to offer "clear").
func (f inboxFilter) Active() bool { return f != inboxFilter{} }

// service turns the filter into the Service's ticket filter for actor.
func (f inboxFilter) service(actor *helpdesk.User) helpdesk.TicketFilter {
	tf := helpdesk.TicketFilter{Query: f.Q, Page: helpdesk.Page{Limit: helpdesk.MaxLimit}}
	switch f.State {
	case "":
		tf.States = []helpdesk.TicketState{helpdesk.StateNew, helpdesk.StateOpen, helpdesk.StatePending}
	case "all":
	default:
		tf.States = []helpdesk.TicketState{helpdesk.TicketState(f.State)}
	}
	if f.Group > 0 {
		tf.GroupID = &f.Group
	}
	if f.Channel > 0 {
		tf.ChannelID = &f.Channel
	}
	switch f.Assignee {
	case "":
	case "me":
		tf.AssigneeID = &actor.ID
	case "none":
		tf.Unassigned = true
	default:
		if id, err := strconv.ParseInt(f.Assignee, 10, 64); err == nil {
			tf.AssigneeID = &id
		}
	}
	return tf
}

// matches reports whether t belongs in the filtered list, for live
// updates of one row (search is checked by the caller with the service).
func (f inboxFilter) matches(t *helpdesk.Ticket, actor *helpdesk.User) bool {
	tf := f.service(actor)
	if len(tf.States) > 0 && !slices.Contains(tf.States, t.State) {
		return false
	}
	if (tf.GroupID != nil && !sameID(t.GroupID, *tf.GroupID)) || (tf.ChannelID != nil && !sameID(t.ChannelID, *tf.ChannelID)) {
		return false
	}
	if tf.Unassigned && t.AssigneeID != nil {
		return false
	}
	return tf.AssigneeID == nil || sameID(t.AssigneeID, *tf.AssigneeID)
}

func sameID(p *int64, id int64) bool { return p != nil && *p == id }

// titleSaysMore is false for the title a new ticket gets from the
// customer's name or number, which the row already shows.
func titleSaysMore(t *helpdesk.Ticket, c *helpdesk.Customer) bool {
	title := strings.TrimSpace(t.Title)
	return title != "" && (c.Name == "" || !strings.Contains(title, c.Name)) &&
		(c.Phone == "" || !strings.Contains(title, c.Phone))
}

// ticketRow is one line of the inbox.
type ticketRow struct {
	T         helpdesk.Ticket
	Customer  *helpdesk.Customer
	Channel   string
	Group     string
	Assignee  string
	Window    windowView
	Active    bool   // the ticket open beside the list
	FilterQS  string // the list's filter, kept on the ticket link
	UnreadCap string // "9+" past nine
	ShowTitle bool   // the title says more than the customer's name
}

// windowView is the 24-hour window as the chip shows it.
type windowView struct {
	Open      bool
	ExpiresAt time.Time // zero when the customer never wrote
}

func (u *UI) window(t *helpdesk.Ticket) windowView {
	w := windowView{Open: t.WindowOpen(u.now())}
	if t.WindowExpiresAt != nil {
		w.ExpiresAt = *t.WindowExpiresAt
	}
	return w
}

// inboxView is the list column: filters, rows and the pickers' choices.
type inboxView struct {
	Filter   inboxFilter
	Rows     []ticketRow
	More     bool
	Groups   []helpdesk.Group
	Users    []helpdesk.User
	Channels []helpdesk.Channel
	ActiveID int64
}

func (u *UI) row(r *http.Request, n *names, t *helpdesk.Ticket, f inboxFilter, activeID int64) ticketRow {
	row := ticketRow{T: *t, Customer: n.customer(r.Context(), u.svc.Store(), t.CustomerID), Group: n.group(t.GroupID),
		Assignee: n.user(t.AssigneeID), Window: u.window(t), Active: t.ID == activeID, FilterQS: f.Encode()}
	if ch := n.channel(t.ChannelID); ch != nil {
		row.Channel = ch.Name
	}
	row.ShowTitle = titleSaysMore(t, row.Customer)
	if t.UnreadCount > 9 {
		row.UnreadCap = "9+"
	} else if t.UnreadCount > 0 {
		row.UnreadCap = strconv.Itoa(t.UnreadCount)
	}
	return row
}

// loadInbox builds the list column for the request's filter.
func (u *UI) loadInbox(r *http.Request, n *names, activeID int64) (*inboxView, error) {
	actor := web.UserFrom(r.Context())
	f := readFilter(r.URL.Query())
	ts, next, err := u.svc.ListTickets(r.Context(), actor, f.service(actor))
	if err != nil {
		return nil, err
	}
	v := &inboxView{Filter: f, More: next != "", Groups: n.groupsOf(actor), Users: n.activeUsers(), Channels: n.channels, ActiveID: activeID}
	for i := range ts {
		v.Rows = append(v.Rows, u.row(r, n, &ts[i], f, activeID))
	}
	return v, nil
}

// inbox is the agent's home: the ticket list, newest activity first. An
// htmx request (filters, search) gets the list alone.
func (u *UI) inbox(w http.ResponseWriter, r *http.Request) {
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v, err := u.loadInbox(r, n, 0)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if isHTMX(r) {
		u.fragment(w, r, http.StatusOK, "inbox_rows", v)
		return
	}
	u.render(w, r, http.StatusOK, "inbox", newPage(r, "Inbox", "inbox", v))
}

// inboxRow renders one row for a live update. 204 tells app.js to drop
// the row: the ticket left the filtered list or the agent's sight.
func (u *UI) inboxRow(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	actor := web.UserFrom(r.Context())
	t, err := u.svc.Ticket(r.Context(), actor, id)
	if helpdesk.ErrorCode(err) == helpdesk.ECodeNotFound {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := readFilter(r.URL.Query())
	ok := f.matches(t, actor)
	if ok && f.Q != "" {
		ok, err = u.searchHas(r, actor, f, id)
		if err != nil {
			u.fail(w, r, err)
			return
		}
	}
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	active, _ := strconv.ParseInt(r.URL.Query().Get("active"), 10, 64)
	u.fragment(w, r, http.StatusOK, "inbox_row", u.row(r, n, t, f, active))
}

// searchHas reports whether the search of f finds ticket id (within the
// first page: a live update for a ticket further down is not shown).
func (u *UI) searchHas(r *http.Request, actor *helpdesk.User, f inboxFilter, id int64) (bool, error) {
	ts, _, err := u.svc.ListTickets(r.Context(), actor, f.service(actor))
	if err != nil {
		return false, err
	}
	for _, t := range ts {
		if t.ID == id {
			return true, nil
		}
	}
	return false, nil
}
