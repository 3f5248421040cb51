package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
	"wadesk/internal/web"
)

// errorReply is the API's error envelope.
type errorReply struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// channelInput is a valid create body for the simulator's seeded number.
func channelInput(e *apptest.Env) map[string]any {
	return map[string]any{
		"name":            "Support",
		"waba_id":         e.Seed.WABAID,
		"phone_number_id": e.Seed.PhoneNumberID,
		"access_token":    e.Seed.AccessToken,
		"app_secret":      e.Seed.AppSecret,
	}
}

func with(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// mustCreateChannel creates the seeded number's channel and returns it.
func mustCreateChannel(t *testing.T, e *apptest.Env) web.ChannelView {
	t.Helper()
	status, body := e.Do("POST", "/api/v1/channels", channelInput(e))
	if status != 201 {
		t.Fatalf("create channel: %d %s", status, body)
	}
	var ch web.ChannelView
	if err := json.Unmarshal(body, &ch); err != nil {
		t.Fatal(err)
	}
	return ch
}

func decodeError(t *testing.T, body []byte) errorReply {
	t.Helper()
	var r errorReply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("not an error envelope: %s", body)
	}
	return r
}

// rawChannelRows is every column of every channel row as text, deleted
// ones included: what a database dump would show.
func rawChannelRows(t *testing.T, e *apptest.Env) string {
	t.Helper()
	rows, err := e.App.DB.Writer().Query("SELECT * FROM channels")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%v|", v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestCreateChannel(t *testing.T) {
	logs := &syncBuffer{}
	apptest.ForEachDialect(t, apptest.Options{Logs: logs}, func(t *testing.T, e *apptest.Env) {
		first := mustCreateChannel(t, e)
		t.Run("good credentials: Graph's number data, callback URL, handshake done", func(t *testing.T) {
			if first.DisplayPhoneNumber != e.Seed.DisplayPhone || first.VerifiedName == "" {
				t.Errorf("number data = %q, %q", first.DisplayPhoneNumber, first.VerifiedName)
			}
			if first.Status != "active" || !first.Active || first.LastError != nil {
				t.Errorf("status %q active %v last_error %v", first.Status, first.Active, first.LastError)
			}
			prefix := e.BaseURL + "/webhooks/whatsapp/"
			id := strings.TrimPrefix(first.CallbackURL, prefix)
			if !strings.HasPrefix(first.CallbackURL, prefix) || len(id) < 40 || len(first.VerifyToken) < 40 {
				t.Errorf("callback %q, verify token %q: want %s<random id>", first.CallbackURL, first.VerifyToken, prefix)
			}
			if first.WebhookVerifiedAt == nil {
				t.Error("webhook_verified_at is null: the simulator's handshake did not reach us")
			}
			if first.Reminder.AfterSeconds != 72000 || first.QualityRating == "" {
				t.Errorf("defaults: reminder %+v quality %q", first.Reminder, first.QualityRating)
			}
			subs := e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/subscribed_apps"})
			if len(subs) != 1 || !strings.Contains(string(subs[0].Body), first.CallbackURL) {
				t.Errorf("subscribe requests: %+v", subs)
			}
		})

		cases := []struct {
			name       string
			body       map[string]any
			status     int
			code       string
			field      string // a key of error.fields
			messageHas string
		}{
			{"duplicate number → 409", channelInput(e), 409, "conflict", "", ""},
			{"wrong token → 422 with Meta's message", with(channelInput(e), "phone_number_id", "999", "access_token", "EAAGwrong"),
				422, "invalid_credentials", "", "Invalid OAuth access token"},
			{"empty name", with(channelInput(e), "name", " "), 422, "invalid_request", "name", ""},
			{"non-numeric WABA id", with(channelInput(e), "waba_id", "abc"), 422, "invalid_request", "waba_id", ""},
			{"masked access token", with(channelInput(e), "access_token", "EAAG••••"), 422, "invalid_request", "access_token", ""},
			{"missing app secret", with(channelInput(e), "app_secret", ""), 422, "invalid_request", "app_secret", ""},
			{"reminder after 0 s", with(channelInput(e), "reminder", map[string]any{"after_seconds": 0}), 422, "invalid_request", "reminder.after_seconds", ""},
			{"reminder after 24 h", with(channelInput(e), "reminder", map[string]any{"after_seconds": 86400}), 422, "invalid_request", "reminder.after_seconds", ""},
			{"unknown group", with(channelInput(e), "group_id", "424242"), 422, "invalid_request", "group_id", ""},
			{"unknown field → 400", with(channelInput(e), "colour", "red"), 400, "invalid_request", "colour", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, body := e.Do("POST", "/api/v1/channels", c.body)
				if status != c.status {
					t.Fatalf("status %d, want %d: %s", status, c.status, body)
				}
				r := decodeError(t, body)
				if r.Error.Code != c.code {
					t.Errorf("code %q, want %q", r.Error.Code, c.code)
				}
				if _, ok := r.Error.Fields[c.field]; c.field != "" && !ok {
					t.Errorf("fields %v lack %q", r.Error.Fields, c.field)
				}
				if !strings.Contains(r.Error.Message, c.messageHas) {
					t.Errorf("message %q lacks %q", r.Error.Message, c.messageHas)
				}
			})
		}

		t.Run("agents are refused", func(t *testing.T) {
			agent := newAgentToken(t, e)
			if status, body := e.DoAs(agent, "GET", "/api/v1/channels", nil); status != 403 {
				t.Errorf("agent list: %d %s", status, body)
			}
		})

		t.Run("secrets never in responses, logs or the database", func(t *testing.T) {
			_, list := e.Do("GET", "/api/v1/channels", nil)
			_, one := e.Do("GET", "/api/v1/channels/"+first.ID, nil)
			places := map[string]string{"list": string(list), "get": string(one), "logs": logs.String(), "database": rawChannelRows(t, e)}
			for where, text := range places {
				for _, secret := range []string{e.Seed.AccessToken, e.Seed.AppSecret} {
					if strings.Contains(text, secret) {
						t.Errorf("%s contains the secret %q", where, secret)
					}
				}
			}
			if !strings.Contains(places["database"], "v1:") {
				t.Error("no sealed secret found in the channel row")
			}
		})
	})
}

