// Package ui is the web app agents and admins work in: server-rendered
// html/template pages with htmx, one small script of its own (app.js) and
// one stylesheet, all embedded and served at content-hashed URLs.
//
// Pages read through helpdesk.Service (and the store's read queries for
// channels and templates); changes that belong to the helpdesk (ticket
// state, assignee, group, notes, users, groups, passwords, tokens) go
// through Service in this package's handlers. Changes owned by other
// capabilities (sending, channels, templates sync) are made by app.js
// against the public JSON API of the contract, so the UI exercises exactly
// what scripts use and never re-implements their rules.
package ui

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// Options are the UI's dependencies.
type Options struct {
	Service *helpdesk.Service
	Logger  *slog.Logger
	// BaseURL is the public URL; channel callback URLs are built from it.
	// A func, because tests learn the port only after listening.
	BaseURL func() string
	Now     func() time.Time
	// Counts reports queued and failed sends per channel for the health
	// page; nil shows no counts.
	Counts SendCounter
}

// UI serves the pages.
type UI struct {
	svc     *helpdesk.Service
	log     *slog.Logger
	baseURL func() string
	now     func() time.Time
	counts  SendCounter
	assets  *assets
	pages   map[string]*template.Template // page name → layout + page
	frags   *template.Template            // fragments, for htmx and live updates
}

// New parses every template and loads every asset; an error here is a
// programming error and stops the server from starting.
func New(opts Options) (*UI, error) {
	u := &UI{svc: opts.Service, log: opts.Logger, baseURL: opts.BaseURL, now: opts.Now, counts: opts.Counts}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	if u.now == nil {
		u.now = time.Now
	}
	if u.baseURL == nil {
		u.baseURL = func() string { return "" }
	}
	var err error
	if u.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if err := u.parseTemplates(); err != nil {
		return nil, err
	}
	return u, nil
}

// Mount adds the UI's routes to the web server. One line per route: this
// is the map of the pages.
func (u *UI) Mount(s *web.Server) {
	s.Handle("GET /static/{name}", u.assets)

	s.HandlePage("GET /{$}", http.RedirectHandler("/inbox", http.StatusSeeOther))
	s.HandlePage("GET /inbox", http.HandlerFunc(u.inbox))
	s.HandlePage("GET /inbox/rows/{id}", http.HandlerFunc(u.inboxRow))
	s.HandlePage("GET /tickets/{id}", http.HandlerFunc(u.ticket))
	s.HandlePage("GET /tickets/{id}/header", http.HandlerFunc(u.ticketHeader))
	s.HandlePage("GET /tickets/{id}/messages/{mid}", http.HandlerFunc(u.messageFragment))
	s.HandlePage("POST /tickets/{id}/update", http.HandlerFunc(u.updateTicket))

	s.HandlePage("GET /account", http.HandlerFunc(u.account))
	s.HandlePage("POST /account/password", http.HandlerFunc(u.changePassword))
	s.HandlePage("POST /account/tokens", http.HandlerFunc(u.createToken))
	s.HandlePage("POST /account/tokens/{id}/revoke", http.HandlerFunc(u.revokeToken))

	s.HandlePage("GET /admin/channels", u.admin(u.channels))
	s.HandlePage("GET /admin/channels/new", u.admin(u.channelWizard))
	s.HandlePage("GET /admin/channels/{id}", u.admin(u.channelPage))
	s.HandlePage("GET /admin/channels/{id}/status", u.admin(u.channelStatus))
	s.HandlePage("GET /admin/channels/{id}/edit", u.admin(u.channelEdit))
	s.HandlePage("GET /admin/channels/{id}/templates", u.admin(u.channelTemplates))
	s.HandlePage("GET /admin/users", u.admin(u.users))
	s.HandlePage("POST /admin/users", u.admin(u.createUser))
	s.HandlePage("GET /admin/groups", u.admin(u.groups))
	s.HandlePage("POST /admin/groups", u.admin(u.createGroup))
	s.HandlePage("POST /admin/groups/{id}/members", u.admin(u.setGroupMembers))
}

// admin lets only admins through; agents get the 403 page.
func (u *UI) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !web.UserFrom(r.Context()).IsAdmin() {
			u.fail(w, r, helpdesk.Errorf(helpdesk.ECodeForbidden, "This page is for admins. Ask an admin if you need access."))
			return
		}
		h(w, r)
	})
}

// isHTMX reports a request made by htmx (it wants a fragment, not a page).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// callbackURL is where Meta posts a channel's webhooks (the contract's
// {WADESK_BASE_URL}/webhooks/whatsapp/{webhook id}).
func (u *UI) callbackURL(ch *helpdesk.Channel) string {
	return strings.TrimRight(u.baseURL(), "/") + "/webhooks/whatsapp/" + ch.WebhookID
}
