package sim

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const textTo = `{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"hello"}}`
const helloTemplate = `{"messaging_product":"whatsapp","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`

func statusNames(st []map[string]any) string {
	var s []string
	for _, x := range st {
		s = append(s, x["status"].(string))
	}
	return strings.Join(s, ",")
}

// TestStatusesMatchReference: sent matches §3.1 field for field, read §3.2,
// and pricing rides on sent and delivered only.
func TestStatusesMatchReference(t *testing.T) {
	e := newEnv(t, Options{})
	if _, err := e.s.AddCustomer(Customer{WaID: "16505551234", UserID: "US.13491208655302741918", Name: "Test Name"}); err != nil {
		t.Fatal(err)
	}
	e.inbound(t, "hi")
	e.rcv.next(t)
	code, out := e.send(t, `{"messaging_product":"whatsapp","to":"16505551234","type":"text","biz_opaque_callback_data":"ticket-4711","text":{"body":"hello"}}`)
	if code != 200 {
		t.Fatal(code, out)
	}
	id := wamidOf(t, out)
	var bodies [][]byte
	var all []map[string]any
	for len(all) < 3 {
		b, g := e.rcv.next(t)
		bodies = append(bodies, b)
		all = append(all, g.statuses()...)
	}
	if statusNames(all) != "sent,delivered,read" {
		t.Fatalf("order %s", statusNames(all))
	}
	for _, s := range all {
		if s["id"] != id || s["biz_opaque_callback_data"] != "ticket-4711" {
			t.Fatalf("status %v", s)
		}
	}
	if all[1]["pricing"] == nil || all[2]["pricing"] != nil {
		t.Fatalf("pricing on delivered only (besides sent): %v / %v", all[1], all[2])
	}
	sameShape(t, "sent", decodeAny(t, readFixture(t, "status/sent.json")), decodeAny(t, bodies[0]))
	want := decodeAny(t, readFixture(t, "status/read.json")).(map[string]any)
	delete(all[2], "biz_opaque_callback_data")
	sameShape(t, "read", want, any(all[2]))
	// username appears on delivered/read contacts only.
	var g gotEnv
	_ = json.Unmarshal(bodies[0], &g)
	if p := g.Entry[0].Changes[0].Value.Contacts[0]["profile"].(map[string]any); p["username"] != nil {
		t.Fatalf("username on sent: %v", p)
	}
	// The message store follows.
	if m, _ := e.s.Message(id); m.Status != "read" {
		t.Fatalf("stored status %q", m.Status)
	}
}

// TestWindowClosedFailsAsync: outside the 24-hour window a free-form send
// is accepted (200 + wamid) then fails with 131047 (§3.3); templates pass.
func TestWindowClosedFailsAsync(t *testing.T) {
	now := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, Options{Now: func() time.Time { return now }})
	code, out := e.send(t, textTo)
	if code != 200 {
		t.Fatal(code, out)
	}
	id := wamidOf(t, out)
	b, g := e.rcv.next(t)
	st := g.statuses()
	if len(st) != 1 || st[0]["status"] != "failed" || st[0]["id"] != id {
		t.Fatalf("want one failed status, got %s", b)
	}
	if g.Entry[0].Changes[0].Value.Contacts != nil {
		t.Fatal("contacts must be omitted on failed")
	}
	sameShape(t, "failed", decodeAny(t, readFixture(t, "status/failed.json")), any(st[0]))
	e.rcv.quiet(t, 30*time.Millisecond)

	// Templates are always allowed.
	if code, out := e.send(t, helloTemplate); code != 200 {
		t.Fatal(code, out)
	}
	if got := statusNames(e.rcv.collectStatuses(t, 3)); got != "sent,delivered,read" {
		t.Fatalf("template statuses %s", got)
	}
	st3 := e.s.Messages(MessageFilter{Direction: "out"})
	if tm := st3[len(st3)-1]; tm.Template != "hello_world" {
		t.Fatalf("stored %+v", tm)
	}
	// An inbound message opens the window; 24h later it is closed again.
	e.inbound(t, "hi")
	e.rcv.next(t)
	e.send(t, textTo)
	if got := statusNames(e.rcv.collectStatuses(t, 3)); got != "sent,delivered,read" {
		t.Fatalf("in-window statuses %s", got)
	}
	e.s.Advance(24*time.Hour + time.Second)
	e.send(t, textTo)
	if got := statusNames(e.rcv.collectStatuses(t, 1)); got != "failed" {
		t.Fatalf("after 24h %s", got)
	}
	// OpenWindow without a webhook.
	if err := e.s.OpenWindow(e.info.PhoneNumberID, "+1 650 555 1234"); err != nil {
		t.Fatal(err)
	}
	e.send(t, textTo)
	if got := statusNames(e.rcv.collectStatuses(t, 3)); got != "sent,delivered,read" {
		t.Fatalf("after OpenWindow %s", got)
	}
}

