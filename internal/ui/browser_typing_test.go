package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// While an agent writes a reply the customer sees "typing…" (the channel's
// typing_indicator on): the composer asks the server, which sends it.
func TestBrowserTypingIndicatorWhileComposing(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	id := openInboxWithCustomer(t, e, tb, "Is anyone there?")
	var list struct{ Data []struct{ ID string } }
	if status, body := e.Do("GET", "/api/v1/channels", nil); status != 200 || jsonUnmarshal(body, &list) != nil || len(list.Data) != 1 {
		t.Fatalf("channels: %d %s", status, body)
	}
	if status, body := e.Do("PATCH", "/api/v1/channels/"+list.Data[0].ID, map[string]any{"typing_indicator": true}); status != 200 {
		t.Fatalf("switch typing on: %d %s", status, body)
	}
	typing := func() int {
		n := 0
		for _, r := range e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/messages"}) {
			if r.Status == 200 && strings.Contains(string(r.Body), `"typing_indicator"`) {
				n++
			}
		}
		return n
	}
	tb.do(chromedp.Navigate(e.BaseURL+"/tickets/"+id), chromedp.WaitVisible(chromedp.CSS("#text")))
	if n := typing(); n != 0 {
		t.Fatalf("%d typing indicators before typing", n)
	}
	tb.do(chromedp.SendKeys(chromedp.CSS("#text"), "Yes, one moment"))
	e.Eventually(wait, "the typing indicator at the simulator", func() bool { return typing() == 1 })
}
