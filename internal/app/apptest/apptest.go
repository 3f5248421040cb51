// Package apptest boots the real wadesk App for integration tests: a
// seeded Cloud API simulator and the server, both on loopback, on a fresh
// SQLite file or PostgreSQL schema. Tests then drive it over HTTP, the way a
// user and Meta would.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"wadesk/internal/app"
	"wadesk/internal/config"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
	"wadesk/internal/store/storetest"
)

// Env is one running wadesk with its simulator.
type Env struct {
	T          *testing.T
	App        *app.App
	BaseURL    string // http://127.0.0.1:port of wadesk
	Sim        *sim.Sim
	SimURL     string
	Seed       sim.SeedInfo
	Admin      *helpdesk.User
	AdminToken string
	Client     *http.Client
}

// Options tune Start.
type Options struct {
	Dialect string           // "sqlite" (default) or "postgres"
	Sim     sim.Options      // simulator options (statuses, throughput, …)
	Now     func() time.Time // wadesk's clock; default time.Now
	// Logs, when set, receives wadesk's JSON logs (default: only shown on failure via t.Log at warn level).
	Logs io.Writer
}

// Start boots the simulator and wadesk and stops both when the test ends.
func Start(t *testing.T, o Options) *Env {
	t.Helper()
	s := sim.New(o.Sim)
	simSrv := httptest.NewServer(s.Handler())
	t.Cleanup(func() { simSrv.Close(); s.Close() })
	s.SetBaseURL(simSrv.URL)

	dataDir := t.TempDir()
	raw := map[string]string{
		"WADESK_ADDR":              "127.0.0.1:0",
		"WADESK_BASE_URL":          "http://127.0.0.1", // replaced below once the port is known
		"WADESK_DATA_DIR":          dataDir,
		"WADESK_GRAPH_API_URL":     simSrv.URL,
		"WADESK_GRAPH_API_VERSION": "v26.0",
		"WADESK_LOG_LEVEL":         "info",
	}
	if o.Dialect == "postgres" {
		raw["WADESK_DATABASE_URL"] = storetest.PostgresURL(t)
	}
	cfg, err := config.Load(raw)
	if err != nil {
		t.Fatalf("apptest: config: %v", err)
	}
	logs := o.Logs
	if logs == nil {
		logs = &testLog{t: t}
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, app.Options{Logger: logger, Now: o.Now, ShutdownTimeout: 10 * time.Second})
	if err != nil {
		cancel()
		t.Fatalf("apptest: app: %v", err)
	}
	base := "http://" + a.Addr()
	// Callback URLs are built from the base URL, which must carry the port.
	a.Config.BaseURL.Host = a.Addr()

	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("apptest: run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("apptest: wadesk did not stop within 20 s")
		}
	})

	e := &Env{T: t, App: a, BaseURL: base, Sim: s, SimURL: simSrv.URL, Seed: s.Seed(), Client: &http.Client{Timeout: 30 * time.Second}}
	e.Admin, err = a.Service.CreateUser(ctx, helpdesk.NewUser{Email: "admin@example.com", Name: "Admin", Role: helpdesk.RoleAdmin, Password: "admin-password"})
	if err != nil {
		t.Fatalf("apptest: admin: %v", err)
	}
	e.AdminToken, _, err = a.Service.CreateAPIToken(ctx, e.Admin.ID, "apptest")
	if err != nil {
		t.Fatalf("apptest: token: %v", err)
	}
	return e
}

// Do sends a JSON request with the admin token (body may be nil, a string
// or any value to marshal) and returns the status and body.
func (e *Env) Do(method, path string, body any) (int, []byte) {
	return e.DoAs(e.AdminToken, method, path, body)
}

// DoAs is Do with another bearer token ("" for none).
func (e *Env) DoAs(token, method, path string, body any) (int, []byte) {
	e.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.BaseURL+path, r)
	if err != nil {
		e.T.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// Eventually polls cond every 20 ms until it is true or timeout passes.
func (e *Env) Eventually(timeout time.Duration, what string, cond func() bool) {
	e.T.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.T.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ForEachDialect runs fn on SQLite and on PostgreSQL.
func ForEachDialect(t *testing.T, o Options, fn func(t *testing.T, e *Env)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			oo := o
			oo.Dialect = d
			fn(t, Start(t, oo))
		})
	}
}

// testLog shows wadesk's warnings and errors in the test output.
type testLog struct{ t *testing.T }

func (l *testLog) Write(p []byte) (int, error) {
	if os.Getenv("WADESK_TEST_QUIET") == "" {
		l.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}
