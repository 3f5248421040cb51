package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"wadesk/internal/helpdesk"
)

var sendKeyRE = regexp.MustCompile(`name="idempotency_key" id="idempotency_key" value="([^"]+)"`)

// The composer carries a fresh Idempotency-Key on every page load, and a
// double submit with it — what a double click or a retried request of the
// script sends — stores one message and replays the first answer.
func TestComposerSendKeyStopsDoubleSends(t *testing.T) {
	f := newFixture(t)
	b := signIn(t, f.BaseURL, "admin@example.com", "admin-password")
	page := fmt.Sprintf("/tickets/%d", f.Ticket.ID)
	key := func() string {
		t.Helper()
		_, body := b.get(page)
		m := sendKeyRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the composer has no idempotency_key field")
		}
		return m[1]
	}
	k1, k2 := key(), key()
	if k1 == k2 || len(k1) < 16 {
		t.Fatalf("keys %q and %q: want a fresh, long key per page", k1, k2)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d/messages", f.Ticket.ID)
	hdr := map[string]string{"X-CSRF-Token": b.csrf, "Accept": "application/json", "Idempotency-Key": k1}
	body := `{"text":"called the customer back","internal":true}`
	r1, out1 := b.do("POST", path, "application/json", body, hdr)
	r2, out2 := b.do("POST", path, "application/json", body, hdr)
	if r1.StatusCode != http.StatusCreated || r2.StatusCode != http.StatusCreated || out1 != out2 ||
		r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("double submit: %d %s / %d %q %s", r1.StatusCode, out1, r2.StatusCode, r2.Header.Get("Idempotent-Replayed"), out2)
	}
	ms, err := f.App.Service.Store().ListMessages(context.Background(), helpdesk.MessageQuery{TicketID: f.Ticket.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, m := range ms {
		if m.Text == "called the customer back" {
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("%d notes stored from a double submit, want 1", notes)
	}
}