func TestWindowSyncErrorKnob(t *testing.T) {
	e := newEnv(t, Options{WindowSyncError: true})
	code, out := e.send(t, textTo)
	if c, _ := errCode(out); code != 400 || c != 131047 {
		t.Fatalf("%d %v", code, out)
	}
}

func TestSignatureOverExactBytes(t *testing.T) {
	e := newEnv(t, Options{})
	if _, err := e.s.AddCustomer(Customer{WaID: "4915112345678", Name: "Jürgen 😀 Müller"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CustomerSend(t.Context(), Inbound{PhoneNumberID: e.info.PhoneNumberID, From: "4915112345678", Type: "text", Text: "Grüße 👍 <b>&"}); err != nil {
		t.Fatal(err)
	}
	b, g := e.rcv.next(t)
	if e.rcv.badSigs.Load() != 0 {
		t.Fatal("signature did not verify")
	}
	for _, c := range b {
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte in body: %s", b)
		}
	}
	if !bytes.Contains(b, []byte(`Gr\u00fc\u00dfe \ud83d\udc4d <b>&`)) {
		t.Fatalf("want lowercase \\u escapes, got %s", b)
	}
	if g.messages()[0]["text"].(map[string]any)["body"] != "Grüße 👍 <b>&" {
		t.Fatal("decoded text differs")
	}
	// Re-marshalling the decoded JSON gives other bytes: a receiver must
	// hash what it received.
	var v any
	_ = json.Unmarshal(b, &v)
	re, _ := json.Marshal(v)
	if validSig(e.info.AppSecret, re, sign(e.info.AppSecret, b)) {
		t.Fatal("re-marshalled body should not verify")
	}
	e.rcv.mu.Lock()
	h := e.rcv.headers[0]
	e.rcv.mu.Unlock()
	if h.Get("Content-Type") != "application/json" || !strings.HasPrefix(h.Get("X-Hub-Signature-256"), "sha256=") {
		t.Fatalf("headers %v", h)
	}
}

func TestRetriesThenSuccess(t *testing.T) {
	e := newEnv(t, Options{})
	e.rcv.failNext.Store(2)
	id := e.inbound(t, "retry me")
	_, g := e.rcv.next(t)
	if g.messages()[0]["id"] != id {
		t.Fatal("wrong message")
	}
	var attempts []int
	for deadline := time.Now().Add(5 * time.Second); len(attempts) < 3 && time.Now().Before(deadline); {
		attempts = attempts[:0]
		for _, d := range e.s.Deliveries() {
			if d.Kind == "webhook" {
				attempts = append(attempts, d.Status)
			}
		}
		time.Sleep(time.Millisecond)
	}
	if len(attempts) != 3 || attempts[0] != 500 || attempts[2] != 200 {
		t.Fatalf("attempts %v", attempts)
	}
}

func TestRetriesGiveUp(t *testing.T) {
	e := newEnv(t, Options{Delivery: DeliveryOptions{MaxAttempts: 3, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}})
	e.rcv.failNext.Store(100)
	e.inbound(t, "never")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range e.s.Deliveries() {
			if d.GaveUp {
				if d.Attempt != 3 || e.rcv.posts.Load() != 3 {
					t.Fatalf("gave up after %d attempts, %d posts", d.Attempt, e.rcv.posts.Load())
				}
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("never gave up")
}

func TestNetworkErrorRetried(t *testing.T) {
	e := newEnv(t, Options{Delivery: DeliveryOptions{MaxAttempts: 2, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}})
	e.s.AddApp(App{ID: e.info.AppID, Secret: e.info.AppSecret, CallbackURL: "http://127.0.0.1:1/closed"})
	e.inbound(t, "x")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		d := e.s.Deliveries()
		if len(d) > 0 && d[len(d)-1].GaveUp {
			if d[0].Error == "" {
				t.Fatalf("no network error recorded: %+v", d[0])
			}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("never gave up")
}

func TestDuplicateEvery(t *testing.T) {
	e := newEnv(t, Options{})
	e.s.SetFaults(Faults{DuplicateEvery: 1})
	e.inbound(t, "twice")
	b1, _ := e.rcv.next(t)
	b2, _ := e.rcv.next(t)
	if !bytes.Equal(b1, b2) {
		t.Fatal("duplicate differs")
	}
	e.s.SetFaults(Faults{DuplicateProbability: 1})
	e.inbound(t, "again")
	e.rcv.next(t)
	e.rcv.next(t)
	e.s.SetFaults(Faults{})
	e.inbound(t, "once")
	e.rcv.next(t)
	e.rcv.quiet(t, 30*time.Millisecond)
}

func TestBatching(t *testing.T) {
	e := newEnv(t, Options{Delivery: DeliveryOptions{Workers: 1}})
	e.s.SetFaults(Faults{BatchSize: 5, BatchWait: Duration(2 * time.Second)})
	for i := range 5 {
		e.inbound(t, "msg "+string(rune('a'+i)))
	}
	_, g := e.rcv.next(t)
	if n := len(g.messages()); n != 5 || len(g.Entry) != 1 || len(g.Entry[0].Changes) != 1 {
		t.Fatalf("want 5 messages in one change, got %d", n)
	}
	// Statuses and messages share a POST in separate changes.
	e.s.SetFaults(Faults{BatchSize: 4, BatchWait: Duration(2 * time.Second)})
	e.send(t, textTo)
	e.inbound(t, "and a message")
	_, g = e.rcv.next(t)
	if len(g.statuses()) != 3 || len(g.messages()) != 1 || len(g.Entry[0].Changes) != 2 {
		t.Fatalf("mixed batch: %d statuses %d messages", len(g.statuses()), len(g.messages()))
	}
}

func TestReorderAndSkipDelivered(t *testing.T) {
	e := newEnv(t, Options{})
	e.inbound(t, "hi")
	e.rcv.next(t)
	e.s.SetFaults(Faults{ReorderStatuses: true})
	e.send(t, textTo)
	if got := statusNames(e.rcv.collectStatuses(t, 3)); got != "read,delivered,sent" {
		t.Fatalf("reordered %s", got)
	}
	e.s.SetFaults(Faults{SkipDelivered: true})
	e.send(t, textTo)
	st := e.rcv.collectStatuses(t, 2)
	if statusNames(st) != "sent,read" || st[1]["pricing"] == nil {
		t.Fatalf("skip delivered %s %v", statusNames(st), st[1])
	}
	e.rcv.quiet(t, 30*time.Millisecond)
	// Without read receipts statuses stop at delivered.
	if _, err := e.s.AddCustomer(Customer{WaID: "16505551234", UserID: e.info.CustomerBSUID, Name: "x", NoReadReceipts: true}); err != nil {
		t.Fatal(err)
	}
	e.s.SetFaults(Faults{})
	e.send(t, textTo)
	if got := statusNames(e.rcv.collectStatuses(t, 2)); got != "sent,delivered" {
		t.Fatalf("no read receipts %s", got)
	}
	e.rcv.quiet(t, 30*time.Millisecond)
}

func TestExtraDelayAndStatusesOff(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	e.s.SetFaults(Faults{ExtraDelay: Duration(80 * time.Millisecond)})
	start := time.Now()
	e.inbound(t, "slow")
	e.rcv.next(t)
	if time.Since(start) < 80*time.Millisecond {
		t.Fatal("extra delay not applied")
	}
	_, out := e.send(t, textTo)
	e.rcv.quiet(t, 50*time.Millisecond)
	if err := e.s.EmitStatus(wamidOf(t, out), "delivered"); err != nil {
		t.Fatal(err)
	}
	if got := statusNames(e.rcv.collectStatuses(t, 1)); got != "delivered" {
		t.Fatal(got)
	}
}

func TestAsyncFaultAndUnknownRecipients(t *testing.T) {
	e := newEnv(t, Options{})
	e.s.SetFaults(Faults{AsyncFailures: 1, AsyncCode: 131049})
	e.send(t, helloTemplate)
	st := e.rcv.collectStatuses(t, 1)
	if st[0]["status"] != "failed" || st[0]["errors"].([]any)[0].(map[string]any)["code"] != float64(131049) {
		t.Fatalf("async fault %v", st[0])
	}
	if e.s.Faults().AsyncFailures != 0 {
		t.Fatal("counter not consumed")
	}
	// A user not on WhatsApp → 131026; an unknown BSUID → 131026.
	if _, err := e.s.AddCustomer(Customer{WaID: "15550001111", Name: "Ghost", NotOnWhatsApp: true}); err != nil {
		t.Fatal(err)
	}
	e.send(t, strings.Replace(helloTemplate, "16505551234", "15550001111", 1))
	e.send(t, strings.Replace(helloTemplate, `"to":"16505551234"`, `"recipient":"US.999"`, 1))
	for _, s := range e.rcv.collectStatuses(t, 2) {
		if s["status"] != "failed" || s["errors"].([]any)[0].(map[string]any)["code"] != float64(131026) {
			t.Fatalf("status %v", s)
		}
	}
}

func TestSendFaults(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	cases := []struct {
		f        Faults
		http     int
		code     int
		sub      int
		hasEData bool
	}{
		{Faults{FailSends: 1}, 500, 131000, 0, true},
		{Faults{FailSends: 1, FailCode: 131000, FailHTTPStatus: 503}, 503, 131000, 0, true},
		{Faults{FailSends: 1, FailCode: 190}, 401, 190, 463, false},
		{Faults{FailSends: 1, FailCode: 131031}, 403, 131031, 0, true},
		{Faults{FailSends: 1, FailCode: 130429}, 429, 130429, 0, true},
	}
	for _, tc := range cases {
		e.s.SetFaults(tc.f)
		code, out := e.send(t, helloTemplate)
		c, sub := errCode(out)
		_, hasData := out["error"].(map[string]any)["error_data"]
		if code != tc.http || c != tc.code || sub != tc.sub || hasData != tc.hasEData {
			t.Fatalf("fault %+v: got %d %v", tc.f, code, out)
		}
		if code, out := e.send(t, helloTemplate); code != 200 {
			t.Fatalf("fault did not clear: %d %v", code, out)
		}
	}
	e.s.SetFaults(Faults{FailSends: 3})
	for range 3 {
		if code, _ := e.send(t, helloTemplate); code != 500 {
			t.Fatal("want 3 failures")
		}
	}
	if code, _ := e.send(t, helloTemplate); code != 200 {
		t.Fatal("4th send should pass")
	}
}

func TestThroughputLimit(t *testing.T) {
	now := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, Options{Now: func() time.Time { return now }, Statuses: StatusOptions{Off: true}})
	ok, limited := 0, 0
	for range 100 {
		code, out := e.send(t, helloTemplate)
		switch c, sub := errCode(out); {
		case code == 200:
			ok++
		case code == 429 && c == 130429 && sub == 2494055:
			limited++
		default:
			t.Fatalf("%d %v", code, out)
		}
	}
	if ok != 80 || limited != 20 {
		t.Fatalf("ok %d limited %d, want 80/20 with a frozen clock", ok, limited)
	}
	e.s.Advance(500 * time.Millisecond) // refills 40
	ok = 0
	for range 50 {
		if code, _ := e.send(t, helloTemplate); code == 200 {
			ok++
		}
	}
	if ok != 40 {
		t.Fatalf("after 500ms: %d", ok)
	}
	// A HIGH-throughput number: 1000 mps.
	n, _ := e.s.AddNumber(Number{ID: "400000000000001", WABAID: e.info.WABAID, Display: "+1 555-000-0004", Throughput: 1000})
	ok = 0
	for range 1001 {
		code, _, _ := e.do(t, "POST", "/v25.0/"+n.ID+"/messages", e.info.AccessToken, helloTemplate)
		if code == 200 {
			ok++
		}
	}
	if ok != 1000 {
		t.Fatalf("high throughput number: %d", ok)
	}
	_, out, _ := e.do(t, "GET", "/v25.0/"+n.ID+"?fields=throughput", e.info.AccessToken, nil)
	if out["throughput"].(map[string]any)["level"] != "HIGH" {
		t.Fatalf("level %v", out)
	}
}

func TestPairLimit(t *testing.T) {
	now := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, Options{Now: func() time.Time { return now }, PairLimit: true, Statuses: StatusOptions{Off: true}})
	for i := range 45 {
		if code, out := e.send(t, helloTemplate); code != 200 {
			t.Fatalf("send %d: %d %v", i, code, out)
		}
	}
	code, out := e.send(t, helloTemplate)
	if c, _ := errCode(out); code != 400 || c != 131056 {
		t.Fatalf("46th: %d %v", code, out)
	}
	// another user is not affected
	if code, _ := e.send(t, strings.Replace(helloTemplate, "16505551234", "16505559999", 1)); code != 200 {
		t.Fatal("other pair limited")
	}
	e.s.Advance(6 * time.Second)
	if code, _ := e.send(t, helloTemplate); code != 200 {
		t.Fatal("pair should recover one message per 6s")
	}
}
