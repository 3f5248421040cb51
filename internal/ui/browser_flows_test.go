package ui_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

const wait = 15 * time.Second

func TestBrowserLogin(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	tb.do(chromedp.Navigate(e.BaseURL+"/inbox"), chromedp.WaitVisible(chromedp.CSS("#email")))
	tb.waitJS("the login form to remember where to go", `document.querySelector('input[name=next]').value === '/inbox'`, wait)
	tb.shot("login")
	tb.do(chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "wrong password"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#login-error")))
	tb.waitJS("the error", hasText("#login-error", "Wrong email or password"), wait)
	tb.do(chromedp.SendKeys(chromedp.CSS("#password"), "admin-password"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main#main.inbox-page")))
	if loc := eval[string](tb, "location.pathname"); loc != "/inbox" {
		t.Fatalf("after sign-in at %s", loc)
	}
}

func TestBrowserChannelWizard(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	tb.signIn(e.BaseURL, "admin@example.com", "admin-password")
	tb.do(chromedp.Navigate(e.BaseURL+"/admin/channels"), chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/channels/new"]`)))
	tb.do(chromedp.Click(chromedp.CSS(`.page-head a[href="/admin/channels/new"]`)), chromedp.WaitVisible(chromedp.CSS("#w-token")))

	// Step 1: a wrong token is refused with Meta's reason, the right one lists the numbers.
	tb.do(chromedp.SendKeys(chromedp.CSS("#w-token"), "not-a-token"),
		chromedp.SendKeys(chromedp.CSS("#w-secret"), e.Seed.AppSecret),
		chromedp.SendKeys(chromedp.CSS("#w-waba"), e.Seed.WABAID),
		chromedp.Click(chromedp.CSS(`[data-next="lookup"]`)))
	tb.waitJS("the refusal", `!document.querySelector('section[data-step="1"] .form-error').hidden`, wait)
	tb.clear("#w-token")
	tb.do(chromedp.SendKeys(chromedp.CSS("#w-token"), e.Seed.AccessToken))
	tb.shot("wizard-1-credentials")
	tb.do(chromedp.Click(chromedp.CSS(`[data-next="lookup"]`)), chromedp.WaitVisible(chromedp.CSS(".number-option")))
	tb.waitJS("the seeded number", hasText(".number-option", e.Seed.DisplayPhone), wait)
	tb.shot("wizard-2-number")

	// Step 3: settings, then save (the credentials are checked, the webhook handshake runs).
	tb.do(chromedp.Click(chromedp.CSS(`[data-next="settings"]`)), chromedp.WaitVisible(chromedp.CSS("#ch-name")))
	if name := eval[string](tb, `document.querySelector('#ch-name').value`); name == "" {
		t.Error("the name was not prefilled from the verified name")
	}
	tb.clear("#ch-name")
	tb.do(chromedp.SendKeys(chromedp.CSS("#ch-name"), "Wizard line"),
		chromedp.SendKeys(chromedp.CSS("#ch-welcome"), "Welcome! We answer within minutes."),
		chromedp.Click(chromedp.CSS("#ch-rem-on")))
	tb.shot("wizard-3-settings")
	tb.do(chromedp.Click(chromedp.CSS("#wizard-save")))
	tb.waitJS("the channel page", `location.search === '?created=1' && !!document.querySelector('#cb-url')`, wait)

	// The page shows the callback URL and verify token, and the handshake made the indicator green.
	cb := eval[string](tb, `document.querySelector('#cb-url').textContent`)
	if !contains(cb, e.BaseURL+"/webhooks/whatsapp/") {
		t.Errorf("callback URL %q", cb)
	}
	if vt := eval[string](tb, `document.querySelector('#vt').textContent`); vt == "" {
		t.Error("no verify token shown")
	}
	tb.waitJS("webhook verified", hasText("#channel-status", "Webhook verified"), wait)
	tb.shot("wizard-4-webhook")

	// A customer message makes "last delivery" appear without reload.
	if _, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: e.Seed.CustomerWaID, Type: "text", Text: "Testing the webhook"}); err != nil {
		t.Fatal(err)
	}
	tb.waitJS("last delivery", hasText("#channel-status", "Last delivery"), wait)
	tb.do(chromedp.Navigate(e.BaseURL+"/admin/channels"), chromedp.WaitVisible(chromedp.CSS(".channel-card")))
	tb.waitJS("the channel in the list", hasText(".channel-card h2", "Wizard line"), wait)
	tb.shot("channels")
}

// openChat connects the channel, lets the customer write once and returns
// the ticket id as shown in the inbox.
func openInboxWithCustomer(t *testing.T, e *apptest.Env, tb *tab, text string) string {
	t.Helper()
	connectChannel(t, e)
	tb.signIn(e.BaseURL, "admin@example.com", "admin-password")
	tb.do(chromedp.Navigate(e.BaseURL+"/inbox"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")))
	tb.waitJS("the event stream", `document.body.dataset.live === 'on'`, wait)
	if _, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: e.Seed.CustomerWaID, Type: "text", Text: text}); err != nil {
		t.Fatal(err)
	}
	tb.waitJS("the new ticket in the open inbox", hasText("#ticket-list .name", "Sheena Nelson"), wait)
	return eval[string](tb, `document.querySelector('#ticket-list li.ticket-row').dataset.id`)
}

func TestBrowserCustomerMessageAppearsLive(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	connectChannel(t, e)
	tb.signIn(e.BaseURL, "admin@example.com", "admin-password")
	tb.do(chromedp.Navigate(e.BaseURL+"/inbox"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")))
	tb.waitJS("the event stream", `document.body.dataset.live === 'on'`, wait)
	tb.do(chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))
	if _, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: e.Seed.CustomerWaID, Type: "text", Text: "Hi, my order has not arrived"}); err != nil {
		t.Fatal(err)
	}
	tb.waitJS("the new ticket in the open inbox", hasText("#ticket-list .name", "Sheena Nelson"), wait)
	id := eval[string](tb, `document.querySelector('#ticket-list li.ticket-row').dataset.id`)
	tb.waitJS("the unread badge", `!!document.querySelector('#row-`+id+` .badge')`, wait)
	if !eval[bool](tb, `window.__noReload === true`) {
		t.Fatal("the page reloaded")
	}

	// Keyboard: j focuses the first row, Enter opens it.
	tb.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("j"))
	tb.waitJS("j to focus the row", `document.activeElement === document.querySelector('#row-`+id+` a')`, wait)
	tb.do(chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#chat")))
	tb.waitJS("the chat", hasText("#chat .text", "my order has not arrived"), wait)
	tb.waitJS("the event stream", `document.body.dataset.live === 'on'`, wait)
	tb.do(chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))
	if _, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: e.Seed.CustomerWaID, Type: "location",
		Location: &sim.InboundLocation{Latitude: 52.52, Longitude: 13.41, Name: "Alexanderplatz"}}); err != nil {
		t.Fatal(err)
	}
	tb.waitJS("the location card in the open chat", hasText("#chat .location", "Alexanderplatz"), wait)
	if !eval[bool](tb, `window.__noReload === true`) {
		t.Fatal("the chat reloaded")
	}
}

