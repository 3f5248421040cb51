package ui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

//go:embed templates
var templateFS embed.FS

// page is what every full page template gets: the signed-in user, the
// CSRF token (in a <meta> for htmx and app.js, and in plain forms), the
// active navigation item and the page's own data.
type page struct {
	Title string
	User  *helpdesk.User
	CSRF  string
	Nav   string // inbox, account, channels, users, groups
	Flash string // a one-line success message
	Data  any
}

// parseTemplates parses the layout and fragments once, then each page on
// a clone of them, so a page may define its own "main" block.
func (u *UI) parseTemplates() error {
	base, err := template.New("ui").Funcs(u.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/fragments/*.html")
	if err != nil {
		return fmt.Errorf("ui: templates: %w", err)
	}
	u.frags = base
	u.pages = map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return fmt.Errorf("ui: templates: %w", err)
	}
	for _, name := range names {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, name)
		if err != nil {
			return fmt.Errorf("ui: template %s: %w", name, err)
		}
		u.pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return nil
}

// newPage fills the common parts of a page for the request's user.
func newPage(r *http.Request, title, nav string, data any) *page {
	return &page{Title: title, User: web.UserFrom(r.Context()), CSRF: web.CSRFTokenFrom(r.Context()), Nav: nav, Data: data}
}

// render executes a full page into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := u.pages[name]
	if !ok {
		u.fail(w, r, fmt.Errorf("ui: no page template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		u.fail(w, r, fmt.Errorf("ui: render %s: %w", name, err))
		return
	}
	writeHTML(w, status, buf.Bytes())
}

// fragment renders one named fragment (an htmx swap or a live update).
func (u *UI) fragment(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := u.frags.ExecuteTemplate(&buf, name, data); err != nil {
		u.fail(w, r, fmt.Errorf("ui: render fragment %s: %w", name, err))
		return
	}
	writeHTML(w, status, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// errorView is the data of the error page and the error flash.
type errorView struct {
	Status  int
	Message string
	Fields  map[string]string
}

// fail is the one place where page errors become answers: a full error
// page for navigations, a flash fragment (retargeted to #flash) for htmx.
// Only *helpdesk.Error messages are shown; anything else is logged with
// the request id and shown as a generic apology.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	v := errorView{Status: http.StatusInternalServerError, Message: "Something went wrong on our side. Please try again."}
	var he *helpdesk.Error
	if errors.As(err, &he) && web.StatusFor(he.Code) != http.StatusInternalServerError {
		v.Status, v.Message, v.Fields = web.StatusFor(he.Code), he.Message, he.Fields
	} else {
		u.log.LogAttrs(r.Context(), slog.LevelError, "ui: internal error",
			slog.String("request_id", web.RequestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("error", err.Error()))
	}
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
		u.fragment(w, r, v.Status, "flash_error", v)
		return
	}
	p := newPage(r, titleFor(v.Status), "", v)
	t := u.pages["error"]
	var buf bytes.Buffer
	if t == nil || t.ExecuteTemplate(&buf, "layout", p) != nil {
		http.Error(w, v.Message, v.Status)
		return
	}
	writeHTML(w, v.Status, buf.Bytes())
}

func titleFor(status int) string {
	switch status {
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusNotFound:
		return "Not found"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return "Please check"
}
