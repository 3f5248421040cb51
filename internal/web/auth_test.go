package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// loginForm loads the login page in client and returns the form's token.
func (e *env) loginForm(t *testing.T, client *http.Client) string {
	t.Helper()
	resp := e.do(client, "GET", "/login", "", "", nil)
	if resp.status != 200 {
		t.Fatalf("GET /login: %d", resp.status)
	}
	m := csrfField.FindStringSubmatch(resp.body)
	if m == nil {
		t.Fatalf("login page has no csrf_token field:\n%s", resp.body)
	}
	return m[1]
}

// postLogin submits the login form.
func (e *env) postLogin(t *testing.T, client *http.Client, csrf, email, password string) response {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}, "csrf_token": {csrf}, "next": {"/tickets"}}
	return e.do(client, "POST", "/login", "", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// signIn logs the agent in with a browser and returns it with the
// session's CSRF token.
func (e *env) signIn(t *testing.T) (*http.Client, string) {
	t.Helper()
	b := e.browser()
	resp := e.postLogin(t, b, e.loginForm(t, b), "agent@example.com", testPassword)
	if resp.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", resp.status, resp.body)
	}
	u, _ := url.Parse(e.http.URL)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "wadesk_session" {
			_, sess, err := e.svc.SessionUser(context.Background(), c.Value)
			if err != nil {
				t.Fatal(err)
			}
			return b, sess.CSRFToken
		}
	}
	t.Fatal("no session cookie after login")
	return nil, ""
}

func TestTokenLifecycle(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		resp := e.run(t, scenario{method: "POST", path: "/api/v1/tokens", auth: "agent", body: `{"name":"ci"}`, status: 201,
			contains: []string{`"name":"ci"`, `"token":"wdk_`, `"last_used_at":null`, `"revoked_at":null`}})
		var tok struct{ ID, Token string }
		resp.json(t, &tok)
		e.run(t, scenario{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer " + tok.Token}, status: 200,
			contains: []string{`"email":"agent@example.com"`}})
		e.run(t, scenario{name: "another user's token → 404", method: "DELETE", path: "/api/v1/tokens/" + tok.ID, auth: "admin", status: 404})
		e.run(t, scenario{method: "DELETE", path: "/api/v1/tokens/" + tok.ID, auth: "agent", status: 204})
		e.run(t, scenario{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer " + tok.Token}, status: 401})
		e.run(t, scenario{method: "POST", path: "/api/v1/tokens", auth: "agent", body: `{"name":""}`, status: 422})
		if strings.Contains(e.logs.String(), tok.Token) {
			t.Error("the raw token appears in the logs")
		}
	})
}

func TestCSRF(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		b, csrf := e.signIn(t)
		note := `{"text":"from the browser","internal":true}`
		path := "/api/v1/tickets/" + id(e.ticketA.ID) + "/messages"
		for _, tc := range []struct {
			name   string
			client *http.Client
			auth   string
			header map[string]string
			body   string
			status int
		}{
			{name: "cookie GET needs no token", client: b, status: 200},
			{name: "cookie POST without token → 403", client: b, body: note, status: 403},
			{name: "cookie POST with wrong token → 403", client: b, body: note, header: map[string]string{"X-CSRF-Token": csrf + "x"}, status: 403},
			{name: "cookie POST with token → 201", client: b, body: note, header: map[string]string{"X-CSRF-Token": csrf}, status: 201},
			{name: "bearer POST is exempt", auth: e.agentTok, body: note, status: 201},
		} {
			t.Run(tc.name, func(t *testing.T) {
				method, p := "POST", path
				if tc.body == "" {
					method, p = "GET", "/api/v1/me"
				}
				resp := e.do(tc.client, method, p, tc.auth, tc.body, tc.header)
				if resp.status != tc.status {
					t.Fatalf("status %d, want %d: %s", resp.status, tc.status, resp.body)
				}
				if tc.status == 403 && !strings.Contains(resp.body, `"code":"forbidden"`) {
					t.Errorf("403 without the forbidden envelope: %s", resp.body)
				}
			})
		}
		// Form posts may carry the token as the csrf_token field.
		form := url.Values{"csrf_token": {csrf}}.Encode()
		resp := e.do(b, "POST", "/logout", "", form, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("logout with form token: %d %s", resp.status, resp.body)
		}
	})
}

