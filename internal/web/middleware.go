package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"wadesk/internal/auth"
	"wadesk/internal/helpdesk"
)

// reqInfo is what the layers of one request tell each other: the outer
// middleware creates it, the router fills in the route and auth the user, and
// the access log and metrics read it once the handler returned.
type reqInfo struct {
	id     string
	route  string // matched ServeMux pattern, "" when nothing matched
	userID int64
	log    *slog.Logger
	rec    *responseRecorder
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	info, _ := ctx.Value(infoKey{}).(*reqInfo)
	return info
}

// RequestID returns the id of the request ctx belongs to ("" outside one).
func RequestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// middleware wraps h in the request pipeline, outermost first: request id,
// recover, access log, metrics, security headers.
func (s *Server) middleware(h http.Handler) http.Handler {
	h = securityHeaders(h)
	h = s.observeMetrics(h)
	h = s.accessLog(h)
	h = s.recoverPanics(h)
	return s.requestID(h)
}

// requestID accepts a sane incoming X-Request-Id (so ids can be followed
// across a proxy) or makes one, echoes it, and starts the request's reqInfo.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			id = auth.RandomString(12)
		}
		w.Header().Set("X-Request-Id", id)
		rec := &responseRecorder{ResponseWriter: w}
		info := &reqInfo{id: id, log: s.log, rec: rec}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// saneRequestID allows 1..64 characters that are safe in logs and headers.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}

// recoverPanics turns a handler panic into a 500 JSON answer carrying the
// request id, logged with its stack, instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p) // the handler asked for the connection to be dropped
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "http: panic",
				slog.String("request_id", RequestID(r.Context())),
				slog.String("panic", fmt.Sprint(p)),
				slog.String("stack", string(debug.Stack())))
			if info := infoFrom(r.Context()); info != nil && info.rec.status != 0 {
				return // headers are out; the best we can do is end the response
			}
			writeErrorBody(w, r, http.StatusInternalServerError,
				helpdesk.Errorf(helpdesk.ECodeInternal, "internal error"))
		}()
		next.ServeHTTP(w, r)
	})
}

// panicking runs fn with the status the client will see: 500 while a panic
// is on its way to recoverPanics, which answers after the inner layers are
// done. The panic continues unchanged.
func panicking(rec *responseRecorder, fn func(status int)) {
	if p := recover(); p != nil {
		fn(http.StatusInternalServerError)
		panic(p)
	}
	fn(rec.statusCode())
}
