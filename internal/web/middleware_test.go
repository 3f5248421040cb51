package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// mountPanic adds a route that panics, as a buggy later handler would.
func mountPanic(s *web.Server) {
	s.Handle("GET /test/panic/{n}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom: test panic")
	}))
}

func TestPanicBecomes500WithRequestID(t *testing.T) {
	forEachDB(t, mountPanic, func(t *testing.T, e *env) {
		client := e.http.Client()
		for i := range 2 { // the server keeps answering after a panic
			resp := e.do(client, "GET", "/test/panic/1", "", "", map[string]string{"X-Request-Id": "req-panic-1"})
			var body struct {
				Error struct {
					Code      string
					RequestID string `json:"request_id"`
				}
			}
			resp.json(t, &body)
			if resp.status != 500 || body.Error.Code != "internal" || body.Error.RequestID != "req-panic-1" {
				t.Fatalf("try %d: %d %s", i, resp.status, resp.body)
			}
			if strings.Contains(resp.body, "boom") {
				t.Error("the panic value leaked to the client")
			}
		}
		logs := e.logs.String()
		for _, want := range []string{`"msg":"http: panic"`, `"request_id":"req-panic-1"`, `"stack":"`, "boom: test panic", `"status":500`, `"route":"GET /test/panic/{n}"`} {
			if !strings.Contains(logs, want) {
				t.Errorf("logs lack %s", want)
			}
		}
		if resp := e.do(client, "GET", "/healthz", "", "", nil); resp.status != 200 {
			t.Errorf("healthz after panic: %d", resp.status)
		}
	})
}

func TestMetricsUseRoutePatterns(t *testing.T) {
	forEachDB(t, mountPanic, func(t *testing.T, e *env) {
		e.do(nil, "GET", "/api/v1/tickets/"+id(e.ticketA.ID), e.adminTok, "", nil)
		e.do(nil, "GET", "/api/v1/tickets/"+id(e.ticketB.ID), e.adminTok, "", nil)
		e.do(nil, "GET", "/api/v1/tickets/abc", e.adminTok, "", nil)
		e.do(nil, "GET", "/no/such/page", "", "", nil)
		e.do(nil, "GET", "/test/panic/7", "", "", nil)
		resp := e.do(nil, "GET", "/metrics", "", "", nil)
		if resp.status != 200 {
			t.Fatalf("/metrics: %d", resp.status)
		}
		for _, want := range []string{
			`wadesk_http_requests_total{code="200",method="GET",route="GET /api/v1/tickets/{id}"} 2`,
			`wadesk_http_requests_total{code="404",method="GET",route="GET /api/v1/tickets/{id}"} 1`,
			`wadesk_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
			`wadesk_http_requests_total{code="500",method="GET",route="GET /test/panic/{n}"} 1`,
			`wadesk_http_request_duration_seconds_bucket{method="GET",route="GET /api/v1/tickets/{id}",le="+Inf"} 3`,
		} {
			if !strings.Contains(resp.body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if strings.Contains(resp.body, `/api/v1/tickets/`+id(e.ticketA.ID)+`"`) {
			t.Error("a raw path is used as a metric label")
		}
	})
}

