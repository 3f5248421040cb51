package sim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPhonePage(t *testing.T) {
	s := New(Options{Seed: true})
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	cases := []struct {
		name, path string
		status     int
		ctype      string
		contains   string
	}{
		{"page", "/phone", 200, "text/html", `src="/phone/phone.js"`},
		{"script", "/phone/phone.js", 200, "text/javascript", "/_sim/inbound"},
		{"stylesheet", "/phone/phone.css", 200, "text/css", ".phone"},
		{"unknown asset is 404", "/phone/nope.js", 404, "", ""},
		{"graph API still answers next to it", "/v26.0/" + s.Seed().PhoneNumberID, 401, "application/json", "error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + c.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(string(body), c.contains) {
				t.Errorf("body lacks %q", c.contains)
			}
			if c.status == 200 && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Error("no CSP")
			}
		})
	}
}
