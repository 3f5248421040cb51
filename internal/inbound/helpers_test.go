package inbound_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
	"wadesk/internal/web"
	"wadesk/internal/whatsapp"
)

// Fixture identities, replaced per test channel so that cases do not share
// customers or tickets.
const (
	fixturePhoneNumberID = "106540352242922"
	fixtureWaID          = "16505551234"
	fixtureBSUID         = "US.13491208655302741918"
)

// testChannel is a channel created through the API on its own simulator number.
type testChannel struct {
	web.ChannelView
	path    string // the webhook path
	groupID string
	waID    string // the customer's wa_id in this channel's fixtures
	bsuid   string
}

var channelSeq int

// newChannel adds a simulator number to the seeded WABA and connects it as
// a channel in a new group.
func newChannel(t *testing.T, e *apptest.Env, extra map[string]any) *testChannel {
	t.Helper()
	channelSeq++
	n := channelSeq
	num, err := e.Sim.AddNumber(sim.Number{ID: fmt.Sprintf("2000000000%05d", n), WABAID: e.Seed.WABAID})
	if err != nil {
		t.Fatal(err)
	}
	var g web.GroupView
	doJSON(t, e, "POST", "/api/v1/groups", map[string]any{"name": fmt.Sprintf("Group %d", n)}, 201, &g)
	in := map[string]any{"name": fmt.Sprintf("Channel %d", n), "waba_id": e.Seed.WABAID, "phone_number_id": num.ID,
		"access_token": e.Seed.AccessToken, "app_secret": e.Seed.AppSecret, "group_id": g.ID}
	for k, v := range extra {
		in[k] = v
	}
	ch := &testChannel{groupID: g.ID, waID: fmt.Sprintf("4915100%05d", n), bsuid: fmt.Sprintf("DE.case%d", n)}
	doJSON(t, e, "POST", "/api/v1/channels", in, 201, &ch.ChannelView)
	u, err := url.Parse(ch.CallbackURL)
	if err != nil {
		t.Fatal(err)
	}
	ch.path = u.Path
	return ch
}

// fixture reads testdata/name and rewrites it for the channel.
func (c *testChannel) fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return c.rewrite(b)
}

func (c *testChannel) rewrite(b []byte) []byte {
	r := strings.NewReplacer(fixturePhoneNumberID, c.PhoneNumberID, fixtureWaID, c.waID, fixtureBSUID, c.bsuid)
	return []byte(r.Replace(string(b)))
}

// post delivers a body to the channel's webhook, signed like Meta does.
func (c *testChannel) post(t *testing.T, e *apptest.Env, body []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", e.BaseURL+c.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign(e.Seed.AppSecret, body))
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook answered %d", resp.StatusCode)
	}
}

// waitProcessed waits until no delivery is pending.
func waitProcessed(t *testing.T, e *apptest.Env) {
	t.Helper()
	e.Eventually(15*time.Second, "the inbox to be drained", func() bool {
		var n int
		err := e.App.DB.InboxDB().QueryRow("SELECT COUNT(*) FROM webhook_inbox WHERE state = 'pending'").Scan(&n)
		return err == nil && n == 0
	})
}

// tickets lists the channel's tickets through the API.
func (c *testChannel) tickets(t *testing.T, e *apptest.Env) []web.TicketView {
	t.Helper()
	var page struct{ Data []web.TicketView }
	doJSON(t, e, "GET", "/api/v1/tickets?limit=200&channel_id="+c.ID, nil, 200, &page)
	return page.Data
}

func messages(t *testing.T, e *apptest.Env, ticketID string) []web.MessageView {
	t.Helper()
	var page struct{ Data []web.MessageView }
	doJSON(t, e, "GET", "/api/v1/tickets/"+ticketID+"/messages?limit=200", nil, 200, &page)
	return page.Data
}

// onlyTicket returns the channel's single ticket and its messages.
func (c *testChannel) onlyTicket(t *testing.T, e *apptest.Env) (web.TicketView, []web.MessageView) {
	t.Helper()
	ts := c.tickets(t, e)
	if len(ts) != 1 {
		t.Fatalf("channel %s has %d tickets, want 1", c.ID, len(ts))
	}
	return ts[0], messages(t, e, ts[0].ID)
}

func doJSON(t *testing.T, e *apptest.Env, method, path string, body any, want int, out any) {
	t.Helper()
	status, b := e.Do(method, path, body)
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func customer(t *testing.T, e *apptest.Env, id string) web.CustomerView {
	t.Helper()
	var c web.CustomerView
	doJSON(t, e, "GET", "/api/v1/customers/"+id, nil, 200, &c)
	return c
}
