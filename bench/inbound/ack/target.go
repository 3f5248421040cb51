package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/app"
	"wadesk/internal/auth"
	"wadesk/internal/config"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

// target is the running wadesk with one channel.
type target struct {
	app     *app.App
	seed    sim.SeedInfo
	hookURL string
	secret  string
	stop    func()
}

func boot(ctx context.Context, o options, logger *slog.Logger) (*target, error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	s := sim.New(sim.Options{})
	simSrv := httptest.NewServer(s.Handler())
	s.SetBaseURL(simSrv.URL)
	cleanups = append(cleanups, func() { simSrv.Close(); s.Close() })
	seed := s.Seed()

	dir, err := os.MkdirTemp("", "wadesk-ack-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(dir) })
	raw := map[string]string{
		"WADESK_ADDR":              "127.0.0.1:0",
		"WADESK_BASE_URL":          "http://127.0.0.1",
		"WADESK_DATA_DIR":          dir,
		"WADESK_GRAPH_API_URL":     simSrv.URL,
		"WADESK_GRAPH_API_VERSION": "v26.0",
		"WADESK_LOG_LEVEL":         o.logLevel,
	}
	if o.db == "postgres" {
		u, drop, err := freshSchema(ctx, o.pgURL)
		if err != nil {
			cleanup()
			return nil, err
		}
		cleanups = append(cleanups, drop)
		raw["WADESK_DATABASE_URL"] = u
	}
	cfg, err := config.Load(raw)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("config: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	a, err := app.New(runCtx, cfg, app.Options{Logger: logger, ShutdownTimeout: 20 * time.Second})
	if err != nil {
		cancel()
		cleanup()
		return nil, fmt.Errorf("app: %w", err)
	}
	a.Config.BaseURL.Host = a.Addr() // callback URLs need the real port
	if o.db == "sqlite" && o.sync == "full" {
		// The writer is one persistent connection, so the PRAGMA sticks.
		if _, err := a.DB.Writer().ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
			cancel()
			cleanup()
			return nil, err
		}
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	cleanups = append(cleanups, func() {
		cancel()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			fmt.Fprintln(os.Stderr, "ack: wadesk did not stop within 60 s")
		}
	})
	t := &target{app: a, seed: seed, secret: seed.AppSecret, stop: cleanup}
	if err := t.createChannel(ctx); err != nil {
		cleanup()
		return nil, err
	}
	return t, nil
}

// createChannel connects the simulator's number through the API, as an
// admin would.
func (t *target) createChannel(ctx context.Context) error {
	admin, err := t.app.Service.CreateUser(ctx, helpdesk.NewUser{Email: "bench@example.com", Name: "Bench", Role: helpdesk.RoleAdmin, Password: "bench-password-123"})
	if err != nil {
		return err
	}
	token, _, err := t.app.Service.CreateAPIToken(ctx, admin.ID, "bench")
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"name": "Bench", "waba_id": t.seed.WABAID, "phone_number_id": t.seed.PhoneNumberID,
		"access_token": t.seed.AccessToken, "app_secret": t.seed.AppSecret})
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+t.app.Addr()+"/api/v1/channels", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var ch struct {
		CallbackURL string `json:"callback_url"`
		Status      string `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ch); err != nil || resp.StatusCode != 201 || ch.Status != "active" {
		return fmt.Errorf("create channel: %d %v %+v", resp.StatusCode, err, ch)
	}
	t.hookURL = ch.CallbackURL
	return nil
}

// drainInbox waits until no delivery is pending, so that the processor's
// backlog from one phase does not run during the next one.
func (t *target) drainInbox(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var n int
		if err := t.app.DB.InboxDB().QueryRow("SELECT COUNT(*) FROM webhook_inbox WHERE state = 'pending'").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "ack: %d deliveries still pending after %v; measuring anyway\n", n, limit)
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// batchStats reads the group-commit histograms: rows per transaction and
// time per transaction.
type batchStats struct{ rows, txs, seconds float64 }

func (t *target) batchStats() batchStats {
	mfs, err := t.app.Registry.Gather()
	if err != nil {
		return batchStats{}
	}
	var b batchStats
	for _, mf := range mfs {
		if len(mf.GetMetric()) == 0 {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		switch mf.GetName() {
		case "wadesk_inbox_batch_size":
			b.rows, b.txs = h.GetSampleSum(), float64(h.GetSampleCount())
		case "wadesk_inbox_commit_duration_seconds":
			b.seconds = h.GetSampleSum()
		}
	}
	return b
}

func (b batchStats) since(a batchStats) batchStats {
	return batchStats{rows: b.rows - a.rows, txs: b.txs - a.txs, seconds: b.seconds - a.seconds}
}

func (b batchStats) mean() float64 {
	if b.txs == 0 {
		return 0
	}
	return b.rows / b.txs
}

func (b batchStats) meanCommit() time.Duration {
	if b.txs == 0 {
		return 0
	}
	return time.Duration(b.seconds / b.txs * float64(time.Second))
}

// freshSchema creates a throw-away schema and returns a URL whose
// connections use it, and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	schema := "wadesk_ack_" + sanitize(auth.RandomString(6))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	}
	return u.String(), drop, nil
}

// sanitize keeps lowercase letters and digits: schema names are SQL.
func sanitize(s string) string {
	var b []byte
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	if len(b) == 0 {
		return "x"
	}
	return string(b)
}
