package web

import (
	"log/slog"
	"net/http"
	"time"
)

// responseRecorder remembers the status and size of a response for the
// access log and metrics. It keeps Flush and Unwrap working, so streaming
// handlers (SSE) and http.ResponseController see the real writer.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rr *responseRecorder) WriteHeader(code int) {
	if rr.status == 0 && code >= 200 {
		rr.status = code // 1xx informational answers are not the final status
	}
	rr.ResponseWriter.WriteHeader(code)
}

func (rr *responseRecorder) Write(p []byte) (int, error) {
	if rr.status == 0 {
		rr.status = http.StatusOK
	}
	n, err := rr.ResponseWriter.Write(p)
	rr.bytes += int64(n)
	return n, err
}

// Flush forwards to the underlying writer when it can flush.
func (rr *responseRecorder) Flush() {
	if rr.status == 0 {
		rr.status = http.StatusOK
	}
	_ = http.NewResponseController(rr.ResponseWriter).Flush() // not every writer can flush
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (rr *responseRecorder) Unwrap() http.ResponseWriter { return rr.ResponseWriter }

// statusCode is the status sent, or 200 when the handler wrote nothing
// (net/http then answers 200 with an empty body).
func (rr *responseRecorder) statusCode() int {
	if rr.status == 0 {
		return http.StatusOK
	}
	return rr.status
}

// accessLog writes one structured line per request. Headers are never
// logged: they carry bearer tokens and session cookies.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := infoFrom(r.Context())
		defer panicking(info.rec, func(status int) {
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("route", routeLabel(info.route)),
				slog.Int("status", status),
				slog.Int64("bytes", info.rec.bytes),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("request_id", info.id),
			}
			if info.userID != 0 {
				attrs = append(attrs, slog.Int64("user_id", info.userID))
			}
			s.log.LogAttrs(r.Context(), level, "http request", attrs...)
		})
		next.ServeHTTP(w, r)
	})
}

// routeLabel names the route for logs and metrics: the pattern, never the
// raw path (which holds ids and would explode metric cardinality).
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	return pattern
}
