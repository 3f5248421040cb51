package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

// idemAnswer is one response as the test reads it.
type idemAnswer struct {
	code     int
	replayed string // the Idempotent-Replayed header
	body     []byte
}

// post sends body (JSON, or a prepared multipart body when ctype is set)
// with an Idempotency-Key ("" for none).
func post(t *testing.T, e *apptest.Env, token, path, key, ctype string, body []byte) idemAnswer {
	t.Helper()
	req, err := http.NewRequest("POST", e.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return idemAnswer{}
	}
	if ctype == "" {
		ctype = "application/json"
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Error(err) // Errorf: post runs in goroutines
		return idemAnswer{}
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return idemAnswer{resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), out}
}

// idemTicket connects the simulator's number and has its customer write,
// and returns the channel and the ticket the message opened.
func idemTicket(t *testing.T, e *apptest.Env) (channelID, ticketID int64) {
	t.Helper()
	code, out := e.Do("POST", "/api/v1/channels", map[string]any{"name": "Support", "waba_id": e.Seed.WABAID,
		"phone_number_id": e.Seed.PhoneNumberID, "access_token": e.Seed.AccessToken, "app_secret": e.Seed.AppSecret})
	if code != http.StatusCreated {
		t.Fatalf("create channel: %d %s", code, out)
	}
	channelID = idOf(t, out)
	wamid, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID,
		From: e.Seed.CustomerWaID, Name: "Customer", Type: "text", Text: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	e.Eventually(10*time.Second, "the inbound message", func() bool {
		m, err := e.App.Service.Store().MessageByWAMID(context.Background(), channelID, wamid)
		if err == nil {
			ticketID = m.TicketID
		}
		return err == nil
	})
	return channelID, ticketID
}

func idOf(t *testing.T, b []byte) int64 {
	t.Helper()
	var v struct{ ID string }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	id, _ := strconv.ParseInt(v.ID, 10, 64)
	return id
}

// outbound counts the ticket's agent messages (replies and notes).
func outbound(t *testing.T, e *apptest.Env, ticketID int64) int {
	t.Helper()
	ms, err := e.App.Service.Store().ListMessages(context.Background(), helpdesk.MessageQuery{TicketID: ticketID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Direction == helpdesk.Out {
			n++
		}
	}
	return n
}

// simSends counts the message sends the simulator received (not mark-read).
func simSends(e *apptest.Env) int {
	n := 0
	for _, r := range e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/messages"}) {
		if !bytes.Contains(r.Body, []byte(`"status"`)) {
			n++
		}
	}
	return n
}

// waitSends waits until the simulator got want sends, then a little
// longer, so that a second send would have shown up.
func waitSends(t *testing.T, e *apptest.Env, want int) {
	t.Helper()
	e.Eventually(10*time.Second, fmt.Sprintf("%d sends", want), func() bool { return simSends(e) >= want })
	time.Sleep(300 * time.Millisecond)
	if n := simSends(e); n != want {
		t.Fatalf("%d sends at the simulator, want %d", n, want)
	}
}

// A retried reply with the same key gets the first response back (same
// status, same bytes, Idempotent-Replayed) and creates and sends nothing;
// the same key with another body, or a malformed key, is refused; another
// user's same key is theirs.
func TestIdempotentReply(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		_, ticket := idemTicket(t, e)
		path := fmt.Sprintf("/api/v1/tickets/%d/messages", ticket)
		body := []byte(`{"text":"Your order shipped"}`)
		first := post(t, e, e.AdminToken, path, "key-1", "", body)
		if first.code != http.StatusAccepted || first.replayed != "" {
			t.Fatalf("first: %d %q %s", first.code, first.replayed, first.body)
		}
		waitSends(t, e, 1) // the message moves on: the replay still says "queued"
		again := post(t, e, e.AdminToken, path, "key-1", "", []byte(`{ "text": "Your order shipped" }`))
		if again.code != first.code || again.replayed != "true" || !bytes.Equal(again.body, first.body) {
			t.Fatalf("retry: %d %q %s; want %d, replayed, %s", again.code, again.replayed, again.body, first.code, first.body)
		}
		if n := outbound(t, e, ticket); n != 1 {
			t.Fatalf("%d outbound messages after a retry, want 1", n)
		}
		waitSends(t, e, 1)

		for name, c := range map[string]struct {
			key, body string
			code      int
		}{
			"same key, other text → 422":  {"key-1", `{"text":"Your order was delayed"}`, http.StatusUnprocessableEntity},
			"same key, a note → 422":      {"key-1", `{"text":"Your order shipped","internal":true}`, http.StatusUnprocessableEntity},
			"key too long → 400":          {strings.Repeat("k", 256), `{"text":"x"}`, http.StatusBadRequest},
			"key not ASCII → 400":         {"clé", `{"text":"x"}`, http.StatusBadRequest},
			"key with a tab → 400":        {"a\tb", `{"text":"x"}`, http.StatusBadRequest},
			"blank key → 400":             {"   ", `{"text":"x"}`, http.StatusBadRequest},
			"255 printable chars → 202":   {strings.Repeat("~", 255), `{"text":"long key"}`, http.StatusAccepted},
			"a new key, same text → 202":  {"key-2", `{"text":"Your order shipped"}`, http.StatusAccepted},
			"no key, same text → 202":     {"", `{"text":"Your order shipped"}`, http.StatusAccepted},
			"a note with a new key → 201": {"note-1", `{"text":"VIP","internal":true}`, http.StatusCreated},
		} {
			req, _ := http.NewRequest("POST", e.BaseURL+path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.AdminToken)
			if c.key != "" {
				req.Header["Idempotency-Key"] = []string{c.key} // unchecked: the client's bytes as they are
			}
			resp, err := e.Client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.code {
				t.Errorf("%s: %d %s", name, resp.StatusCode, out)
			}
			if c.code >= 400 && !bytes.Contains(out, []byte(`"code":"invalid_request"`)) {
				t.Errorf("%s: body %s, want invalid_request", name, out)
			}
		}
		if n := outbound(t, e, ticket); n != 5 {
			t.Fatalf("%d outbound messages, want 5 (1 + long key + key-2 + no key + note)", n)
		}

		// Another user's key-1 is not the admin's.
		other, err := e.App.Service.CreateUser(context.Background(), helpdesk.NewUser{Email: "other@example.com", Name: "Other",
			Role: helpdesk.RoleAdmin, Password: "other-password"})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := e.App.Service.CreateAPIToken(context.Background(), other.ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		theirs := post(t, e, token, path, "key-1", "", body)
		if theirs.code != http.StatusAccepted || theirs.replayed != "" || idOf(t, theirs.body) == idOf(t, first.body) {
			t.Fatalf("another user's key-1: %d %q %s", theirs.code, theirs.replayed, theirs.body)
		}
		waitSends(t, e, 5)
	})
}

