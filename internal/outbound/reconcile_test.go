package outbound_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/outbound"
	"wadesk/internal/sim"
)

// simWAMID is the wamid the simulator gave the send of message id.
func simWAMID(t *testing.T, e *apptest.Env, id int64) string {
	t.Helper()
	for _, m := range e.Sim.Messages(sim.MessageFilter{Direction: "out"}) {
		if m.BizOpaque == strconv.FormatInt(id, 10) {
			return m.ID
		}
	}
	t.Fatalf("message %d never reached the simulator", id)
	return ""
}

// A send whose outcome became unknown (wadesk crashed between Meta's answer
// and recording the wamid) is reconciled by the statuses Meta sends for it:
// their biz_opaque_callback_data names the message. The status may arrive
// after the message was marked unknown, or while the send was still in
// flight (parked, then applied when the rerun marks it unknown).
func TestUnknownSendIsReconciledByItsStatuses(t *testing.T) {
	cases := []struct {
		name         string
		beforeRerun  bool // the status arrives before the job is rerun
		status, want string
	}{
		{"status after the message became unknown", false, "delivered", "delivered"},
		{"status while the send was in flight", true, "sent", "sent"},
	}
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := newConv(t, e, ch, e.Seed.CustomerWaID)
				id := queuedWithoutJob(t, e, c, "Your refund is on its way: "+tc.name)
				d := dispatcher(t, e, e.App.Graph)
				crash := errors.New("process killed")
				if err := outbound.NewSendWorkerForTest(d, func(int64) error { return crash }).Work(t.Context(), sendJob(id)); !errors.Is(err, crash) {
					t.Fatalf("first run: %v, want the crash", err)
				}
				wamid := simWAMID(t, e, id)
				emit := func() {
					if err := e.Sim.EmitStatus(wamid, tc.status); err != nil {
						t.Fatal(err)
					}
				}
				if tc.beforeRerun {
					emit()
					e.Eventually(10*time.Second, "the status parked", func() bool {
						var n int
						err := e.App.DB.Writer().QueryRow("SELECT COUNT(*) FROM pending_statuses WHERE message_id = $1", id).Scan(&n)
						return err == nil && n == 1
					})
				}
				if err := outbound.NewSendWorkerForTest(d, nil).Work(t.Context(), sendJob(id)); err != nil {
					t.Fatalf("rerun: %v", err)
				}
				if !tc.beforeRerun {
					if m := c.message(t, id); m.Status != "unknown" {
						t.Fatalf("after the rerun: %s, want unknown", m.Status)
					}
					emit()
				}
				m := c.waitStatus(t, id, 10*time.Second, tc.want)
				if m.WAMessageID == nil || *m.WAMessageID != wamid || m.Error != nil {
					t.Fatalf("reconciled message: wamid %v error %+v, want %s and no error", m.WAMessageID, m.Error, wamid)
				}
				if n := len(sendsFor(e, id)); n != 1 {
					t.Fatalf("%d sends, want 1", n)
				}
			})
		}
	})
}
