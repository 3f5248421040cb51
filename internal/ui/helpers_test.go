package ui_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
)

// fixture is a running wadesk with a channel, a group, an agent and one
// customer conversation, created through the domain primitives so the UI
// tests do not depend on the webhook pipeline.
type fixture struct {
	*apptest.Env
	Channel  *helpdesk.Channel
	Group    *helpdesk.Group
	Agent    *helpdesk.User
	Customer *helpdesk.Customer
	Ticket   *helpdesk.Ticket
	Inbound  *helpdesk.Message
}

// xssName is a customer name that must show as text everywhere.
const xssName = `<script>alert(1)</script>`

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := apptest.Start(t, apptest.Options{})
	f := &fixture{Env: e}
	ctx := context.Background()
	svc := e.App.Service
	var err error
	if f.Group, err = svc.CreateGroup(ctx, "Support", nil); err != nil {
		t.Fatal(err)
	}
	if f.Agent, err = svc.CreateUser(ctx, helpdesk.NewUser{Email: "agent@example.com", Name: "Ada Agent", Role: helpdesk.RoleAgent,
		Password: "agent-password"}); err != nil {
		t.Fatal(err)
	}
	now := svc.Now()
	err = svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		f.Channel = &helpdesk.Channel{Name: "Sales line", WABAID: e.Seed.WABAID, PhoneNumberID: e.Seed.PhoneNumberID,
			DisplayPhoneNumber: e.Seed.DisplayPhone, VerifiedName: "Sim Support", WebhookID: "hook123", VerifyToken: "vt-abc",
			Active: true, Status: helpdesk.ChannelActive, RateLimit: 80, QualityRating: "GREEN", CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateChannel(ctx, f.Channel); err != nil {
			return err
		}
		c, _, err := svc.FindOrCreateCustomer(ctx, tx, helpdesk.CustomerRef{WAID: "16505551234", Name: xssName})
		if err != nil {
			return err
		}
		f.Customer = c
		if f.Ticket, _, err = svc.TicketForInbound(ctx, tx, ev, f.Channel, c, now); err != nil {
			return err
		}
		chID := f.Channel.ID
		wamid := "wamid.in1"
		f.Inbound = &helpdesk.Message{ChannelID: &chID, Type: "text", Text: `<img src=x onerror=alert(2)> hello <b>bold</b>`,
			WAMessageID: &wamid, CreatedAt: now}
		_, err = svc.AddInboundMessage(ctx, tx, ev, f.Ticket, f.Inbound)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// browser is an HTTP client with a cookie jar, signed in through the login
// form like a person, that sends the page's CSRF token on unsafe requests.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var (
	hiddenCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	metaCSRF   = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)
)

func signIn(t *testing.T, base, email, password string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, body := b.get("/login")
	m := hiddenCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("login form without csrf_token")
	}
	resp, _ := b.do("POST", "/login", "application/x-www-form-urlencoded",
		url.Values{"email": {email}, "password": {password}, "csrf_token": {m[1]}, "next": {"/inbox"}}.Encode(), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d", email, resp.StatusCode)
	}
	_, body = b.get("/account")
	if m := metaCSRF.FindStringSubmatch(body); m != nil {
		b.csrf = m[1]
	} else {
		t.Fatal("page without csrf meta")
	}
	return b
}

func (b *browser) do(method, path, ctype, body string, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func (b *browser) get(path string) (*http.Response, string) { return b.do("GET", path, "", "", nil) }

// post sends a form with the session's CSRF token.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	form.Set("csrf_token", b.csrf)
	return b.do("POST", path, "application/x-www-form-urlencoded", form.Encode(), nil)
}

// postHTMX sends a form the way htmx does: CSRF header, HX-Request.
func (b *browser) postHTMX(path string, form url.Values) (*http.Response, string) {
	return b.do("POST", path, "application/x-www-form-urlencoded", form.Encode(),
		map[string]string{"X-CSRF-Token": b.csrf, "HX-Request": "true"})
}

func (b *browser) apiJSON(method, path string, in, out any) int {
	b.t.Helper()
	raw, _ := json.Marshal(in)
	resp, body := b.do(method, path, "application/json", string(raw), map[string]string{"X-CSRF-Token": b.csrf, "Accept": "application/json"})
	if out != nil {
		_ = json.Unmarshal([]byte(body), out)
	}
	return resp.StatusCode
}
