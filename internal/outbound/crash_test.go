package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
	"wadesk/internal/outbound"
	"wadesk/internal/sim"
	"wadesk/internal/whatsapp"
)

// queuedWithoutJob stores a queued reply with no River job, so that only
// the test's own worker touches it.
func queuedWithoutJob(t *testing.T, e *apptest.Env, c *conv, text string) int64 {
	t.Helper()
	ctx := context.Background()
	svc := e.App.Service
	m := &helpdesk.Message{TicketID: c.ticketID, ChannelID: &c.channelID, Direction: helpdesk.Out, Type: "text", Text: text,
		SenderKind: helpdesk.SenderAgent, SenderID: &e.Admin.ID, Status: helpdesk.StatusQueued, CreatedAt: svc.Now(), UpdatedAt: svc.Now()}
	if err := svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		_, err := tx.InsertMessage(ctx, m)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func dispatcher(t *testing.T, e *apptest.Env, graph whatsapp.Options) *outbound.Dispatcher {
	t.Helper()
	d, err := outbound.New(outbound.Options{Outbox: helpdesk.NewOutbox(e.App.Service, e.App.Jobs),
		Secrets: e.App.Secrets, Graph: graph, Blobs: e.App.Blobs})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func sendJob(id int64) *river.Job[helpdesk.SendMessageJob] {
	return &river.Job[helpdesk.SendMessageJob]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1, CreatedAt: time.Now()},
		Args: helpdesk.SendMessageJob{MessageID: id}}
}

// A crash between Meta accepting a send and the wamid being recorded does
// not send twice: the rerun job marks the message "unknown" (delivery
// unknown) without calling Meta, and only an agent's retry sends it again.
func TestCrashAfterSendingNeverSendsTwice(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		c := newConv(t, e, newChannel(t, e, nil), e.Seed.CustomerWaID)
		id := queuedWithoutJob(t, e, c, "Your refund is on its way")
		d := dispatcher(t, e, e.App.Graph)
		crash := errors.New("process killed")
		crashing := outbound.NewSendWorkerForTest(d, func(int64) error { return crash })
		if err := crashing.Work(t.Context(), sendJob(id)); !errors.Is(err, crash) {
			t.Fatalf("first run: %v, want the crash", err)
		}
		if n := len(sendsFor(e, id)); n != 1 {
			t.Fatalf("%d sends after the first run, want 1", n)
		}
		// River runs the job again after the "restart".
		if err := outbound.NewSendWorkerForTest(d, nil).Work(t.Context(), sendJob(id)); err != nil {
			t.Fatalf("rerun: %v", err)
		}
		m := c.message(t, id)
		if m.Status != "unknown" || m.Error == nil || m.Error.Title != "delivery unknown" {
			t.Fatalf("after the rerun: status %s error %+v, want unknown with an explanation", m.Status, m.Error)
		}
		if n := len(sendsFor(e, id)); n != 1 {
			t.Fatalf("%d sends after the rerun, want still 1", n)
		}
		if got := fmt.Sprint(attempts(t, e, id)); got != "[unknown]" {
			t.Errorf("attempts %s, want [unknown]", got)
		}
		// The agent decides it did not arrive and retries by hand.
		if code, out := e.Do("POST", fmt.Sprintf("/api/v1/messages/%d/retry", id), nil); code != http.StatusAccepted {
			t.Fatalf("retry: %d %s", code, out)
		}
		c.waitStatus(t, id, 10*time.Second, "accepted")
		if n := len(sendsFor(e, id)); n != 2 {
			t.Fatalf("%d sends after the retry by hand, want 2", n)
		}
	})
}

// A connection that breaks after the request went out may or may not have
// delivered the message: it becomes unknown instead of being retried. A
// connection that cannot be opened is retried (nothing was sent).
func TestBrokenConnectionsFollowThePolicy(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}})
	c := newConv(t, e, newChannel(t, e, nil), e.Seed.CustomerWaID)

	// Reads the whole request, then hangs up without answering.
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20))
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer hangup.Close()
	g := e.App.Graph
	g.BaseURL = hangup.URL
	id := queuedWithoutJob(t, e, c, "after hangup")
	if err := outbound.NewSendWorkerForTest(dispatcher(t, e, g), nil).Work(t.Context(), sendJob(id)); err != nil {
		t.Fatalf("work: %v", err)
	}
	if m := c.message(t, id); m.Status != "unknown" {
		t.Fatalf("after a hang-up: %s, want unknown", m.Status)
	}

	// Nothing listens on this port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.BaseURL = "http://" + l.Addr().String()
	l.Close()
	id = queuedWithoutJob(t, e, c, "refused")
	err = outbound.NewSendWorkerForTest(dispatcher(t, e, g), nil).Work(t.Context(), sendJob(id))
	var snooze *rivertype.JobSnoozeError
	if !errors.As(err, &snooze) {
		t.Fatalf("work on a refused connection: %v, want a snooze (retry later)", err)
	}
	if m := c.message(t, id); m.Status != "queued" {
		t.Fatalf("after a refused connection: %s, want still queued", m.Status)
	}
	if got := fmt.Sprint(attempts(t, e, id)); got != "[retry]" {
		t.Errorf("attempts %s, want [retry]", got)
	}
}