func TestBrowserReplyReachesCustomerAndTurnsRead(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	id := openInboxWithCustomer(t, e, tb, "Can you help me?")
	tb.do(chromedp.Navigate(e.BaseURL+"/tickets/"+id), chromedp.WaitVisible(chromedp.CSS("#text")))
	tb.waitJS("the event stream", `document.body.dataset.live === 'on'`, wait)
	reply := "Of course! Your parcel leaves today."
	tb.do(chromedp.SendKeys(chromedp.CSS("#text"), reply), chromedp.SendKeys(chromedp.CSS("#text"), "\r"))
	tb.waitJS("the reply bubble", hasText("#chat .msg.out .text", reply), wait)
	e.Eventually(wait, "the reply at the simulator", func() bool {
		for _, m := range e.Sim.Messages(sim.MessageFilter{Customer: e.Seed.CustomerWaID, Direction: "out"}) {
			if m.Type == "text" && contains(string(m.Payload), reply) {
				return true
			}
		}
		return false
	})
	tb.waitJS("read ticks", `[...document.querySelectorAll('#chat .msg.out')].some(m => m.textContent.includes(`+js(reply)+`) && m.querySelector('.ticks.t-read'))`, wait)
	tb.shot("ticket")
}

// openClosedWindowTicket connects the channel, has the customer write text
// 25 hours ago (the window is closed), signs in and opens that ticket, where
// the template picker shows.
func openClosedWindowTicket(t *testing.T, e *apptest.Env, tb *tab, text string) {
	t.Helper()
	connectChannel(t, e)
	old := time.Now().Add(-25 * time.Hour)
	if _, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: e.Seed.CustomerWaID, Type: "text", Text: text, Timestamp: old}); err != nil {
		t.Fatal(err)
	}
	tb.signIn(e.BaseURL, "admin@example.com", "admin-password")
	tb.waitJS("the ticket", `fetch('/api/v1/tickets').then(r => r.json()).then(b => b.data.length > 0)`, wait)
	var list struct{ Data []struct{ ID string } }
	_, body := e.Do("GET", "/api/v1/tickets", nil)
	if err := json.Unmarshal(body, &list); err != nil || len(list.Data) == 0 {
		t.Fatalf("tickets: %s", body)
	}
	tb.do(chromedp.Navigate(e.BaseURL+"/tickets/"+list.Data[0].ID), chromedp.WaitVisible(chromedp.CSS("#window-banner")))
	tb.waitJS("the template picker", `!document.querySelector('#template-picker').hidden`, wait)
}

