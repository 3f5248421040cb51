package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// TestBrowserScreenshots stages a small, lively helpdesk and saves the
// screenshots of docs/screenshots. It only runs when asked:
//
//	WADESK_SCREENSHOTS=1 go test ./internal/ui -run Browser
func TestBrowserScreenshots(t *testing.T) {
	if os.Getenv("WADESK_SCREENSHOTS") == "" {
		t.Skip("set WADESK_SCREENSHOTS=1 to regenerate docs/screenshots")
	}
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	chID := connectChannel(t, e)
	ctx := context.Background()
	send := func(in sim.Inbound) string {
		t.Helper()
		in.PhoneNumberID = e.Seed.PhoneNumberID
		id, err := e.Sim.CustomerSend(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	people := []sim.Customer{{WaID: "447700900123", Name: "Ada Lovelace"}, {WaID: "393471234567", Name: "Marco Rossi"},
		{WaID: "818012345678", Name: "Yuki Tanaka"}, {WaID: "919812345678", Name: "Priya Sharma"}}
	for _, p := range people {
		if _, err := e.Sim.AddCustomer(p); err != nil {
			t.Fatal(err)
		}
	}
	send(sim.Inbound{From: "393471234567", Type: "text", Text: "Buongiorno! Is the blue model back in stock?", Timestamp: time.Now().Add(-26 * time.Hour)})
	send(sim.Inbound{From: "818012345678", Type: "text", Text: "Thanks, that solved it 🙏"})
	send(sim.Inbound{From: "919812345678", Type: "document", Media: &sim.InboundMedia{MimeType: "application/pdf", Filename: "invoice-2291.pdf", Caption: "Invoice attached"}})
	send(sim.Inbound{From: "447700900123", Type: "text", Text: "Could you change the delivery address for order 4711?"})
	time.Sleep(300 * time.Millisecond)
	send(sim.Inbound{From: e.Seed.CustomerWaID, Type: "text", Text: "Hi! My parcel arrived damaged 😕"})
	send(sim.Inbound{From: e.Seed.CustomerWaID, Type: "image", Media: &sim.InboundMedia{Data: parcelPNG(t), MimeType: "image/png", Caption: "This is how it looked"}})

	var tickets struct {
		Data []struct {
			ID         string `json:"id"`
			CustomerID string `json:"customer_id"`
		}
	}
	e.Eventually(15*time.Second, "six tickets", func() bool {
		_, body := e.Do("GET", "/api/v1/tickets?state=new", nil)
		_ = json.Unmarshal(body, &tickets)
		return len(tickets.Data) == 5
	})
	sheena := tickets.Data[0].ID // newest activity first
	e.Do("POST", "/api/v1/tickets/"+sheena+"/messages", map[string]any{"text": "I'm sorry to hear that! Could you share where you are? We'll send a courier for the return.", "internal": false})
	e.Do("POST", "/api/v1/tickets/"+sheena+"/messages", map[string]any{"text": "Damage claim opened with the carrier (ref. DHL-88213).", "internal": true})
	time.Sleep(500 * time.Millisecond)
	send(sim.Inbound{From: e.Seed.CustomerWaID, Type: "location", Location: &sim.InboundLocation{Latitude: 52.52186, Longitude: 13.41311, Name: "Alexanderplatz", Address: "10178 Berlin"}})
	for _, m := range e.Sim.Messages(sim.MessageFilter{Customer: e.Seed.CustomerWaID, Direction: "out"}) {
		if m.Type == "text" {
			send(sim.Inbound{From: e.Seed.CustomerWaID, Type: "reaction", Reaction: &sim.InboundReaction{MessageID: m.ID, Emoji: "👍"}})
		}
	}
	e.Do("PATCH", "/api/v1/tickets/"+tickets.Data[3].ID, map[string]any{"state": "pending"})
	e.Do("PATCH", "/api/v1/tickets/"+tickets.Data[1].ID, map[string]any{"assignee_id": e.Admin.ID})
	time.Sleep(time.Second)

	tb.signIn(e.BaseURL, "admin@example.com", "admin-password")
	tb.do(chromedp.Navigate(e.BaseURL+"/inbox"), chromedp.WaitVisible(chromedp.CSS("#ticket-list li.ticket-row")))
	tb.shot("inbox")
	tb.do(chromedp.Navigate(e.BaseURL+"/tickets/"+sheena), chromedp.WaitVisible(chromedp.CSS("#chat")))
	tb.waitJS("the location", hasText("#chat .location", "Alexanderplatz"), 10*time.Second)
	tb.waitJS("images", `[...document.querySelectorAll('#chat img')].every(i => i.complete)`, 10*time.Second)
	tb.shot("ticket-chat")
	tb.do(chromedp.Navigate(e.BaseURL+"/admin/channels/"+chID), chromedp.WaitVisible(chromedp.CSS("#channel-status")))
	tb.shot("channel-health")
	tb.do(chromedp.Navigate(e.BaseURL+"/admin/channels/"+chID+"/templates"), chromedp.WaitVisible(chromedp.CSS(".template-grid")))
	tb.shot("templates")
	tb.do(chromedp.Navigate(e.SimURL+"/phone?customer="+e.Seed.CustomerWaID), chromedp.WaitVisible(chromedp.CSS("#chat")))
	tb.waitJS("the phone's chat", `document.querySelectorAll('#chat .msg').length >= 4`, 10*time.Second)
	tb.shot("phone")
}

// parcelPNG draws a dented parcel on a table: a picture a customer might send.
func parcelPNG(t *testing.T) []byte {
	t.Helper()
	const w, h = 480, 320
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: uint8(200 - y/8), G: uint8(190 - y/8), B: uint8(175 - y/10), A: 255} // wall and table
			if y > 200 {
				c = color.RGBA{R: 150, G: 111, B: 72, A: 255}
			}
			in := x > 130 && x < 350 && y > 90 && y < 250
			dent := (x-300)*(x-300)+(y-130)*(y-130) < 900
			switch {
			case in && dent:
				c = color.RGBA{R: 150, G: 110, B: 60, A: 255}
			case in && (x > 230 && x < 250):
				c = color.RGBA{R: 222, G: 200, B: 150, A: 255} // tape
			case in:
				c = color.RGBA{R: 196, G: 152, B: 98, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
