package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
	"wadesk/internal/web"
	"wadesk/internal/whatsapp"
)

// webhookPath is the path part of a channel's callback URL.
func webhookPath(ch web.ChannelView) string {
	u, err := url.Parse(ch.CallbackURL)
	if err != nil {
		panic(err)
	}
	return u.Path
}

// postRaw posts body to path with the given signature header ("" for none)
// and returns the status.
func postRaw(t *testing.T, e *apptest.Env, path string, body []byte, signature string) int {
	t.Helper()
	req, err := http.NewRequest("POST", e.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(whatsapp.SignatureHeader, signature)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func postSigned(t *testing.T, e *apptest.Env, path string, body []byte, secret string) int {
	t.Helper()
	return postRaw(t, e, path, body, whatsapp.Sign(secret, body))
}

// inboxRows returns the states of the inbox rows whose body is exactly body.
func inboxRows(t *testing.T, e *apptest.Env, body []byte) []string {
	t.Helper()
	rows, err := e.App.DB.InboxDB().Query("SELECT state FROM webhook_inbox WHERE body = $1", body)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var states []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		states = append(states, s)
	}
	return states
}

// delivery is a small, valid webhook body, unique per n.
func delivery(n int) []byte {
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"0","changes":[{"field":"test","value":{"n":%d,"t":"caf\u00e9 \ud83d\ude00"}}]}]}`, n)
}

func TestWebhookPost(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := mustCreateChannel(t, e)
		hook := webhookPath(ch)
		secret := e.Seed.AppSecret
		big := bytes.Repeat([]byte(" "), web.MaxWebhookBody+1)
		cases := []struct {
			name      string
			path      string
			body      []byte
			signature string
			status    int
			stored    string // expected state of the row, "" for no row
		}{
			{"good signature → 200, exact bytes stored", hook, delivery(1), whatsapp.Sign(secret, delivery(1)), 200, "pending"},
			{"wrong signature → 401", hook, delivery(2), whatsapp.Sign("not-the-secret", delivery(2)), 401, ""},
			{"missing signature → 401", hook, delivery(3), "", 401, ""},
			{"signature of other bytes → 401", hook, delivery(4), whatsapp.Sign(secret, delivery(5)), 401, ""},
			{"malformed signature → 401", hook, delivery(6), "sha256=zz", 401, ""},
			{"unknown webhook id → 404", "/webhooks/whatsapp/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", delivery(7), whatsapp.Sign(secret, delivery(7)), 404, ""},
			{"garbage webhook id → 404", "/webhooks/whatsapp/..%2f", delivery(8), whatsapp.Sign(secret, delivery(8)), 404, ""},
			{"3 MiB + 1 → 413", hook, big, whatsapp.Sign(secret, big), 413, ""},
			{"malformed JSON, good signature → 400, kept as failed", hook, []byte(`{"object":`), whatsapp.Sign(secret, []byte(`{"object":`)), 400, "failed"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if status := postRaw(t, e, c.path, c.body, c.signature); status != c.status {
					t.Fatalf("status %d, want %d", status, c.status)
				}
				states := inboxRows(t, e, c.body)
				switch {
				case c.stored == "" && len(states) != 0:
					t.Errorf("stored %v, want nothing", states)
				case c.stored != "" && len(states) != 1:
					t.Errorf("stored %d rows, want 1", len(states))
				case c.stored == "failed" && states[0] != "failed":
					t.Errorf("state %q, want failed", states[0])
				}
			})
		}
		t.Run("the row names the channel and the arrival time", func(t *testing.T) {
			var channelID string
			var received int64
			if err := e.App.DB.InboxDB().QueryRow("SELECT channel_id, received_at FROM webhook_inbox WHERE body = $1", delivery(1)).Scan(&channelID, &received); err != nil {
				t.Fatal(err)
			}
			if channelID != ch.ID || time.Since(time.UnixMilli(received)) > time.Minute {
				t.Errorf("channel %s received %v", channelID, time.UnixMilli(received))
			}
		})
		t.Run("a disabled channel's delivery is stored and acknowledged", func(t *testing.T) {
			if status, out := e.Do("PATCH", "/api/v1/channels/"+ch.ID, map[string]any{"active": false}); status != 200 {
				t.Fatalf("disable: %d %s", status, out)
			}
			if status := postSigned(t, e, hook, delivery(9), secret); status != 200 {
				t.Errorf("status %d, want 200", status)
			}
			if n := len(inboxRows(t, e, delivery(9))); n != 1 {
				t.Errorf("%d rows, want 1", n)
			}
		})
		t.Run("last_webhook_at is recorded", func(t *testing.T) {
			_, out := e.Do("GET", "/api/v1/channels/"+ch.ID, nil)
			if !strings.Contains(string(out), `"last_webhook_at":"`) {
				t.Errorf("no last_webhook_at: %s", out)
			}
		})
		t.Run("metrics count results", func(t *testing.T) {
			status, out := e.DoAs("", "GET", "/metrics", nil)
			for _, want := range []string{`wadesk_webhook_deliveries_total{result="stored"}`, `wadesk_webhook_deliveries_total{result="bad_signature"} 4`,
				`wadesk_webhook_deliveries_total{result="too_large"} 1`, "wadesk_webhook_ack_duration_seconds_count", "wadesk_inbox_batch_size_count"} {
				if status != 200 || !strings.Contains(string(out), want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		})
	})
}

