package inbound_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"wadesk/internal/app/apptest"
	"wadesk/internal/web"
)

// messageCase is one webhook fixture and what the API must show after it
// was processed: one ticket with one message of that type.
type messageCase struct {
	name, fixture string
	typ           string
	text          []string // substrings of the text
	internal      bool
	attachments   int
	voice         bool
	payload       []string // substrings of the stored payload JSON
	at            string   // Meta's timestamp as created_at
	check         func(t *testing.T, e *apptest.Env, c *testChannel, m web.MessageView)
}

var messageCases = []messageCase{
	{name: "text", fixture: "text.json", typ: "text", text: []string{"Does it come in another color?"}, at: "2025-06-08T20:59:43.000Z"},
	{name: "image with caption and a download queued", fixture: "image.json", typ: "image", text: []string{"Taj Mahal"}, attachments: 1},
	{name: "video", fixture: "video.json", typ: "video", attachments: 1},
	{name: "voice note", fixture: "audio_voice.json", typ: "audio", attachments: 1, voice: true},
	{name: "document keeps its file name", fixture: "document.json", typ: "document", attachments: 1,
		check: func(t *testing.T, _ *apptest.Env, _ *testChannel, m web.MessageView) {
			if a := m.Attachments[0]; a.Filename != "receipt.pdf" || a.MIMEType != "application/pdf" {
				t.Errorf("attachment = %+v", a)
			}
		}},
	{name: "sticker", fixture: "sticker.json", typ: "sticker", attachments: 1},
	{name: "location pin with a map link", fixture: "location_pin.json", typ: "location",
		text: []string{"https://www.openstreetmap.org/?mlat=12.25089&mlon=43.90539"},
		check: func(t *testing.T, _ *apptest.Env, _ *testChannel, m web.MessageView) {
			if !strings.Contains(string(m.Location), `"map_url":"https://www.openstreetmap.org/?mlat=12.25089\u0026mlon=43.90539"`) &&
				!strings.Contains(string(m.Location), `"map_url":"https://www.openstreetmap.org/?mlat=12.25089&mlon=43.90539"`) {
				t.Errorf("location = %s", m.Location)
			}
		}},
	{name: "named place", fixture: "location_place.json", typ: "location", text: []string{"Philz Coffee", "101 Forest Ave"},
		payload: []string{`"name":"Philz Coffee"`, `"latitude":37.44221496582`}},
	{name: "contacts as a readable card", fixture: "contacts.json", typ: "contacts",
		text: []string{"Lucía Gómez (Google)", "+1 (983) 555-2319", "lucia@example.com"}},
	{name: "reply button", fixture: "interactive_button_reply.json", typ: "interactive", text: []string{"Cancel"},
		payload: []string{`"id":"cancel-button"`, `"type":"button_reply"`}},
	{name: "list row", fixture: "interactive_list_reply.json", typ: "interactive", text: []string{"Priority Mail Express"},
		payload: []string{`"id":"priority_express"`}},
	{name: "completed flow", fixture: "interactive_nfm_reply.json", typ: "interactive", text: []string{"cs_rating: 4"},
		payload: []string{`"flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s."`}},
	{name: "template quick reply", fixture: "button.json", typ: "button", text: []string{"Unsubscribe"},
		payload: []string{`"payload":"Unsubscribe"`}},
	{name: "order with items and totals", fixture: "order.json", typ: "order",
		text: []string{"2 × di9ozbzfi4 at 30 USD", "1 × nqryix03ez at 25.5 USD", "Total: 85.5 USD"}, payload: []string{`"totals":{"USD":85.5}`}},
	{name: "referral kept", fixture: "referral.json", typ: "text", text: []string{"Hello! Can I get more info"},
		payload: []string{`"referral":`, `"source_id":"120226305854810726"`}},
	{name: "frequently forwarded flag", fixture: "context_frequently_forwarded.json", typ: "text",
		payload: []string{`"frequently_forwarded":true`}},
	{name: "product inquiry keeps the quoted wamid", fixture: "context_referred_product.json", typ: "text",
		payload: []string{`"product_retailer_id":"di9ozbzfi4"`}},
	{name: "unsupported becomes a note with Meta's reason", fixture: "unsupported.json", typ: "unsupported", internal: true,
		text: []string{"(poll)", "Message type unknown", "Message type is currently not supported.", "131051"}},
	{name: "legacy unknown type", fixture: "unknown_legacy.json", typ: "unsupported", internal: true},
	{name: "a type this version does not know", fixture: "unknown_new_type.json", typ: "unsupported", internal: true,
		text: []string{"hologram"}, payload: []string{`"depth":"deep"`}},
	{name: "BSUID-only customer", fixture: "bsuid_only.json", typ: "text", text: []string{"no phone here"},
		check: func(t *testing.T, e *apptest.Env, c *testChannel, m web.MessageView) {
			cu := customer(t, e, *m.Sender.ID)
			if cu.Phone != "" || cu.WAID != "" || cu.BSUID != c.bsuid || cu.Name != "Kai" {
				t.Errorf("customer = %+v", cu)
			}
			if tk := c.tickets(t, e)[0]; tk.Title != "Kai (@kai.surf) via WhatsApp" {
				t.Errorf("title = %q", tk.Title)
			}
		}},
}

