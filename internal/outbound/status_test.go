package outbound_test

import (
	"testing"
	"time"

	"wadesk/internal/app/apptest"
)

// The status webhooks of a sent reply move it to sent, delivered and read
// (applied by inbound processing); a window that closed before Meta tried
// to deliver ends as failed with 131047, and is not retried.
func TestStatusesComeBackOnTheMessage(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		c := newConv(t, e, newChannel(t, e, nil), e.Seed.CustomerWaID)
		id := c.mustQueue(t, map[string]any{"text": "Your parcel left the depot"})
		m := c.waitStatus(t, id, 15*time.Second, "read")
		if m.WAMessageID == nil {
			t.Fatal("read message without wamid")
		}

		// Meta accepts free-form sends outside the window and fails them by webhook.
		e.Sim.Advance(25 * time.Hour)
		defer e.Sim.Advance(-25 * time.Hour)
		id = c.mustQueue(t, map[string]any{"text": "Are you still there?"})
		m = c.waitStatus(t, id, 15*time.Second, "failed")
		if m.Error == nil || m.Error.Code != 131047 {
			t.Fatalf("error %+v, want 131047", m.Error)
		}
		time.Sleep(time.Second)
		if n := len(sendsFor(e, id)); n != 1 {
			t.Fatalf("%d sends, want 1 (no retry)", n)
		}
	})
}
