package ui_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestPagesRenderForAdmin(t *testing.T) {
	f := newFixture(t)
	b := signIn(t, f.BaseURL, "admin@example.com", "admin-password")
	tid, chID := f.Ticket.ID, f.Channel.ID
	cases := []struct {
		name, path string
		want       []string
	}{
		{"root redirects to the inbox", "/", nil},
		{"inbox lists the ticket with its unread badge", "/inbox", []string{fmt.Sprintf(`id="row-%d"`, tid), `class="badge"`, "Sales line"}},
		{"ticket shows the chat, composer and customer", fmt.Sprintf("/tickets/%d", tid), []string{`id="chat"`, `id="composer"`, "16505551234", "hello"}},
		{"channel list shows health", "/admin/channels", []string{"Sales line", "High", "Last webhook"}},
		{"channel page shows callback URL and verify token", fmt.Sprintf("/admin/channels/%d", chID), []string{"/webhooks/whatsapp/hook123", "vt-abc", `data-copy="#cb-url"`}},
		{"channel edit form", fmt.Sprintf("/admin/channels/%d/edit", chID), []string{`id="channel-edit"`}},
		{"templates page offers sync", fmt.Sprintf("/admin/channels/%d/templates", chID), []string{`data-sync=`}},
		{"wizard starts with credentials", "/admin/channels/new", []string{`id="wizard"`, `name="access_token"`, `name="waba_id"`}},
		{"users", "/admin/users", []string{"Ada Agent", "agent@example.com"}},
		{"groups", "/admin/groups", []string{"Support"}},
		{"account", "/account", []string{"Change password", "API tokens"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := b.get(c.path)
			if c.want == nil {
				if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inbox" {
					t.Fatalf("status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(body, " style=") || strings.Contains(body, "<script>") {
				t.Error("inline style or script in a page (the CSP forbids them)")
			}
		})
	}
}

func TestCustomerContentIsEscaped(t *testing.T) {
	f := newFixture(t)
	b := signIn(t, f.BaseURL, "admin@example.com", "admin-password")
	for _, path := range []string{"/inbox", fmt.Sprintf("/tickets/%d", f.Ticket.ID),
		fmt.Sprintf("/tickets/%d/messages/%d", f.Ticket.ID, f.Inbound.ID), fmt.Sprintf("/inbox/rows/%d", f.Ticket.ID)} {
		_, body := b.get(path)
		for _, bad := range []string{"<script>alert(1)", "<img src=x", "<b>bold"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains raw %q", path, bad)
			}
		}
		if !strings.Contains(body, "&lt;") {
			t.Errorf("%s does not show the escaped customer content", path)
		}
	}
}

func TestAccessRules(t *testing.T) {
	f := newFixture(t)
	agent := signIn(t, f.BaseURL, "agent@example.com", "agent-password")
	cases := []struct {
		name, path string
		status     int
	}{
		{"agent cannot open the channel list", "/admin/channels", http.StatusForbidden},
		{"agent cannot open the wizard", "/admin/channels/new", http.StatusForbidden},
		{"agent cannot open users", "/admin/users", http.StatusForbidden},
		{"agent cannot open groups", "/admin/groups", http.StatusForbidden},
		{"a ticket outside the agent's groups is not found", fmt.Sprintf("/tickets/%d", f.Ticket.ID), http.StatusNotFound},
		{"a malformed ticket id is not found", "/tickets/abc", http.StatusNotFound},
		{"agent may open the inbox", "/inbox", http.StatusOK},
		{"agent may open the account", "/account", http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := agent.get(c.path)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.status == http.StatusForbidden && !strings.Contains(body, "for admins") {
				t.Error("403 page does not explain why")
			}
		})
	}
	t.Run("signed out browsers are sent to the login page", func(t *testing.T) {
		resp, err := http.Get(f.BaseURL + "/tickets/1") // follows to the login form
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Request.URL.Path != "/login" || resp.Request.URL.Query().Get("next") != "/tickets/1" {
			t.Fatalf("ended at %s", resp.Request.URL)
		}
	})
}

func TestStaticAssetsAreHashedAndImmutable(t *testing.T) {
	f := newFixture(t)
	b := signIn(t, f.BaseURL, "admin@example.com", "admin-password")
	_, body := b.get("/inbox")
	for _, name := range []string{"app.css", "app.js", "htmx.min.js"} {
		i := strings.Index(body, "/static/"+strings.TrimSuffix(strings.TrimSuffix(name, ".css"), ".js")+".")
		if i < 0 {
			t.Fatalf("page does not link %s", name)
		}
		url := body[i : i+strings.IndexByte(body[i:], '"')]
		resp, _ := b.get(url)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d, cache %q", url, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	if resp, _ := b.get("/static/app.0000000000.css"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", resp.StatusCode)
	}
}
