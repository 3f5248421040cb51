package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the demo writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemo runs `wadesk demo` on free ports and walks the loop a person
// would: sign in with the printed credentials, see the demo channel, write
// as the customer through the phone page's API, see the ticket; then stops
// it and checks the temporary data is gone.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	env := Env{Getenv: func(string) string { return "" }, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &logs}
	done := make(chan error, 1)
	go func() { done <- runDemo(ctx, env, []string{"--addr", "127.0.0.1:0", "--sim-addr", "127.0.0.1:0"}) }()

	field := func(name string) string {
		m := regexp.MustCompile(name + `:\s+(\S+)`).FindStringSubmatch(out.String())
		if m == nil {
			return ""
		}
		return m[1]
	}
	deadline := time.Now().Add(30 * time.Second)
	for field("Customer phone") == "" {
		select {
		case err := <-done:
			t.Fatalf("demo stopped early: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo printed no URLs within 30 s; logs:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	inbox, password, phone := field("Inbox"), field("Password"), field("Customer phone")
	base := strings.TrimSuffix(inbox, "/inbox")
	simURL := strings.TrimSuffix(phone, "/phone")
	m := regexp.MustCompile(`temporary data in (\S+) is removed`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no data dir in:\n%s", out.String())
	}
	dataDir := m[1]

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	body := get(t, c, base+"/login")
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	if csrf == nil {
		t.Fatal("no login form")
	}
	resp, err := c.PostForm(base+"/login", url.Values{"email": {demoAdmin}, "password": {password}, "csrf_token": {csrf[1]}, "next": {"/admin/channels"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/admin/channels" || !strings.Contains(string(page), "Demo support line") {
		t.Fatalf("after sign-in at %s; channel list lacks the demo channel", resp.Request.URL)
	}
	if !strings.Contains(get(t, c, phone), "Customer phone") {
		t.Fatal("phone page does not answer")
	}

	var state struct {
		Numbers   []struct{ ID string } `json:"numbers"`
		Customers []struct {
			WaID string `json:"wa_id"`
		} `json:"customers"`
	}
	if err := json.Unmarshal([]byte(get(t, c, simURL+"/_sim/state")), &state); err != nil || len(state.Numbers) == 0 || len(state.Customers) == 0 {
		t.Fatalf("simulator state: %v", err)
	}
	msg, _ := json.Marshal(map[string]string{"phone_number_id": state.Numbers[0].ID, "from": state.Customers[0].WaID, "type": "text", "text": "Hello from the demo test"})
	resp, err = http.Post(simURL+"/_sim/inbound", "application/json", bytes.NewReader(msg))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("customer send: %v %v", err, resp)
	}
	resp.Body.Close()
	seen := false
	for range 150 { // up to 15 s for webhook, processing and the inbox
		if strings.Contains(get(t, c, base+"/inbox"), "Sheena Nelson") {
			seen = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !seen {
		t.Fatalf("the customer's ticket never appeared in the inbox; logs:\n%s", logs.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("demo did not stop within 20 s of Ctrl-C")
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("temporary data dir %s still exists (%v)", dataDir, err)
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