func TestHealthz(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			name   string
			err    error
			status int
			body   string
		}{
			{name: "database answers → 200", status: 200, body: `{"status":"ok"}`},
			{name: "database down → 503", err: errors.New("db: connection refused"), status: 503, body: `{"status":"unavailable"}`},
			{name: "recovered → 200", status: 200, body: `{"status":"ok"}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.setHealth(tc.err)
				resp := e.do(nil, "GET", "/healthz", "", "", nil)
				if resp.status != tc.status || strings.TrimSpace(resp.body) != tc.body {
					t.Errorf("%d %s", resp.status, resp.body)
				}
				if strings.Contains(resp.body, "refused") {
					t.Error("the health error leaked to an unauthenticated client")
				}
			})
		}
	})
}

func TestRequestIDAndHeaders(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			name, incoming string
			kept           bool
		}{
			{name: "sane incoming id is echoed", incoming: "abc-123_x.y", kept: true},
			{name: "id with spaces is replaced", incoming: "abc 123"},
			{name: "overlong id is replaced", incoming: strings.Repeat("a", 65)},
			{name: "missing id is generated"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				hdr := map[string]string{}
				if tc.incoming != "" {
					hdr["X-Request-Id"] = tc.incoming
				}
				resp := e.do(nil, "GET", "/api/v1/me", e.agentTok, "", hdr)
				got := resp.header.Get("X-Request-Id")
				if tc.kept != (got == tc.incoming) || got == "" {
					t.Errorf("X-Request-Id %q for incoming %q", got, tc.incoming)
				}
				if !strings.Contains(e.logs.String(), `"request_id":"`+got+`"`) {
					t.Errorf("access log lacks request id %q", got)
				}
			})
		}
		resp := e.do(nil, "GET", "/api/v1/me", e.agentTok, "", nil)
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "same-origin",
			"Content-Type":           "application/json; charset=utf-8",
		} {
			if got := resp.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if csp := resp.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
	})
}

func TestAccessLog(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		e.do(nil, "GET", "/api/v1/tickets/"+id(e.ticketA.ID), e.agentTok, "", map[string]string{"X-Request-Id": "log-1", "Cookie": "wadesk_session=secret-cookie"})
		var entry map[string]any
		for _, line := range strings.Split(e.logs.String(), "\n") {
			if strings.Contains(line, `"request_id":"log-1"`) && strings.Contains(line, `"msg":"http request"`) {
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Fatal(err)
				}
			}
		}
		if entry == nil {
			t.Fatalf("no access log line:\n%s", e.logs.String())
		}
		want := map[string]any{"method": "GET", "route": "GET /api/v1/tickets/{id}", "status": float64(200), "user_id": float64(e.agent.ID)}
		for k, v := range want {
			if entry[k] != v {
				t.Errorf("%s = %v, want %v", k, entry[k], v)
			}
		}
		for _, k := range []string{"bytes", "duration_ms"} {
			if _, ok := entry[k]; !ok {
				t.Errorf("access log lacks %s", k)
			}
		}
		logs := e.logs.String()
		for _, secret := range []string{e.agentTok, e.adminTok, "secret-cookie", "Bearer"} {
			if strings.Contains(logs, secret) {
				t.Errorf("logs contain a secret (%q)", secret)
			}
		}
	})
}

// mountPage adds a signed-in page, as the UI will.
func mountPage(s *web.Server) {
	s.HandlePage("GET /inbox", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("hello " + web.UserFrom(r.Context()).Name + " " + web.CSRFTokenFrom(r.Context())))
	}))
	s.HandlePage("POST /inbox", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
}

func TestPagesNeedASession(t *testing.T) {
	forEachDB(t, mountPage, func(t *testing.T, e *env) {
		anon := e.browser()
		if resp := e.do(anon, "GET", "/inbox?x=1", "", "", nil); resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/login?next=%2Finbox%3Fx%3D1" {
			t.Errorf("anonymous page: %d %q", resp.status, resp.header.Get("Location"))
		}
		b, csrf := e.signIn(t)
		resp := e.do(b, "GET", "/inbox", "", "", nil)
		if resp.status != 200 || resp.body != "hello Alan Agent "+csrf {
			t.Errorf("signed-in page: %d %q", resp.status, resp.body)
		}
		if resp := e.do(b, "POST", "/inbox", "", "", nil); resp.status != http.StatusForbidden {
			t.Errorf("page POST without CSRF token: %d", resp.status)
		}
		if resp := e.do(b, "POST", "/inbox", "", "", map[string]string{"X-CSRF-Token": csrf}); resp.status != http.StatusNoContent {
			t.Errorf("page POST with CSRF token: %d", resp.status)
		}
	})
}

// mountFailing adds routes that fail the ways later handlers can.
func mountFailing(s *web.Server) {
	s.Handle("GET /test/internal", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.WriteError(w, r, fmt.Errorf("store: load: %w", errors.New("disk on fire at /var/secret")))
	}))
	s.Handle("GET /test/window", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.WriteError(w, r, fmt.Errorf("send: %w", helpdesk.Errorf(helpdesk.ECodeWindowClosed, "the 24-hour window is closed")))
	}))
	s.Handle("GET /test/upstream", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeUpstream, "Meta answered 500"))
	}))
	s.Handle("GET /test/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeInvalidCredentials, "Graph refused the token"))
	}))
}

func TestErrorRendering(t *testing.T) {
	forEachDB(t, mountFailing, func(t *testing.T, e *env) {
		for _, sc := range []scenario{
			{name: "internal error is generic", method: "GET", path: "/test/internal", header: map[string]string{"X-Request-Id": "err-1"}, status: 500,
				contains: []string{`"code":"internal"`, `"message":"internal error"`, `"request_id":"err-1"`}, notContains: []string{"disk", "secret"}},
			{name: "wrapped domain error keeps its code", method: "GET", path: "/test/window", status: 409,
				contains: []string{`"code":"window_closed"`, `"message":"the 24-hour window is closed"`}},
			{name: "upstream error → 502", method: "GET", path: "/test/upstream", status: 502, contains: []string{`"code":"upstream_error"`}},
			{name: "invalid credentials → 422", method: "GET", path: "/test/credentials", status: 422, contains: []string{`"code":"invalid_credentials"`}},
		} {
			t.Run(sc.name, func(t *testing.T) { e.run(t, sc) })
		}
		logs := e.logs.String()
		if !strings.Contains(logs, "disk on fire") || !strings.Contains(logs, `"request_id":"err-1"`) {
			t.Errorf("the internal cause is not logged with the request id:\n%s", logs)
		}
	})
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		srv := httptest.NewServer(web.New(web.Options{Service: e.svc, BaseURL: "https://desk.example.com", Now: e.clock.Now}).Handler())
		defer srv.Close()
		client := srv.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		page, err := client.Get(srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(page.Body)
		page.Body.Close()
		m := csrfField.FindSubmatch(body)
		if m == nil {
			t.Fatal("no csrf field")
		}
		form := url.Values{"email": {"agent@example.com"}, "password": {testPassword}, "csrf_token": {string(m[1])}}
		req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// The jar would drop a Secure cookie on http, so send the token by hand.
		req.AddCookie(&http.Cookie{Name: "wadesk_login_csrf", Value: string(m[1])})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var cookie string
		for _, c := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "wadesk_session=") {
				cookie = c
			}
		}
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(cookie, "; Secure") || !strings.Contains(cookie, "HttpOnly") {
			t.Errorf("status %d cookie %q", resp.StatusCode, cookie)
		}
	})
}
