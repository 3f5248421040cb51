package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// ctlDo calls the control API (no token).
func (e *env) ctlDo(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	code, out, _ := e.do(t, method, path, "", body)
	return code, out
}

func TestControlAPI(t *testing.T) {
	e := newEnv(t, Options{})
	steps := []struct {
		method, path string
		body         any
		want         int
	}{
		{"GET", "/_sim/health", nil, 200},
		{"POST", "/_sim/apps", map[string]any{"id": "777", "secret": "s3", "callback_url": e.rcv.srv.URL}, 200},
		{"POST", "/_sim/businesses", map[string]any{"id": "888", "subscribe_app": "777"}, 200},
		{"POST", "/_sim/businesses", map[string]any{"id": "889", "subscribe_app": "nope"}, 404},
		{"POST", "/_sim/numbers", map[string]any{"id": "999", "waba_id": "888", "display_phone_number": "+1 555-096-7852", "throughput": 1000}, 200},
		{"POST", "/_sim/numbers", map[string]any{"id": "998", "waba_id": "888", "display_phone_number": "15550967852"}, 400},
		{"POST", "/_sim/tokens", map[string]any{"value": "tok2", "app_id": "777", "wabas": []string{"888"}}, 200},
		{"POST", "/_sim/templates", map[string]any{"waba_id": "888", "name": "welcome", "language": "en", "components": []map[string]any{{"type": "BODY", "text": "Hi {{1}}"}}}, 200},
		{"POST", "/_sim/templates", map[string]any{"waba_id": "888", "name": "Bad Name", "language": "en"}, 400},
		{"POST", "/_sim/customers", map[string]any{"wa_id": "+44 7700 900123", "name": "Ada", "user_id": "GB.12345"}, 200},
		{"POST", "/_sim/customers", map[string]any{"wa_id": "1", "typo": true}, 400},
		{"POST", "/_sim/windows", map[string]any{"phone_number_id": "999", "customer": "447700900123"}, 200},
		{"POST", "/_sim/tokens/tok2/expire", nil, 200},
		{"POST", "/_sim/tokens/tok2/restore", nil, 200},
		{"POST", "/_sim/tokens/nope/expire", nil, 404},
		{"PUT", "/_sim/faults", map[string]any{"duplicate_every": 0, "batch_wait": "10ms"}, 200},
		{"POST", "/_sim/clock", map[string]any{"advance": "1h"}, 200},
		{"GET", "/_sim/clock", nil, 200},
	}
	for _, st := range steps {
		if code, out := e.ctlDo(t, st.method, st.path, st.body); code != st.want {
			t.Fatalf("%s %s: %d %v", st.method, st.path, code, out)
		}
	}
	// The new number works end to end with the new token: window open, so a
	// text is delivered to the new app's callback (signed with its secret).
	e.rcv.secret = "s3"
	code, out, _ := e.do(t, "POST", "/v25.0/999/messages", "tok2", `{"messaging_product":"whatsapp","to":"447700900123","type":"text","text":{"body":"hi"}}`)
	if code != 200 {
		t.Fatal(code, out)
	}
	if got := statusNames(e.rcv.collectStatuses(t, 3)); got != "sent,delivered,read" {
		t.Fatal(got)
	}
	// Inbound through JSON with base64 media.
	data := []byte("hello file")
	code, out = e.ctlDo(t, "POST", "/_sim/inbound", map[string]any{"phone_number_id": "999", "from": "447700900123", "type": "document",
		"media": map[string]any{"data": base64.StdEncoding.EncodeToString(data), "mime_type": "text/plain", "filename": "a.txt"}})
	if code != 200 || !strings.HasPrefix(out["id"].(string), "wamid.") {
		t.Fatal(code, out)
	}
	_, g := e.rcv.next(t)
	doc := g.messages()[0]["document"].(map[string]any)
	if doc["sha256"] != base64.StdEncoding.EncodeToString(sha256Sum(data)) {
		t.Fatalf("sha256 %v", doc)
	}
	if code, out := e.ctlDo(t, "POST", "/_sim/inbound", map[string]any{"phone_number_id": "999", "from": "447700900123", "type": "bogus"}); code != 400 {
		t.Fatal(code, out)
	}
	// state, messages, requests, deliveries
	_, state := e.ctlDo(t, "GET", "/_sim/state", nil)
	for _, k := range []string{"apps", "businesses", "numbers", "tokens", "templates", "customers", "windows", "faults"} {
		if state[k] == nil {
			t.Fatalf("state lacks %s", k)
		}
	}
	_, msgs := e.ctlDo(t, "GET", "/_sim/messages?phone_number_id=999&customer=GB.12345", nil)
	if n := len(msgs["data"].([]any)); n != 2 {
		t.Fatalf("messages %d", n)
	}
	_, reqs := e.ctlDo(t, "GET", "/_sim/requests?path=/999/messages", nil)
	data2 := reqs["data"].([]any)
	if len(data2) != 1 {
		t.Fatalf("requests %v", reqs)
	}
	r := data2[0].(map[string]any)
	if r["header"].(map[string]any)["Authorization"].([]any)[0] != "Bearer [redacted]" || r["body"].(map[string]any)["to"] != "447700900123" || r["status"] != float64(200) {
		t.Fatalf("recorded %v", r)
	}
	if code, _ := e.ctlDo(t, "DELETE", "/_sim/requests", nil); code != 200 || len(e.s.Requests()) != 0 {
		t.Fatal("clear requests")
	}
	_, dl := e.ctlDo(t, "GET", "/_sim/deliveries", nil)
	if len(dl["data"].([]any)) == 0 {
		t.Fatal("no deliveries")
	}
	e.ctlDo(t, "DELETE", "/_sim/deliveries", nil)
	// manual status
	e.s.SetFaults(Faults{})
	msgID := e.s.Messages(MessageFilter{Direction: "out"})[0].ID
	if code, out := e.ctlDo(t, "POST", "/_sim/messages/"+msgID+"/status", map[string]string{"status": "played"}); code != 200 {
		t.Fatal(code, out)
	}
	if code, _ := e.ctlDo(t, "POST", "/_sim/messages/wamid.nope/status", map[string]string{"status": "read"}); code != 404 {
		t.Fatal(code)
	}
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func TestSystemErrorWebhook(t *testing.T) {
	e := newEnv(t, Options{})
	if code, out := e.ctlDo(t, "POST", "/_sim/errors", map[string]any{"phone_number_id": e.info.PhoneNumberID, "code": 131000, "details": "Unsupported webhook payload"}); code != 200 {
		t.Fatal(code, out)
	}
	b, g := e.rcv.next(t)
	v := g.Entry[0].Changes[0].Value
	if len(v.Errors) != 1 || v.Messages != nil || v.Statuses != nil || v.Contacts != nil {
		t.Fatalf("value %s", b)
	}
	want := `{"code":131000,"title":"Something went wrong","message":"Something went wrong","error_data":{"details":"Unsupported webhook payload"},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}`
	sameShape(t, "errors[0]", decodeAny(t, []byte(want)), any(v.Errors[0]))
	if e.s.SystemError("nope", 1, "") == nil {
		t.Fatal("unknown number accepted")
	}
}

func TestRecordRingIsBounded(t *testing.T) {
	e := newEnv(t, Options{RecordLimit: 5, Statuses: StatusOptions{Off: true}})
	for range 12 {
		e.do(t, "GET", "/v25.0/"+e.info.PhoneNumberID, e.info.AccessToken, nil)
	}
	got := e.s.Requests()
	if len(got) != 5 || got[0].Seq != 8 || got[4].Seq != 12 {
		t.Fatalf("ring: %d entries, first seq %d", len(got), got[0].Seq)
	}
}

// TestCloseIsBounded: Close returns promptly even with a hanging receiver.
func TestCloseIsBounded(t *testing.T) {
	block := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer hang.Close()
	defer close(block)
	s := New(Options{Seed: true})
	s.AddApp(App{ID: "1234567890123456", Secret: "sim-app-secret", CallbackURL: hang.URL})
	for range 20 {
		if _, err := s.CustomerSend(t.Context(), Inbound{PhoneNumberID: "106540352242922", From: "16505551234", Type: "text", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	if _, err := s.CustomerSend(t.Context(), Inbound{PhoneNumberID: "106540352242922", From: "16505551234", Type: "text", Text: "x"}); err != nil {
		t.Fatal("CustomerSend after Close should be a silent no-op for delivery:", err)
	}
}
