package apptest

import (
	"strings"
	"testing"
)

func TestStartServesTheAPI(t *testing.T) {
	ForEachDialect(t, Options{}, func(t *testing.T, e *Env) {
		code, body := e.Do("GET", "/api/v1/me", nil)
		if code != 200 || !strings.Contains(string(body), `"admin@example.com"`) {
			t.Fatalf("GET /api/v1/me = %d %s", code, body)
		}
		if code, _ := e.DoAs("", "GET", "/api/v1/tickets", nil); code != 401 {
			t.Fatalf("without a token: %d", code)
		}
	})
}