// newAgentToken creates an agent and returns an API token for them.
func newAgentToken(t *testing.T, e *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	u, err := e.App.Service.CreateUser(ctx, helpdesk.NewUser{
		Email: fmt.Sprintf("agent%d@example.com", time.Now().UnixNano()), Name: "Agent", Role: helpdesk.RoleAgent, Password: "agent-password"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.App.Service.CreateAPIToken(ctx, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestCreateChannelWhenSubscribingFails(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		// Meta's handshake against a base URL nobody listens on fails, so
		// the subscription is refused with 2200.
		real := *e.App.Config.BaseURL
		e.App.Config.BaseURL.Host = "127.0.0.1:1"
		ch := mustCreateChannel(t, e)
		*e.App.Config.BaseURL = real
		if ch.Status != "error" || ch.LastError == nil || ch.LastError.Code != 2200 || ch.WebhookVerifiedAt != nil {
			t.Fatalf("status %q last_error %+v verified %v: want error/2200/null", ch.Status, ch.LastError, ch.WebhookVerifiedAt)
		}
		// Verify retries the subscription, now reachable.
		status, body := e.Do("POST", "/api/v1/channels/"+ch.ID+"/verify", nil)
		var got web.ChannelView
		_ = json.Unmarshal(body, &got)
		if status != 200 || got.Status != "active" || got.LastError != nil || got.WebhookVerifiedAt == nil {
			t.Errorf("after verify: %d %s", status, body)
		}
	})
}

func TestPatchChannel(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := mustCreateChannel(t, e)
		path := "/api/v1/channels/" + ch.ID
		sealed := func() string { return rawChannelRows(t, e) }
		before := sealed()
		cases := []struct {
			name   string
			body   any
			status int
			check  func(t *testing.T, got web.ChannelView)
		}{
			{"name and reminder change, secrets kept", map[string]any{"name": "Sales", "reminder": map[string]any{"after_seconds": 3600, "message": "Still there?"}}, 200,
				func(t *testing.T, got web.ChannelView) {
					if got.Name != "Sales" || got.Reminder.AfterSeconds != 3600 || got.Reminder.Message != "Still there?" {
						t.Errorf("got %+v", got)
					}
				}},
			{"masked and empty secrets are ignored", map[string]any{"access_token": "••••••••", "app_secret": ""}, 200, nil},
			{"'***' is a mask too", map[string]any{"access_token": "sim-***-token"}, 200, nil},
			{"empty name → 422", map[string]any{"name": ""}, 422, nil},
			{"reminder after 86400 s → 422", map[string]any{"reminder": map[string]any{"after_seconds": 86400}}, 422, nil},
			{"unknown group → 422", map[string]any{"group_id": "99999"}, 422, nil},
			{"phone number id is not patchable → 400", map[string]any{"phone_number_id": "1"}, 400, nil},
			{"disable", map[string]any{"active": false}, 200, func(t *testing.T, got web.ChannelView) {
				if got.Active || got.Status != "disabled" {
					t.Errorf("active %v status %q", got.Active, got.Status)
				}
			}},
			{"enable again", map[string]any{"active": true}, 200, func(t *testing.T, got web.ChannelView) {
				if !got.Active || got.Status != "active" {
					t.Errorf("active %v status %q", got.Active, got.Status)
				}
			}},
			{"unknown channel → 404", nil, 404, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := path
				body := c.body
				if body == nil {
					p, body = "/api/v1/channels/987654", map[string]any{"name": "x"}
				}
				status, out := e.Do("PATCH", p, body)
				if status != c.status {
					t.Fatalf("status %d, want %d: %s", status, c.status, out)
				}
				if c.check != nil {
					var got web.ChannelView
					if err := json.Unmarshal(out, &got); err != nil {
						t.Fatal(err)
					}
					c.check(t, got)
				}
			})
		}
		t.Run("the sealed secrets were never rewritten", func(t *testing.T) {
			for _, col := range []string{"access_token_enc", "app_secret_enc"} {
				var now string
				if err := e.App.DB.Writer().QueryRow("SELECT "+col+" FROM channels WHERE id = $1", ch.ID).Scan(&now); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(before, now) {
					t.Errorf("%s changed", col)
				}
			}
		})
		t.Run("the stored token still works", func(t *testing.T) {
			if status, body := e.Do("POST", path+"/verify", nil); status != 200 || !strings.Contains(string(body), `"status":"active"`) {
				t.Errorf("verify: %d %s", status, body)
			}
		})
		t.Run("a new app secret is used for the next delivery", func(t *testing.T) {
			hook := webhookPath(ch)
			if status, out := e.Do("PATCH", path, map[string]any{"app_secret": "a-new-app-secret"}); status != 200 {
				t.Fatalf("patch: %d %s", status, out)
			}
			body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
			if status := postSigned(t, e, hook, body, e.Seed.AppSecret); status != 401 {
				t.Errorf("old secret: %d, want 401", status)
			}
			if status := postSigned(t, e, hook, body, "a-new-app-secret"); status != 200 {
				t.Errorf("new secret: %d, want 200", status)
			}
		})
	})
}