func TestLogin(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		t.Run("page is accessible HTML with a CSP", func(t *testing.T) {
			resp := e.do(e.browser(), "GET", "/login?next=/tickets/5", "", "", nil)
			for _, want := range []string{`<html lang="en">`, `<label for="email">`, `<label for="password">`, `autocomplete="current-password"`, `value="/tickets/5"`} {
				if !strings.Contains(resp.body, want) {
					t.Errorf("login page lacks %s", want)
				}
			}
			if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(resp.header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("no strict CSP on the login page: %q", resp.header.Get("Content-Security-Policy"))
			}
			if css := e.do(nil, "GET", "/login.css", "", "", nil); css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
				t.Errorf("login.css: %d %s", css.status, css.header.Get("Content-Type"))
			}
		})
		t.Run("success sets a safe session cookie and redirects", func(t *testing.T) {
			b := e.browser()
			resp := e.postLogin(t, b, e.loginForm(t, b), "Agent@Example.com", testPassword)
			if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/tickets" {
				t.Fatalf("status %d Location %q", resp.status, resp.header.Get("Location"))
			}
			var cookie string
			for _, c := range resp.header.Values("Set-Cookie") {
				if strings.HasPrefix(c, "wadesk_session=") {
					cookie = c
				}
			}
			for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(cookie, attr) {
					t.Errorf("session cookie %q lacks %s", cookie, attr)
				}
			}
			if strings.Contains(cookie, "Secure") {
				t.Errorf("cookie is Secure on an http base URL: %q", cookie)
			}
			if me := e.do(b, "GET", "/api/v1/me", "", "", nil); me.status != 200 || !strings.Contains(me.body, "agent@example.com") {
				t.Errorf("/me with the session: %d %s", me.status, me.body)
			}
			if again := e.do(b, "GET", "/login", "", "", nil); again.status != http.StatusSeeOther {
				t.Errorf("signed-in GET /login: %d, want a redirect", again.status)
			}
		})
		t.Run("wrong password shows the form again", func(t *testing.T) {
			b := e.browser()
			resp := e.postLogin(t, b, e.loginForm(t, b), "sales@example.com", "wrong password")
			if resp.status != http.StatusUnauthorized || !strings.Contains(resp.body, "Wrong email or password") || !strings.Contains(resp.body, `role="alert"`) {
				t.Errorf("status %d body %s", resp.status, resp.body)
			}
			if strings.Contains(strings.Join(resp.header.Values("Set-Cookie"), ";"), "wadesk_session=") {
				t.Error("a failed login set a session cookie")
			}
		})
		t.Run("unknown email answers like a wrong password", func(t *testing.T) {
			b := e.browser()
			resp := e.postLogin(t, b, e.loginForm(t, b), "nobody@example.com", testPassword)
			if resp.status != http.StatusUnauthorized || !strings.Contains(resp.body, "Wrong email or password") {
				t.Errorf("status %d", resp.status)
			}
		})
		t.Run("missing double-submit token → 403", func(t *testing.T) {
			b := e.browser()
			e.loginForm(t, b)
			resp := e.postLogin(t, b, "forged", "agent@example.com", testPassword)
			if resp.status != http.StatusForbidden {
				t.Errorf("status %d", resp.status)
			}
		})
		t.Run("open redirect is refused", func(t *testing.T) {
			b := e.browser()
			csrf := e.loginForm(t, b)
			form := url.Values{"email": {"agent@example.com"}, "password": {testPassword}, "csrf_token": {csrf}, "next": {"//evil.example/x"}}
			resp := e.do(b, "POST", "/login", "", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/" {
				t.Errorf("status %d Location %q", resp.status, resp.header.Get("Location"))
			}
		})
		t.Run("rate limited per email after 5 attempts, from any address", func(t *testing.T) {
			var last response
			for i := range 6 {
				b := e.browser() // a new client address each time: only the email limit applies
				last = e.postLogin(t, b, e.loginForm(t, b), "admin@example.com", "guess "+strconv.Itoa(i))
				if want := http.StatusUnauthorized; i < 5 && last.status != want {
					t.Fatalf("attempt %d: status %d, want %d", i+1, last.status, want)
				}
			}
			if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Too many sign-in attempts") {
				t.Fatalf("6th attempt: status %d", last.status)
			}
			if last.header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			// Even the right password is refused while limited; JSON clients get the envelope.
			b := e.browser()
			resp := e.do(b, "POST", "/login", "", url.Values{"email": {"admin@example.com"}, "password": {testPassword}, "csrf_token": {e.loginForm(t, b)}}.Encode(),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
			var body struct{ Error struct{ Code string } }
			resp.json(t, &body)
			if resp.status != http.StatusTooManyRequests || body.Error.Code != "rate_limited" {
				t.Errorf("limited JSON login: %d %s", resp.status, resp.body)
			}
			// A minute later the bucket has refilled.
			e.clock.Add(time.Minute)
			b = e.browser()
			if ok := e.postLogin(t, b, e.loginForm(t, b), "admin@example.com", testPassword); ok.status != http.StatusSeeOther {
				t.Errorf("after a minute: status %d", ok.status)
			}
		})
		t.Run("rate limited per client address across emails", func(t *testing.T) {
			b := e.browser()
			var last response
			for i := range 6 {
				last = e.postLogin(t, b, e.loginForm(t, b), "probe"+strconv.Itoa(i)+"@example.com", "x")
			}
			if last.status != http.StatusTooManyRequests {
				t.Fatalf("6th attempt from one address: status %d", last.status)
			}
		})
		t.Run("logout ends the session", func(t *testing.T) {
			b, csrf := e.signIn(t)
			if resp := e.do(b, "POST", "/logout", "", "", nil); resp.status != http.StatusForbidden {
				t.Errorf("logout without CSRF token: %d, want 403", resp.status)
			}
			resp := e.do(b, "POST", "/logout", "", "", map[string]string{"X-CSRF-Token": csrf})
			if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/login" {
				t.Fatalf("logout: %d %q", resp.status, resp.header.Get("Location"))
			}
			if me := e.do(b, "GET", "/api/v1/me", "", "", nil); me.status != http.StatusUnauthorized {
				t.Errorf("/me after logout: %d", me.status)
			}
		})
		t.Run("JSON login answers the user", func(t *testing.T) {
			b := e.browser()
			csrf := e.loginForm(t, b)
			resp := e.do(b, "POST", "/login", "", url.Values{"email": {"sales@example.com"}, "password": {testPassword}, "csrf_token": {csrf}}.Encode(),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
			var u map[string]any
			resp.json(t, &u)
			if resp.status != 200 || u["email"] != "sales@example.com" {
				t.Errorf("status %d body %s", resp.status, resp.body)
			}
			if _, leaked := u["password_hash"]; leaked {
				t.Error("password hash in the answer")
			}
			raw, _ := json.Marshal(u)
			if strings.Contains(string(raw), "argon2") {
				t.Error("password hash in the answer")
			}
		})
		if strings.Contains(e.logs.String(), testPassword) {
			t.Error("a password appears in the logs")
		}
	})
}
