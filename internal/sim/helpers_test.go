package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// receiver is a webhook endpoint that checks the handshake and the
// signature over the exact bytes received, like a correct helpdesk.
type receiver struct {
	srv         *httptest.Server
	secret      string
	verifyToken string
	failNext    atomic.Int32 // answer 500 to this many POSTs
	badSigs     atomic.Int32
	posts       atomic.Int32
	ch          chan []byte
	mu          sync.Mutex
	headers     []http.Header
}

func newReceiver(t *testing.T, secret string) *receiver {
	t.Helper()
	r := &receiver{secret: secret, verifyToken: "sim-verify-token", ch: make(chan []byte, 10000)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodGet {
		q := req.URL.Query()
		if q.Get("hub.mode") == "subscribe" && q.Get("hub.verify_token") == r.verifyToken {
			_, _ = io.WriteString(w, q.Get("hub.challenge"))
			return
		}
		w.WriteHeader(http.StatusForbidden)
		return
	}
	body, _ := io.ReadAll(req.Body)
	r.posts.Add(1)
	if !validSig(r.secret, body, req.Header.Get("X-Hub-Signature-256")) {
		r.badSigs.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.failNext.Add(-1) >= 0 {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	r.failNext.Store(0)
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Clone())
	r.mu.Unlock()
	r.ch <- body
}

// validSig is the reference's §1.3 check.
func validSig(secret string, body []byte, header string) bool {
	const p = "sha256="
	if !strings.HasPrefix(header, p) {
		return false
	}
	got, err := hex.DecodeString(header[len(p):])
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// gotEnv is a decoded webhook for assertions.
type gotEnv struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Metadata map[string]string `json:"metadata"`
				Contacts []map[string]any  `json:"contacts"`
				Messages []map[string]any  `json:"messages"`
				Statuses []map[string]any  `json:"statuses"`
				Errors   []map[string]any  `json:"errors"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

func (g *gotEnv) statuses() []map[string]any {
	var out []map[string]any
	for _, e := range g.Entry {
		for _, c := range e.Changes {
			out = append(out, c.Value.Statuses...)
		}
	}
	return out
}

func (g *gotEnv) messages() []map[string]any {
	var out []map[string]any
	for _, e := range g.Entry {
		for _, c := range e.Changes {
			out = append(out, c.Value.Messages...)
		}
	}
	return out
}

// next waits for one webhook body.
func (r *receiver) next(t *testing.T) ([]byte, *gotEnv) {
	t.Helper()
	select {
	case b := <-r.ch:
		var g gotEnv
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatalf("webhook body is not JSON: %v\n%s", err, b)
		}
		return b, &g
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook within 5s")
	}
	return nil, nil
}

// collectStatuses reads webhooks until n statuses arrived.
func (r *receiver) collectStatuses(t *testing.T, n int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for len(out) < n {
		_, g := r.next(t)
		out = append(out, g.statuses()...)
	}
	return out
}

// quiet asserts nothing arrives for d.
func (r *receiver) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case b := <-r.ch:
		t.Fatalf("unexpected webhook: %s", b)
	case <-time.After(d):
	}
}

// env is a seeded Sim on loopback with a receiver as the app callback.
type env struct {
	s    *Sim
	srv  *httptest.Server
	rcv  *receiver
	info SeedInfo
}

func fastStatuses() StatusOptions {
	return StatusOptions{Sent: time.Millisecond, Delivered: 3 * time.Millisecond, Read: 6 * time.Millisecond}
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.Statuses == (StatusOptions{}) {
		opts.Statuses = fastStatuses()
	}
	if opts.Delivery.MaxBatch == 0 {
		// One item per POST so payloads compare with the reference examples;
		// batching has its own tests.
		opts.Delivery.MaxBatch = 1
	}
	if opts.Delivery.InitialBackoff == 0 {
		opts.Delivery.InitialBackoff = 5 * time.Millisecond
		opts.Delivery.MaxBackoff = 20 * time.Millisecond
	}
	s := New(opts)
	t.Cleanup(s.Close)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	s.SetBaseURL(srv.URL)
	info := s.Seed()
	rcv := newReceiver(t, info.AppSecret)
	s.AddApp(App{ID: info.AppID, Secret: info.AppSecret, CallbackURL: rcv.srv.URL + "/webhook", VerifyToken: info.VerifyToken})
	return &env{s: s, srv: srv, rcv: rcv, info: info}
}

// do calls the Graph API with the seed token (tok "" = no token).
func (e *env) do(t *testing.T, method, path, tok string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("response is not JSON: %v: %s", err, raw)
		}
	}
	return resp.StatusCode, out, resp.Header
}

// send posts a message body with the seed token.
func (e *env) send(t *testing.T, body any) (int, map[string]any) {
	t.Helper()
	code, out, _ := e.do(t, "POST", "/v25.0/"+e.info.PhoneNumberID+"/messages", e.info.AccessToken, body)
	return code, out
}

// inbound injects a customer text and opens the window.
func (e *env) inbound(t *testing.T, text string) string {
	t.Helper()
	id, err := e.s.CustomerSend(t.Context(), Inbound{PhoneNumberID: e.info.PhoneNumberID, From: e.info.CustomerWaID, Type: "text", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// errCode extracts error.code and error.error_subcode.
func errCode(out map[string]any) (int, int) {
	e, _ := out["error"].(map[string]any)
	if e == nil {
		return 0, 0
	}
	c, _ := e["code"].(float64)
	sc, _ := e["error_subcode"].(float64)
	return int(c), int(sc)
}

func wamidOf(t *testing.T, out map[string]any) string {
	t.Helper()
	msgs, _ := out["messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("no messages[] in %v", out)
	}
	id, _ := msgs[0].(map[string]any)["id"].(string)
	if !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("bad wamid %q", id)
	}
	return id
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