func TestChannelBackToActiveAfterTokenFix(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		var reactivated atomic.Int64
		e.App.Channels.OnReactivated(func(id int64) { reactivated.Store(id) })
		ch := mustCreateChannel(t, e)
		path := "/api/v1/channels/" + ch.ID
		if err := e.Sim.ExpireToken(e.Seed.AccessToken); err != nil {
			t.Fatal(err)
		}
		status, body := e.Do("POST", path+"/verify", nil)
		var got web.ChannelView
		_ = json.Unmarshal(body, &got)
		if status != 200 || got.Status != "error" || got.LastError == nil || got.LastError.Code != 190 {
			t.Fatalf("verify with an expired token: %d %s", status, body)
		}
		steps := []struct {
			name   string
			token  string
			status int
			want   string // channel status afterwards
		}{
			{"a token Meta refuses is not saved", "EAAGnot-a-real-token", 422, "error"},
			{"a good token reactivates", "EAAGfresh-token", 200, "active"},
		}
		e.Sim.AddToken(sim.Token{Value: "EAAGfresh-token"})
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				if status, out := e.Do("PATCH", path, map[string]any{"access_token": s.token}); status != s.status {
					t.Fatalf("patch: %d %s", status, out)
				}
				_, out := e.Do("GET", path, nil)
				var now web.ChannelView
				_ = json.Unmarshal(out, &now)
				if now.Status != s.want {
					t.Errorf("status %q, want %q", now.Status, s.want)
				}
			})
		}
		if reactivated.Load() == 0 || fmt.Sprint(reactivated.Load()) != ch.ID {
			t.Errorf("OnReactivated saw %d, want %s", reactivated.Load(), ch.ID)
		}
	})
}