func TestWebhookHandshake(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	ch := mustCreateChannel(t, e)
	hook := webhookPath(ch)
	cases := []struct {
		name   string
		path   string
		query  url.Values
		status int
		body   string
	}{
		{"right token → the challenge", hook, url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {ch.VerifyToken}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token → 403", hook, url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1"}}, 403, ""},
		{"wrong mode → 403", hook, url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {ch.VerifyToken}, "hub.challenge": {"1"}}, 403, ""},
		{"no challenge → 403", hook, url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {ch.VerifyToken}}, 403, ""},
		{"unknown id → 404", "/webhooks/whatsapp/nope", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {ch.VerifyToken}, "hub.challenge": {"1"}}, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := e.Client.Get(e.BaseURL + c.path + "?" + c.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if c.status == 200 && (string(body) != c.body || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain")) {
				t.Errorf("body %q (%s), want %q as text/plain", body, resp.Header.Get("Content-Type"), c.body)
			}
		})
	}
}

func TestConcurrentWebhooksAreStoredExactlyOnceBeforeTheirAck(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := mustCreateChannel(t, e)
		hook := webhookPath(ch)
		const senders, each = 16, 25
		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := range each {
					body := delivery(1000 + s*each + i)
					if status := postSigned(t, e, hook, body, e.Seed.AppSecret); status != 200 {
						t.Errorf("status %d", status)
						return
					}
					// The 200 came after the commit: the row is visible now.
					if n := len(inboxRows(t, e, body)); n != 1 {
						t.Errorf("%d rows right after the ack, want 1", n)
					}
				}
			})
		}
		wg.Wait()
		var n int
		if err := e.App.DB.InboxDB().QueryRow("SELECT COUNT(*) FROM webhook_inbox").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != senders*each {
			t.Errorf("%d rows, want %d", n, senders*each)
		}
	})
}

func TestWebhookAnswers503WhenTheDatabaseIsDown(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		h := newHookEnv(t, db)
		if status := h.post(delivery(1), whatsapp.Sign(h.secret, delivery(1)), h.path).Code; status != 200 {
			t.Fatalf("before: %d", status)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		cases := []struct{ name, path string }{
			{"known channel (cached): the commit fails", h.path},
			{"channel not cached: the lookup fails", "/webhooks/whatsapp/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if status := h.post(delivery(2), whatsapp.Sign(h.secret, delivery(2)), c.path).Code; status != 503 {
					t.Errorf("status %d, want 503", status)
				}
			})
		}
	})
}

func TestSimulatorDeliveryArrivesSignedAndStored(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		mustCreateChannel(t, e)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		wamid, err := e.Sim.CustomerSend(ctx, sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: e.Seed.CustomerWaID, Type: "text", Text: "Hello from the simulator"})
		if err != nil {
			t.Fatal(err)
		}
		e.Eventually(10*time.Second, "the delivery in the inbox", func() bool {
			return countBodiesWith(t, e, wamid) == 1
		})
		for _, d := range e.Sim.Deliveries() {
			if d.Kind == "webhook" && d.Status != 200 {
				t.Errorf("simulator delivery answered %d", d.Status)
			}
		}
	})
}

// countBodiesWith counts the inbox rows whose body contains s (in Go: LIKE
// does not read BLOBs the same way in both databases).
func countBodiesWith(t *testing.T, e *apptest.Env, s string) int {
	t.Helper()
	rows, err := e.App.DB.InboxDB().Query("SELECT body FROM webhook_inbox")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			n++
		}
	}
	return n
}
