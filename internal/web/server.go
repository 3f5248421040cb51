// Package web is wadesk's HTTP layer: the router, the middleware every
// request goes through (request id, recover, access log, metrics, security
// headers), authentication by bearer token or session cookie with CSRF
// protection, the login page, and the JSON API under /api/v1. It calls only
// helpdesk.Service; errors are rendered in one place (WriteError).
package web

import (
	"context"
	"encoding/json"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
)

// Sender sends an agent's reply to WhatsApp (text, file or template). The
// WhatsApp capability implements it; without one, replies other than internal
// notes are refused with a clear error.
// The response is req.Idem's rendering of the queued message, or the
// stored response of an earlier request with the same Idempotency-Key.
type Sender interface {
	SendReply(ctx context.Context, actor *helpdesk.User, ticketID int64, req ReplyRequest) (helpdesk.Response, error)
}

// Blobs opens attachment bytes by their sha256 (lowercase hex).
type Blobs interface {
	Open(sha string) (io.ReadCloser, error)
}

// Options are the dependencies of a Server.
type Options struct {
	Service  *helpdesk.Service
	Logger   *slog.Logger
	Registry *prometheus.Registry        // nil: a fresh registry, so /metrics still answers
	Health   func(context.Context) error // nil: always healthy
	BaseURL  string                      // https:// makes the session cookie Secure
	Now      func() time.Time            // default time.Now; tests inject a clock
	Sender   Sender                      // optional: sending replies to WhatsApp
	Blobs    Blobs                       // optional: attachment bytes
}

// Server owns the router and the shared state of the HTTP layer (metrics,
// login rate limiters, templates).
type Server struct {
	svc     *helpdesk.Service
	log     *slog.Logger
	reg     *prometheus.Registry
	health  func(context.Context) error
	now     func() time.Time
	sender  Sender
	blobs   Blobs
	secure  bool
	mux     *http.ServeMux
	metrics *httpMetrics
	pages   *template.Template
	limits  *loginLimits
	handler http.Handler
}

// New builds a Server with all foundation routes mounted. Later capabilities
// add theirs with Handle and HandleAPI before serving starts.
func New(opts Options) *Server {
	s := &Server{
		svc:    opts.Service,
		log:    opts.Logger,
		reg:    opts.Registry,
		health: opts.Health,
		now:    opts.Now,
		sender: opts.Sender,
		blobs:  opts.Blobs,
		mux:    http.NewServeMux(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.health == nil {
		s.health = func(context.Context) error { return nil }
	}
	if u, err := url.Parse(opts.BaseURL); err == nil && strings.EqualFold(u.Scheme, "https") {
		s.secure = true
	}
	s.metrics = newHTTPMetrics(s.reg)
	s.pages = parsePages()
	s.limits = newLoginLimits(loginRate, loginBurst, maxLimiterKeys)
	s.routes()
	s.handler = s.middleware(http.HandlerFunc(s.dispatch))
	return s
}

// Handler returns the root handler with every middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// Handle mounts a public route (no authentication required), e.g. webhooks
// or static assets. pattern is a Go 1.22 ServeMux pattern such as
// "GET /webhooks/whatsapp/{id}"; it also labels the route's metrics.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, s.route(h))
}

// HandleAPI mounts a route that requires an authenticated user (bearer token
// or session cookie, with CSRF checked for unsafe methods on cookies).
// Handlers read the user with UserFrom.
func (s *Server) HandleAPI(pattern string, h http.Handler) {
	s.mux.Handle(pattern, s.route(s.requireUser(h)))
}

// HandlePage mounts a browser page that needs a signed-in user. Without a
// session, GET and HEAD are redirected to /login?next=…; other methods get
// 401. Unsafe methods need the session's CSRF token (CSRFTokenFrom).
func (s *Server) HandlePage(pattern string, h http.Handler) {
	s.mux.Handle(pattern, s.route(s.requirePage(h)))
}

// HandleAdmin is HandleAPI for routes only admins may use; agents get 403.
func (s *Server) HandleAdmin(pattern string, h http.Handler) {
	s.HandleAPI(pattern, RequireAdmin(h))
}

// route records the matched pattern for the access log and metrics: the
// middleware runs outside the mux and cannot see r.Pattern on its own copy.
func (s *Server) route(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = r.Pattern
		}
		h.ServeHTTP(w, r)
	})
}

// dispatch serves through the mux, but answers unknown API paths and wrong
// methods with the JSON error envelope instead of the mux's plain text.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		if _, pattern := s.mux.Handler(r); pattern == "" {
			s.mux.ServeHTTP(&fallbackWriter{ResponseWriter: w, r: r}, r)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// fallbackWriter turns the mux's 404 and 405 answers into JSON errors.
type fallbackWriter struct {
	http.ResponseWriter
	r       *http.Request
	swallow bool
}

func (f *fallbackWriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		f.swallow = true
		WriteError(f.ResponseWriter, f.r, helpdesk.Errorf(helpdesk.ECodeNotFound, "no such route"))
	case http.StatusMethodNotAllowed:
		f.swallow = true
		WriteError(f.ResponseWriter, f.r, &statusError{status: code,
			err: helpdesk.Errorf(ECodeMethodNotAllowed, "method %s is not allowed here", f.r.Method)})
	default:
		f.ResponseWriter.WriteHeader(code)
	}
}

func (f *fallbackWriter) Write(p []byte) (int, error) {
	if f.swallow {
		return len(p), nil
	}
	return f.ResponseWriter.Write(p)
}

// writeJSON writes v as the JSON response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // the client may be gone; nothing useful to do about it
}

// WriteJSON writes v as a JSON response with the given status, for handlers
// mounted by later capabilities.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }
