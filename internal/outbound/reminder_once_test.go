package outbound_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// A customer who writes several times gets one pending reminder job, which
// snoozes to the due time of their last message and then sends once.
func TestReminderIsOneJobPerTicketThatFollowsTheLastMessage(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, map[string]any{"reminder": map[string]any{"enabled": true, "after_seconds": 3, "message": "Still there?"}})
		c := newConv(t, e, ch, "491700000201")
		time.Sleep(1500 * time.Millisecond)
		for i := 0; i < 3; i++ {
			if _, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID,
				From: "491700000201", Type: "text", Text: "one more thing " + strconv.Itoa(i)}); err != nil {
				t.Fatal(err)
			}
		}
		lastWrote := time.Now()
		e.Eventually(5*time.Second, "the later messages processed", func() bool {
			tk, err := e.App.Service.Store().TicketByID(t.Context(), c.ticketID)
			return err == nil && tk.UnreadCount >= 4
		})
		var jobs int
		if err := e.App.DB.Writer().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'reminder'`).Scan(&jobs); err != nil {
			t.Fatal(err)
		}
		if jobs != 1 {
			t.Fatalf("%d reminder jobs for one ticket, want 1", jobs)
		}
		e.Eventually(20*time.Second, "the reminder", func() bool { return len(c.systemTexts(t)) == 1 })
		if sent := time.Now(); sent.Sub(lastWrote) < 2*time.Second {
			t.Errorf("the reminder went out %v after the last message, before its due time (3 s)", sent.Sub(lastWrote))
		}
		time.Sleep(time.Second)
		if got := c.systemTexts(t); len(got) != 1 || got[0] != "Still there?" {
			t.Fatalf("reminders %q, want exactly one", got)
		}
	})
}
