package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// healthTimeout bounds the health check: a hung database must not hang the
// load balancer's probe too.
const healthTimeout = 3 * time.Second

// healthz answers 200 when the health check (the database) answers, 503
// otherwise. The reason is logged, not shown: probes are unauthenticated.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if err := s.health(ctx); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "http: health check failed",
			slog.String("request_id", RequestID(r.Context())), slog.String("error", err.Error()))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
