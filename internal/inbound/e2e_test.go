package inbound_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
	"wadesk/internal/web"
	"wadesk/internal/whatsapp"
)

// send makes the simulated customer write to the channel's number.
func send(t *testing.T, e *apptest.Env, ch *testChannel, in sim.Inbound) string {
	t.Helper()
	in.PhoneNumberID = ch.PhoneNumberID
	if in.From == "" {
		in.From = e.Seed.CustomerWaID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	wamid, err := e.Sim.CustomerSend(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return wamid
}

// waitMessages waits until the channel's only ticket has n messages whose
// attachments are in state want (if given).
func waitMessages(t *testing.T, e *apptest.Env, ch *testChannel, n int, attachmentState string) []web.MessageView {
	t.Helper()
	var ms []web.MessageView
	e.Eventually(20*time.Second, fmt.Sprintf("%d messages", n), func() bool {
		ts := ch.tickets(t, e)
		if len(ts) != 1 {
			return false
		}
		ms = messages(t, e, ts[0].ID)
		if len(ms) != n {
			return false
		}
		for _, m := range ms {
			for _, a := range m.Attachments {
				if attachmentState != "" && a.State != attachmentState {
					return false
				}
			}
		}
		return true
	})
	return ms
}

// simSHA256 is the digest the simulator announced for a media message.
func simSHA256(t *testing.T, e *apptest.Env, wamid, typ string) string {
	t.Helper()
	m, ok := e.Sim.Message(wamid)
	if !ok {
		t.Fatalf("the simulator does not know %s", wamid)
	}
	var p map[string]json.RawMessage
	var media struct {
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(p[typ], &media); err != nil {
		t.Fatal(err)
	}
	sha, err := whatsapp.NormalizeSHA256(media.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return sha
}

func attachmentBytes(t *testing.T, e *apptest.Env, a web.AttachmentView) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", e.BaseURL+a.URL, nil)
	req.Header.Set("Authorization", "Bearer "+e.AdminToken)
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", a.URL, resp.StatusCode, b)
	}
	return b
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestSimulatedCustomerTextAndImageArrive(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		send(t, e, ch, sim.Inbound{Type: "text", Text: "Hello, my parcel is late"})
		wamid := send(t, e, ch, sim.Inbound{Type: "image", Media: &sim.InboundMedia{MimeType: "image/png", Caption: "the label"}})
		ms := waitMessages(t, e, ch, 2, "ready")
		if ms[0].Type != "text" || ms[0].Text != "Hello, my parcel is late" || ms[1].Type != "image" || ms[1].Text != "the label" {
			t.Fatalf("messages = %+v", ms)
		}
		a := ms[1].Attachments[0]
		got := attachmentBytes(t, e, a)
		want := simSHA256(t, e, wamid, "image")
		if sum(got) != want || a.SHA256 != want || a.Size != int64(len(got)) || a.MIMEType != "image/png" {
			t.Errorf("attachment %+v: bytes sha256 %s, simulator announced %s", a, sum(got), want)
		}
		tk := ch.tickets(t, e)[0]
		if cu := customer(t, e, tk.CustomerID); cu.WAID != e.Seed.CustomerWaID || cu.BSUID != e.Seed.CustomerBSUID || cu.Name == "" {
			t.Errorf("customer = %+v", cu)
		}
	})
}

func TestDuplicatedAndBatchedDeliveriesCreateEachMessageOnce(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		e.Sim.SetFaults(sim.Faults{DuplicateEvery: 2, BatchSize: 4, BatchWait: sim.Duration(30 * time.Millisecond)})
		const n = 12
		for i := range n {
			send(t, e, ch, sim.Inbound{Type: "text", Text: fmt.Sprintf("message %02d", i)})
		}
		ms := waitMessages(t, e, ch, n, "")
		for i, m := range ms {
			if m.Text != fmt.Sprintf("message %02d", i) {
				t.Errorf("message %d = %q (want Meta order)", i, m.Text)
			}
		}
		dups := 0
		for _, d := range e.Sim.Deliveries() {
			if d.Kind == "duplicate" {
				dups++
			}
		}
		if dups == 0 {
			t.Error("the simulator sent no duplicates; the test proves nothing")
		}
		time.Sleep(300 * time.Millisecond) // a late duplicate would show up now
		waitProcessed(t, e)
		if got := len(messages(t, e, ch.tickets(t, e)[0].ID)); got != n {
			t.Errorf("%d messages after duplicates, want %d", got, n)
		}
	})
}

func TestFailedDownloadCanBeRetriedThroughTheAPI(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		// With the token refused, no retry can succeed: the attachment fails at once.
		if err := e.Sim.ExpireToken(e.Seed.AccessToken); err != nil {
			t.Fatal(err)
		}
		wamid := send(t, e, ch, sim.Inbound{Type: "document", Media: &sim.InboundMedia{Data: []byte("invoice 4711\n"),
			MimeType: "text/plain", Filename: "invoice.txt"}})
		ms := waitMessages(t, e, ch, 1, "failed")
		a := ms[0].Attachments[0]
		if status, body := e.Do("GET", a.URL, nil); status != 409 {
			t.Errorf("GET a failed attachment: %d %s", status, body)
		}
		if err := e.Sim.RestoreToken(e.Seed.AccessToken); err != nil {
			t.Fatal(err)
		}
		var v web.AttachmentView
		doJSON(t, e, "POST", a.URL+"/retry", nil, 202, &v)
		if v.State != "downloading" {
			t.Errorf("retry answered %+v", v)
		}
		ms = waitMessages(t, e, ch, 1, "ready")
		if got := attachmentBytes(t, e, ms[0].Attachments[0]); string(got) != "invoice 4711\n" ||
			sum(got) != simSHA256(t, e, wamid, "document") || ms[0].Attachments[0].Filename != "invoice.txt" {
			t.Errorf("downloaded %q as %+v", got, ms[0].Attachments[0])
		}
		doJSON(t, e, "POST", a.URL+"/retry", nil, 409, nil) // ready: nothing to retry
		doJSON(t, e, "POST", "/api/v1/attachments/999999/retry", nil, 404, nil)
	})
}