// Ten concurrent requests with one key create one message and one send;
// every answer is that message.
func TestIdempotentReplyConcurrent(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		_, ticket := idemTicket(t, e)
		path := fmt.Sprintf("/api/v1/tickets/%d/messages", ticket)
		answers := make([]idemAnswer, 10)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = post(t, e, e.AdminToken, path, "same-click", "", []byte(`{"text":"once"}`))
			}()
		}
		wg.Wait()
		replays := 0
		for i, a := range answers {
			if a.code != http.StatusAccepted || !bytes.Equal(a.body, answers[0].body) {
				t.Fatalf("answer %d: %d %s; answer 0: %s", i, a.code, a.body, answers[0].body)
			}
			if a.replayed == "true" {
				replays++
			}
		}
		if replays != 9 {
			t.Errorf("%d replays, want 9", replays)
		}
		if n := outbound(t, e, ticket); n != 1 {
			t.Fatalf("%d messages from 10 requests with one key, want 1", n)
		}
		waitSends(t, e, 1)
	})
}

// A retried file reply replays; the same key with another file is refused.
func TestIdempotentMultipartReply(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}})
	_, ticket := idemTicket(t, e)
	path := fmt.Sprintf("/api/v1/tickets/%d/messages", ticket)
	form := func(text string, data []byte) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("text", text)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="note.txt"`)
		h.Set("Content-Type", "text/plain")
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write(data)
		_ = mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	ct, body := form("the invoice", []byte("invoice 4711"))
	first := post(t, e, e.AdminToken, path, "file-1", ct, body)
	if first.code != http.StatusAccepted {
		t.Fatalf("first: %d %s", first.code, first.body)
	}
	ct, body = form("the invoice", []byte("invoice 4711")) // a new boundary, the same parts
	again := post(t, e, e.AdminToken, path, "file-1", ct, body)
	if again.code != http.StatusAccepted || again.replayed != "true" || !bytes.Equal(again.body, first.body) {
		t.Fatalf("retry: %d %q %s", again.code, again.replayed, again.body)
	}
	ct, body = form("the invoice", []byte("invoice 4712"))
	if other := post(t, e, e.AdminToken, path, "file-1", ct, body); other.code != http.StatusUnprocessableEntity {
		t.Fatalf("same key, another file: %d %s", other.code, other.body)
	}
	if n := outbound(t, e, ticket); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	waitSends(t, e, 1)
}

// A retried business-initiated conversation replays: one ticket, one
// template send.
func TestIdempotentConversation(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		code, out := e.Do("POST", "/api/v1/channels", map[string]any{"name": "Support", "waba_id": e.Seed.WABAID,
			"phone_number_id": e.Seed.PhoneNumberID, "access_token": e.Seed.AccessToken, "app_secret": e.Seed.AppSecret})
		if code != http.StatusCreated {
			t.Fatalf("create channel: %d %s", code, out)
		}
		ch := idOf(t, out)
		if code, out := e.Do("POST", fmt.Sprintf("/api/v1/channels/%d/templates/sync", ch), nil); code != http.StatusOK {
			t.Fatalf("sync templates: %d %s", code, out)
		}
		body := fmt.Sprintf(`{"channel_id":"%d","to":"+447700900123","template":{"name":"hello_world","language":"en_US"}}`, ch)
		first := post(t, e, e.AdminToken, "/api/v1/conversations", "conv-1", "", []byte(body))
		if first.code != http.StatusAccepted {
			t.Fatalf("first: %d %s", first.code, first.body)
		}
		waitSends(t, e, 1)
		again := post(t, e, e.AdminToken, "/api/v1/conversations", "conv-1", "", []byte(body))
		if again.code != http.StatusAccepted || again.replayed != "true" || !bytes.Equal(again.body, first.body) {
			t.Fatalf("retry: %d %q %s; first %s", again.code, again.replayed, again.body, first.body)
		}
		other := strings.Replace(body, "+447700900123", "+447700900124", 1)
		if a := post(t, e, e.AdminToken, "/api/v1/conversations", "conv-1", "", []byte(other)); a.code != http.StatusUnprocessableEntity {
			t.Fatalf("same key, another number: %d %s", a.code, a.body)
		}
		waitSends(t, e, 1)
	})
}
