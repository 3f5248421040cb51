package outbound_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

// systemTexts returns the texts of the ticket's system messages that were
// accepted by the Cloud API.
func (c *conv) systemTexts(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range c.messages(t) {
		if m.Sender.Kind == "system" && m.Status == "accepted" {
			out = append(out, m.Text)
		}
	}
	return out
}

// enqueue inserts a job as the inbound processor would.
func enqueue(t *testing.T, e *apptest.Env, job helpdesk.Job) {
	t.Helper()
	ctx := context.Background()
	if err := e.App.Service.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		return e.App.Jobs.EnqueueTx(ctx, tx, job)
	}); err != nil {
		t.Fatal(err)
	}
}

// The reminder goes out once per window and only when it still applies;
// wadesk's clock is the test's, and River runs the scheduled jobs.
func TestReminderIsSentOncePerWindowWhenItApplies(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	apptest.ForEachDialect(t, apptest.Options{Now: now, Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		offset.Store(0)
		// An hour: the reminders inbound processing schedules stay out of
		// the way of the hand-made jobs below until the last case.
		ch := newChannel(t, e, map[string]any{"reminder": map[string]any{"enabled": true, "after_seconds": 3600, "message": "Still there?"}})
		ticket := func(c *conv) *helpdesk.Ticket {
			tk, err := e.App.Service.Store().TicketByID(t.Context(), c.ticketID)
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		soon := func(c *conv) helpdesk.ReminderJob {
			tk := ticket(c)
			return helpdesk.ReminderJob{TicketID: tk.ID, WindowExpiresAt: *tk.WindowExpiresAt, At: time.Now().Add(500 * time.Millisecond)}
		}

		due := newConv(t, e, ch, "491700000101")
		enqueue(t, e, soon(due))
		enqueue(t, e, soon(due)) // a duplicate job: still one reminder

		movedOn := newConv(t, e, ch, "491700000102")
		old := soon(movedOn)
		old.WindowExpiresAt = old.WindowExpiresAt.Add(-time.Hour) // the customer wrote again since
		enqueue(t, e, old)

		closed := newConv(t, e, ch, "491700000103")
		if code, out := e.Do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", closed.ticketID), map[string]any{"state": "closed"}); code != http.StatusOK {
			t.Fatalf("close: %d %s", code, out)
		}
		enqueue(t, e, soon(closed))

		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		c.waitStatus(t, c.mustQueue(t, map[string]any{"text": "we are on it"}), 10*time.Second, "accepted")
		answered := soon(c)

		e.Eventually(15*time.Second, "the due reminder", func() bool { return len(due.systemTexts(t)) == 1 })
		if got := due.systemTexts(t); got[0] != "Still there?" {
			t.Fatalf("reminder text %q", got[0])
		}
		if ticket(due).ReminderSentAt == nil {
			t.Fatal("reminder_sent_at not recorded")
		}

		// skip_answered: an agent answered after the customer's last message.
		if code, out := e.Do("PATCH", fmt.Sprintf("/api/v1/channels/%d", ch), map[string]any{"reminder": map[string]any{"skip_answered": true}}); code != http.StatusOK {
			t.Fatalf("patch channel: %d %s", code, out)
		}
		enqueue(t, e, answered)

		// The window closed (on wadesk's clock) before the job ran.
		late := newConv(t, e, ch, "491700000104")
		lateJob := soon(late)
		offset.Store(int64(25 * time.Hour))
		enqueue(t, e, lateJob)

		time.Sleep(2 * time.Second) // every job above has run by now
		offset.Store(0)
		for name, cv := range map[string]*conv{"moved on": movedOn, "closed": closed, "answered": c, "window closed": late} {
			if got := cv.systemTexts(t); len(got) != 0 {
				t.Errorf("%s: reminders %v, want none", name, got)
			}
		}
		if got := due.systemTexts(t); len(got) != 1 {
			t.Errorf("due ticket got %d reminders, want 1", len(got))
		}

		// End to end: with after_seconds 1, the customer's message itself
		// schedules the reminder (inbound processing), and it arrives.
		if code, out := e.Do("PATCH", fmt.Sprintf("/api/v1/channels/%d", ch), map[string]any{"reminder": map[string]any{"after_seconds": 1, "skip_answered": false}}); code != http.StatusOK {
			t.Fatalf("patch channel: %d %s", code, out)
		}
		fresh := newConv(t, e, ch, "491700000105")
		e.Eventually(15*time.Second, "the reminder scheduled by the customer's message", func() bool {
			return len(fresh.systemTexts(t)) == 1
		})
	})
}

// The welcome message and the apology for an unsupported message go out
// through the send path, once each.
func TestWelcomeAndApologyAreSentOnce(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, map[string]any{"welcome_message": "Welcome to Acme support!"})
		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		enqueue(t, e, helpdesk.WelcomeJob{TicketID: c.ticketID})
		enqueue(t, e, helpdesk.WelcomeJob{TicketID: c.ticketID})
		enqueue(t, e, helpdesk.ApologyJob{TicketID: c.ticketID, MessageID: c.inboundID})
		e.Eventually(10*time.Second, "welcome and apology", func() bool { return len(c.systemTexts(t)) >= 2 })
		time.Sleep(time.Second) // the duplicate welcome job has run by now
		got := c.systemTexts(t)
		slices.Sort(got)
		if want := []string{helpdesk.DefaultApologyText, "Welcome to Acme support!"}; !slices.Equal(got, want) {
			t.Fatalf("system messages %q, want the welcome and the apology once each", got)
		}
	})
}

// Opening a ticket resets its unread count and marks the newest customer
// message read on WhatsApp; the typing indicator is sent when switched on,
// at most once per interval.
func TestMarkReadAndTyping(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, map[string]any{"typing_indicator": true})
		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		if code, out := e.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/read", c.ticketID), nil); code != http.StatusOK {
			t.Fatalf("read: %d %s", code, out)
		}
		tk, _ := e.App.Service.Store().TicketByID(t.Context(), c.ticketID)
		if tk.UnreadCount != 0 {
			t.Fatalf("unread_count %d after read, want 0", tk.UnreadCount)
		}
		e.Eventually(10*time.Second, "mark-as-read at the simulator", func() bool {
			m, ok := e.Sim.Message(c.inboundWAMID)
			return ok && m.Status == "read"
		})
		code, out := e.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/typing", c.ticketID), nil)
		if code != http.StatusAccepted || jsonStr(t, out, "reason") != "" {
			t.Fatalf("typing: %d %s", code, out)
		}
		code, out = e.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/typing", c.ticketID), nil)
		if code != http.StatusAccepted || jsonStr(t, out, "reason") == "" {
			t.Fatalf("second typing: %d %s, want throttled", code, out)
		}
		e.Eventually(10*time.Second, "typing indicator at the simulator", func() bool {
			n := 0
			for _, r := range e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/messages"}) {
				if b := string(r.Body); r.Status == 200 && strings.Contains(b, `"typing_indicator"`) {
					n++
				}
			}
			return n == 1
		})
	})
}