func TestBrowserClosedWindowOffersTemplates(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	openClosedWindowTicket(t, e, tb, "Hello from yesterday")

	// Free text is refused by the page itself, with the reason.
	tb.do(chromedp.SendKeys(chromedp.CSS("#text"), "Are you there?"), chromedp.Click(chromedp.CSS("#send")))
	tb.waitJS("the refusal", hasText("#compose-error", "window is closed"), wait)
	tb.clear("#text")

	tb.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#tpl-select'); s.value = 'order_update|en_US'; s.dispatchEvent(new Event('change')); })()`))
	tb.waitJS("the template's fields", `!document.querySelector('.tpl[data-name="order_update"]').hidden`, wait)
	tb.do(chromedp.SendKeys(chromedp.CSS(`.tpl[data-name="order_update"] input[data-param="1"]`), "Sheena"),
		chromedp.SendKeys(chromedp.CSS(`.tpl[data-name="order_update"] input[data-param="2"]`), "4711"))
	if eval[bool](tb, `!!document.querySelector('.tpl[data-name="order_update"] input[data-kind="button"]')`) {
		tb.do(chromedp.SendKeys(chromedp.CSS(`.tpl[data-name="order_update"] input[data-kind="button"]`), "4711"))
	}
	tb.shot("ticket-template")
	tb.do(chromedp.Click(chromedp.CSS("#send")))
	e.Eventually(wait, "the template at the simulator", func() bool {
		for _, m := range e.Sim.Messages(sim.MessageFilter{Customer: e.Seed.CustomerWaID, Direction: "out"}) {
			if m.Type == "template" && m.Template == "order_update" && m.Status != "failed" {
				return true
			}
		}
		return false
	})
	tb.waitJS("the template bubble", `document.querySelectorAll('#chat .msg.out').length > 0`, wait)
	if msg := eval[string](tb, `document.querySelector('#compose-error').textContent`); msg != "" && !eval[bool](tb, `document.querySelector('#compose-error').hidden`) {
		t.Errorf("composer error after sending the template: %s", msg)
	}
}

func TestBrowserCustomerHTMLIsInert(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	connectChannel(t, e)
	const name = `<script>alert(1)</script>`
	const text = `<img src=x onerror="window.__xss=1;alert(2)"><b>bold?</b>`
	if _, err := e.Sim.AddCustomer(sim.Customer{WaID: "15550001111", Name: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sim.CustomerSend(context.Background(), sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: "15550001111", Type: "text", Text: text}); err != nil {
		t.Fatal(err)
	}
	tb.signIn(e.BaseURL, "admin@example.com", "admin-password")
	tb.do(chromedp.Navigate(e.BaseURL + "/inbox"))
	tb.waitJS("the row", hasText("#ticket-list .name", name), wait)
	tb.do(chromedp.Click(chromedp.CSS("#ticket-list li.ticket-row a")), chromedp.WaitVisible(chromedp.CSS("#chat")))
	tb.waitJS("the message as text", hasText("#chat .text", text), wait)
	tb.waitJS("the name as text in the header", hasText("#ticket-head h1", name), wait)
	if eval[bool](tb, `window.__xss === 1 || document.querySelectorAll('#chat img[src="x"], #chat b').length > 0`) {
		t.Fatal("customer HTML became markup")
	}
	if n := tb.dialogs.Load(); n != 0 {
		t.Fatalf("%d dialogs opened", n)
	}
}
