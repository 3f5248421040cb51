package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ListenAndServe runs a seeded Sim on addr until ctx is done (used by
// `wadesk sim` and `wadesk demo`). It logs the seed fixtures at info level.
func ListenAndServe(ctx context.Context, addr string, opts Options) error {
	opts.Seed = true
	s := New(opts)
	defer s.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim: listen %s: %w", addr, err)
	}
	if s.BaseURL() == "" {
		host, port, _ := net.SplitHostPort(ln.Addr().String())
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "localhost"
		}
		s.SetBaseURL("http://" + net.JoinHostPort(host, port))
	}
	info := s.Seed()
	s.log.Info("sim: listening", "addr", ln.Addr().String(), "phone_number_id", info.PhoneNumberID,
		"waba_id", info.WABAID, "app_id", info.AppID, "access_token", info.AccessToken)
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sim: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sim: shutdown: %w", err)
	}
	return nil
}
