package outbound_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// attempts lists a message's recorded send attempts' outcomes.
func attempts(t *testing.T, e *apptest.Env, id int64) []string {
	t.Helper()
	code, out := e.Do("GET", fmt.Sprintf("/api/v1/messages/%d/attempts", id), nil)
	if code != http.StatusOK {
		t.Fatalf("attempts: %d %s", code, out)
	}
	var l struct {
		Data []struct {
			Outcome   string `json:"outcome"`
			ErrorCode int    `json:"error_code"`
		}
	}
	mustJSON(t, out, &l)
	var o []string
	for _, a := range l.Data {
		s := a.Outcome
		if a.ErrorCode != 0 {
			s += fmt.Sprintf("(%d)", a.ErrorCode)
		}
		o = append(o, s)
	}
	return o
}

// Simulator faults end as the policy says: transient errors are retried
// until the send is accepted, permanent ones fail the message with Meta's
// reason, and a window closed between queuing and sending fails without retry.
func TestSendFailuresAreRetriedOrShownOnTheMessage(t *testing.T) {
	cases := []struct {
		name     string
		faults   sim.Faults
		advance  time.Duration
		status   string
		attempts string
		code     int
	}{
		{"5xx twice → retried, then accepted", sim.Faults{FailSends: 2, FailCode: 131000, FailHTTPStatus: 500},
			0, "accepted", "[retry(131000) retry(131000) accepted]", 0},
		{"130429 → retried, then accepted", sim.Faults{FailSends: 1, FailCode: 130429, FailHTTPStatus: 429},
			0, "accepted", "[retry(130429) accepted]", 0},
		{"131009 → failed with code, title and details", sim.Faults{FailSends: 1, FailCode: 131009, FailHTTPStatus: 400, FailDetails: "Parameter value is not valid"},
			0, "failed", "[failed(131009)]", 131009},
		{"window closed before sending (131047) → failed, not retried", sim.Faults{},
			25 * time.Hour, "failed", "[failed(131047)]", 131047},
	}
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{WindowSyncError: true, Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		for i, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				c := newConv(t, e, ch, fmt.Sprintf("4917000000%02d", i))
				e.Sim.SetFaults(tt.faults)
				if tt.advance > 0 {
					e.Sim.Advance(tt.advance)
					defer e.Sim.Advance(-tt.advance)
				}
				id := c.mustQueue(t, map[string]any{"text": "About your order"})
				m := c.waitStatus(t, id, 15*time.Second, tt.status)
				if got := fmt.Sprint(attempts(t, e, id)); got != tt.attempts {
					t.Errorf("attempts %s, want %s", got, tt.attempts)
				}
				if tt.code == 0 {
					if m.Error != nil {
						t.Errorf("accepted message shows error %+v", m.Error)
					}
					return
				}
				if m.Error == nil || m.Error.Code != tt.code || m.Error.Title == "" {
					t.Fatalf("error %+v, want code %d with a title", m.Error, tt.code)
				}
				if tt.faults.FailDetails != "" && m.Error.Message != tt.faults.FailDetails {
					t.Errorf("error message %q, want the details %q", m.Error.Message, tt.faults.FailDetails)
				}
				time.Sleep(1500 * time.Millisecond) // a retry would have happened by now
				if n := len(sendsFor(e, id)); n != 1 {
					t.Errorf("%d sends of a failed message, want 1", n)
				}
			})
		}
	})
}

// An expired token (190) puts the channel in error status, visible in the
// API; its sends pause without burning attempts, and resume once an admin
// gives the channel a working token.
func TestInvalidTokenPausesTheChannelUntilFixed(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		if err := e.Sim.ExpireToken(e.Seed.AccessToken); err != nil {
			t.Fatal(err)
		}
		first := c.mustQueue(t, map[string]any{"text": "one"})
		second := c.mustQueue(t, map[string]any{"text": "two"})
		var chv struct {
			Status    string `json:"status"`
			LastError *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"last_error"`
		}
		e.Eventually(10*time.Second, "channel in error", func() bool {
			_, out := e.Do("GET", fmt.Sprintf("/api/v1/channels/%d", ch), nil)
			_ = json.Unmarshal(out, &chv)
			return chv.Status == "error"
		})
		if chv.LastError == nil || chv.LastError.Code != 190 {
			t.Fatalf("last_error %+v, want code 190", chv.LastError)
		}
		time.Sleep(1500 * time.Millisecond) // paused: no more attempts meanwhile
		if got := fmt.Sprint(attempts(t, e, first)); got != "[paused(190)]" {
			t.Fatalf("attempts while paused %s, want one paused attempt", got)
		}
		if m := c.message(t, first); m.Status != "queued" {
			t.Fatalf("paused message is %s, want queued", m.Status)
		}
		// The admin fixes the token.
		if err := e.Sim.RestoreToken(e.Seed.AccessToken); err != nil {
			t.Fatal(err)
		}
		if code, out := e.Do("PATCH", fmt.Sprintf("/api/v1/channels/%d", ch), map[string]any{"access_token": e.Seed.AccessToken}); code != http.StatusOK {
			t.Fatalf("fix token: %d %s", code, out)
		}
		c.waitStatus(t, first, 15*time.Second, "accepted")
		c.waitStatus(t, second, 15*time.Second, "accepted")
		if got := fmt.Sprint(attempts(t, e, first)); got != "[paused(190) accepted]" {
			t.Errorf("attempts %s, want [paused(190) accepted]", got)
		}
		var order []string
		for _, b := range sends(e) {
			if b["_http_status"] == float64(200) {
				order = append(order, path(b, "text.body").(string))
			}
		}
		if fmt.Sprint(order) != "[one two]" {
			t.Errorf("accepted sends %v, want [one two]", order)
		}
	})
}

// An agent retries a failed message by hand: a new recorded attempt that
// sends it again. Messages that went through cannot be retried.
func TestRetryByHand(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		c := newConv(t, e, newChannel(t, e, nil), e.Seed.CustomerWaID)
		e.Sim.SetFaults(sim.Faults{FailSends: 1, FailCode: 131009, FailHTTPStatus: 400})
		id := c.mustQueue(t, map[string]any{"text": "try me"})
		c.waitStatus(t, id, 10*time.Second, "failed")
		code, out := e.Do("POST", fmt.Sprintf("/api/v1/messages/%d/retry", id), nil)
		if code != http.StatusAccepted || jsonStr(t, out, "status") != "queued" {
			t.Fatalf("retry: %d %s", code, out)
		}
		m := c.waitStatus(t, id, 10*time.Second, "accepted")
		if m.Error != nil {
			t.Errorf("retried message still shows %+v", m.Error)
		}
		if got := fmt.Sprint(attempts(t, e, id)); got != "[failed(131009) requested accepted]" {
			t.Errorf("attempts %s", got)
		}
		if code, out := e.Do("POST", fmt.Sprintf("/api/v1/messages/%d/retry", id), nil); code != http.StatusConflict {
			t.Errorf("retry of an accepted message: %d %s, want 409", code, out)
		}
		if code, _ := e.Do("POST", fmt.Sprintf("/api/v1/messages/%d/retry", c.inboundID), nil); code != http.StatusConflict {
			t.Errorf("retry of a customer message: %d, want 409", code)
		}
		if code, _ := e.Do("POST", "/api/v1/messages/999999/retry", nil); code != http.StatusNotFound {
			t.Errorf("retry of an unknown message: %d, want 404", code)
		}
	})
}