// TestEveryMessageTypeBecomesAReadableMessage posts each fixture to the
// webhook of its own channel and reads the result through the API.
func TestEveryMessageTypeBecomesAReadableMessage(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		chans := make([]*testChannel, len(messageCases))
		for i, c := range messageCases {
			chans[i] = newChannel(t, e, nil)
			chans[i].post(t, e, chans[i].fixture(t, c.fixture))
		}
		waitProcessed(t, e)
		for i, c := range messageCases {
			t.Run(c.name, func(t *testing.T) {
				ch := chans[i]
				tk, ms := ch.onlyTicket(t, e)
				if len(ms) != 1 {
					t.Fatalf("%d messages, want 1: %+v", len(ms), ms)
				}
				m := ms[0]
				if m.Type != c.typ || m.Internal != c.internal || m.Direction != "in" || m.Sender.Kind != "customer" {
					t.Errorf("message = type %q internal %v direction %s sender %+v", m.Type, m.Internal, m.Direction, m.Sender)
				}
				for _, s := range c.text {
					if !strings.Contains(m.Text, s) {
						t.Errorf("text %q lacks %q", m.Text, s)
					}
				}
				if len(m.Attachments) != c.attachments {
					t.Fatalf("attachments = %+v, want %d", m.Attachments, c.attachments)
				}
				for _, a := range m.Attachments {
					if a.Voice != c.voice || (a.State != "downloading" && a.State != "failed") {
						t.Errorf("attachment = %+v", a)
					}
				}
				if c.at != "" && m.CreatedAt != c.at {
					t.Errorf("created_at = %s, want Meta's %s", m.CreatedAt, c.at)
				}
				if tk.State != "new" || tk.GroupID == nil || *tk.GroupID != ch.groupID {
					t.Errorf("ticket = %+v", tk)
				}
				if len(c.payload) > 0 {
					id, _ := strconv.ParseInt(m.ID, 10, 64)
					stored, err := e.App.Service.Store().MessageByID(context.Background(), id)
					if err != nil {
						t.Fatal(err)
					}
					for _, s := range c.payload {
						if !strings.Contains(string(stored.Payload), s) {
							t.Errorf("payload %s lacks %s", stored.Payload, s)
						}
					}
				}
				if c.check != nil {
					c.check(t, e, ch, m)
				}
			})
		}
	})
}

// TestTicketRules covers the customer and ticket rules: title, the window
// from Meta's time, reuse of the live ticket, name changes, a closed
// ticket leading to a new one.
func TestTicketRules(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		ch.post(t, e, ch.fixture(t, "text.json"))
		waitProcessed(t, e)
		tk, _ := ch.onlyTicket(t, e)
		if want := "Sheena Nelson (+" + ch.waID + ") via WhatsApp"; tk.Title != want {
			t.Errorf("title = %q, want %q", tk.Title, want)
		}
		if tk.WindowExpiresAt == nil || *tk.WindowExpiresAt != "2025-06-09T20:59:43.000Z" {
			t.Errorf("window = %v, want Meta time + 24 h", tk.WindowExpiresAt)
		}
		if tk.LastMessageAt != "2025-06-08T20:59:43.000Z" {
			t.Errorf("last_message_at = %s", tk.LastMessageAt)
		}
		// The agent sets the ticket pending; the customer writes again
		// with a new profile name: same ticket, open again, name follows.
		doJSON(t, e, "PATCH", "/api/v1/tickets/"+tk.ID, map[string]any{"state": "pending"}, 200, nil)
		second := strings.NewReplacer("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "wamid.SECOND",
			"1749416383", "1749420000", "Sheena Nelson", "Sheena N.").Replace(string(ch.fixture(t, "text.json")))
		ch.post(t, e, []byte(second))
		waitProcessed(t, e)
		tk2, ms := ch.onlyTicket(t, e)
		if tk2.ID != tk.ID || tk2.State != "open" || len(ms) != 2 {
			t.Errorf("after a second message: ticket %+v, %d messages", tk2, len(ms))
		}
		if cu := customer(t, e, tk.CustomerID); cu.Name != "Sheena N." || cu.Phone != "+"+ch.waID {
			t.Errorf("customer = %+v, want the new profile name", cu)
		}
		// Closed: the next message opens a new ticket.
		doJSON(t, e, "PATCH", "/api/v1/tickets/"+tk.ID, map[string]any{"state": "closed"}, 200, nil)
		third := strings.ReplaceAll(second, "wamid.SECOND", "wamid.THIRD")
		ch.post(t, e, []byte(third))
		// The same message again after close must not open a ticket.
		ch.post(t, e, []byte(second))
		waitProcessed(t, e)
		ts := ch.tickets(t, e)
		if len(ts) != 2 || ts[0].ID == tk.ID || ts[0].State != "new" {
			t.Fatalf("after close: %+v", ts)
		}
		if ms := messages(t, e, ts[0].ID); len(ms) != 1 || ms[0].WAMessageID == nil || *ms[0].WAMessageID != "wamid.THIRD" {
			t.Errorf("new ticket messages = %+v", ms)
		}
	})
}