func TestDeleteChannel(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := mustCreateChannel(t, e)
		path := "/api/v1/channels/" + ch.ID
		steps := []struct {
			name         string
			method, path string
			status       int
		}{
			{"delete → 204", "DELETE", path, 204},
			{"gone from GET", "GET", path, 404},
			{"deleting again → 404", "DELETE", path, 404},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				if status, body := e.Do(s.method, s.path, nil); status != s.status {
					t.Errorf("%s %s: %d %s", s.method, s.path, status, body)
				}
			})
		}
		t.Run("its webhook URL answers 404", func(t *testing.T) {
			if status := postSigned(t, e, webhookPath(ch), []byte(`{}`), e.Seed.AppSecret); status != 404 {
				t.Errorf("status %d", status)
			}
		})
		t.Run("the number can be connected again", func(t *testing.T) {
			again := mustCreateChannel(t, e)
			if again.ID == ch.ID || again.CallbackURL == ch.CallbackURL {
				t.Errorf("new channel reuses id or URL: %+v", again)
			}
		})
		t.Run("the deleted row stays for the tickets' history", func(t *testing.T) {
			var deleted sql.NullInt64
			if err := e.App.DB.Writer().QueryRow("SELECT deleted_at FROM channels WHERE id = $1", ch.ID).Scan(&deleted); err != nil || !deleted.Valid {
				t.Errorf("deleted_at %v, err %v", deleted, err)
			}
		})
	})
}

func TestLookupPhoneNumbers(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	cases := []struct {
		name   string
		body   map[string]any
		status int
		has    string
	}{
		{"the WABA's numbers", map[string]any{"access_token": e.Seed.AccessToken, "waba_id": e.Seed.WABAID}, 200, e.Seed.PhoneNumberID},
		{"refused token → 422", map[string]any{"access_token": "EAAGnope", "waba_id": e.Seed.WABAID}, 422, "invalid_credentials"},
		{"missing WABA → 422", map[string]any{"access_token": e.Seed.AccessToken}, 422, "waba_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.Do("POST", "/api/v1/channels/lookup", c.body)
			if status != c.status || !strings.Contains(string(body), c.has) {
				t.Errorf("%d %s, want %d with %q", status, body, c.status, c.has)
			}
		})
	}
	if n := len(rawChannelRows(t, e)); n != 0 {
		t.Errorf("lookup stored something: %d bytes of channel rows", n)
	}
}
