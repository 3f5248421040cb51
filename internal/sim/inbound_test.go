package sim

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// wildcards are fields whose values differ per run (ids, clocks, digests,
// URLs): they must be present and non-empty, any value.
var wildcards = map[string]bool{"id": true, "timestamp": true, "sha256": true, "url": true}

// extras are BSUID-era or newer fields the reference's per-type examples
// predate; the simulator may add them.
var extras = map[string]bool{"from_user_id": true, "recipient_user_id": true, "url": true}

// sameShape compares want (a reference example) with got field for field.
func sameShape(t *testing.T, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: want object, got %T %v", path, got, got)
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("%s.%s: missing", path, k)
				continue
			}
			if wildcards[k] {
				if s, _ := gv.(string); s == "" {
					t.Errorf("%s.%s: want a non-empty string, got %v", path, k, gv)
				}
				continue
			}
			sameShape(t, path+"."+k, wv, gv)
		}
		for k := range g {
			if _, ok := w[k]; !ok && !extras[k] {
				t.Errorf("%s.%s: unexpected field (value %v)", path, k, g[k])
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: want %d items, got %v", path, len(w), got)
			return
		}
		for i := range w {
			sameShape(t, fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
	default:
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: want %v, got %v", path, want, got)
		}
	}
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// inboundCases maps each §2 fixture to the control input producing it.
var inboundCases = map[string]Inbound{
	"text.json":     {Type: "text", Text: "Does it come in another color?"},
	"image.json":    {Type: "image", Media: &InboundMedia{MimeType: "image/jpeg", Caption: "Taj Mahal"}},
	"video.json":    {Type: "video", Media: &InboundMedia{MimeType: "video/mp4", Caption: "My vacation video"}},
	"audio.json":    {Type: "audio", Media: &InboundMedia{MimeType: "audio/ogg; codecs=opus", Voice: true}},
	"document.json": {Type: "document", Media: &InboundMedia{MimeType: "application/pdf", Caption: "caption", Filename: "receipt.pdf"}},
	"sticker.json":  {Type: "sticker", Media: &InboundMedia{MimeType: "image/webp", Animated: true}},
	"location_place.json": {Type: "location", Location: &InboundLocation{Latitude: 37.44221496582, Longitude: -122.16165924072,
		Name: "Philz Coffee", Address: "101 Forest Ave, Palo Alto, CA 94301", URL: "https://philzcoffee.com/"}},
	"location_pin.json": {Type: "location", Location: &InboundLocation{Latitude: 12.25089, Longitude: 43.90539}},
	"contacts.json": {Type: "contacts", Contacts: json.RawMessage(`[{"name":{"formatted_name":"Lucía Gómez","first_name":"Lucía","last_name":"Gómez"},"org":{"company":"Google"},
		"phones":[{"phone":"+1 (983) 555-2319","wa_id":"19835552319","type":"MOBILE"}],"emails":[{"email":"lucia@example.com","type":"WORK"}],
		"addresses":[{"street":"1 Hacker Way","city":"Menlo Park","state":"CA","zip":"94025","country":"United States","country_code":"US","type":"WORK"}],
		"urls":[{"url":"https://www.example.com","type":"WORK"}],"birthday":"1999-01-23"}]`)},
	"button_reply.json": {Type: "interactive", Context: &InboundContext{MessageID: "wamid.OF_YOUR_INTERACTIVE_MESSAGE"},
		Interactive: &InboundInteractive{Type: "button_reply", ID: "cancel-button", Title: "Cancel"}},
	"list_reply.json": {Type: "interactive", Context: &InboundContext{MessageID: "wamid.OF_YOUR_LIST_MESSAGE"},
		Interactive: &InboundInteractive{Type: "list_reply", ID: "priority_express", Title: "Priority Mail Express", Description: "Next Day to 2 Days"}},
	"nfm_reply.json": {Type: "interactive", Context: &InboundContext{MessageID: "wamid.OF_YOUR_FLOW_MESSAGE"},
		Interactive: &InboundInteractive{Type: "nfm_reply", ResponseJSON: `{"flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s.","cs_rating":"4"}`}},
	"button.json":          {Type: "button", Context: &InboundContext{MessageID: "wamid.OF_YOUR_TEMPLATE"}, Button: &InboundButton{Text: "Unsubscribe"}},
	"reaction.json":        {Type: "reaction", Reaction: &InboundReaction{MessageID: "wamid.OF_THE_MESSAGE_REACTED_TO", Emoji: "👍"}},
	"reaction_remove.json": {Type: "reaction", Reaction: &InboundReaction{MessageID: "wamid.OF_THE_MESSAGE_REACTED_TO"}},
	"order.json": {Type: "order", Order: json.RawMessage(`{"catalog_id":"194836987003835","text":"","product_items":[
		{"product_retailer_id":"di9ozbzfi4","quantity":2,"item_price":30,"currency":"USD"},{"product_retailer_id":"nqryix03ez","quantity":1,"item_price":25,"currency":"USD"}]}`)},
	"referral.json": {Type: "text", Text: "Hello! Can I get more info on this?", Referral: json.RawMessage(`{"source_url":"https://fb.me/3cr4Wqqkv","source_id":"120226305854810726","source_type":"ad",
		"body":"Summer Succulents are here!","headline":"Chat with us","media_type":"image","image_url":"https://scontent.xx.fbcdn.net/v/t45.1...",
		"ctwa_clid":"Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0NiNhEgpGo0AHemvuSoifXaytfTzcchptiErTKCqTrJ5nW1h7IHYeYymGb5K5J5iTROpBhWAGaIAeUzHL50",
		"welcome_message":{"text":"Hi there! Let us know how we can help!"}}`)},
	"system.json": {Type: "system", System: &InboundSystem{Type: "user_changed_number", NewWaID: "12195555358"}},
	"context_product.json": {Type: "text", Text: "Is this still available?", Context: &InboundContext{
		MessageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA", ReferredProduct: &ReferredProduct{CatalogID: "194836987003835", ProductRetailerID: "di9ozbzfi4"}}},
	"forwarded.json":   {Type: "text", Text: "text forwarded many times", Context: &InboundContext{FrequentlyForwarded: true}},
	"unsupported.json": {Type: "unsupported", Unsupported: "poll"},
}

// TestInboundMatchesReference: each §2 example is reproduced field for
// field (modulo ids, timestamps, digests), inside a §1.2 envelope with
// contacts (absent on system messages).
func TestInboundMatchesReference(t *testing.T) {
	files, _ := filepath.Glob("testdata/inbound/*.json")
	var names []string
	for _, f := range files {
		if n := filepath.Base(f); n != "envelope.json" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) != len(inboundCases) {
		t.Fatalf("%d fixtures, %d cases", len(names), len(inboundCases))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			in, ok := inboundCases[name]
			if !ok {
				t.Fatalf("no case for %s", name)
			}
			e := newEnv(t, Options{})
			in.PhoneNumberID, in.From = e.info.PhoneNumberID, e.info.CustomerWaID
			id, err := e.s.CustomerSend(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			_, g := e.rcv.next(t)
			v := g.Entry[0].Changes[0].Value
			if len(v.Messages) != 1 || v.Messages[0]["id"] != id {
				t.Fatalf("messages %v", v.Messages)
			}
			if v.Messages[0]["from_user_id"] != e.info.CustomerBSUID {
				t.Errorf("from_user_id %v", v.Messages[0]["from_user_id"])
			}
			if name == "system.json" {
				if v.Contacts != nil {
					t.Errorf("system message carries contacts %v", v.Contacts)
				}
			} else if len(v.Contacts) != 1 || v.Contacts[0]["wa_id"] != e.info.CustomerWaID || v.Contacts[0]["user_id"] != e.info.CustomerBSUID {
				t.Errorf("contacts %v", v.Contacts)
			}
			gotMsg, _ := json.Marshal(v.Messages[0])
			sameShape(t, "message", decodeAny(t, readFixture(t, "inbound/"+name)), decodeAny(t, gotMsg))
		})
	}
}

func TestInboundEnvelopeMatchesReference(t *testing.T) {
	e := newEnv(t, Options{})
	e.inbound(t, "Does it come in another color?")
	b, _ := e.rcv.next(t)
	sameShape(t, "webhook", decodeAny(t, readFixture(t, "inbound/envelope.json")), decodeAny(t, b))
}

func TestInboundMediaDownloadable(t *testing.T) {
	e := newEnv(t, Options{})
	data := []byte("%PDF-1.4 tiny")
	_, err := e.s.CustomerSend(t.Context(), Inbound{PhoneNumberID: e.info.PhoneNumberID, From: e.info.CustomerWaID, Type: "document",
		Media: &InboundMedia{Data: data, MimeType: "application/pdf", Filename: "x.pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	_, g := e.rcv.next(t)
	doc := g.messages()[0]["document"].(map[string]any)
	_, info, _ := e.do(t, "GET", "/v25.0/"+doc["id"].(string), e.info.AccessToken, nil)
	got := e.download(t, info["url"].(string), e.info.AccessToken, 200)
	if string(got) != string(data) || info["file_size"].(float64) != float64(len(data)) {
		t.Fatalf("download %q info %v", got, info)
	}
	// webhook sha256 is base64, GET /{media_id} sha256 is hex, of the same digest
	if b64 := doc["sha256"].(string); strings.ContainsAny(b64, "+/=") == false && len(b64) != 44 {
		t.Fatalf("webhook sha256 %q is not base64", b64)
	}
	if info["sha256"] != sha256Hex(data) {
		t.Fatalf("sha256 %v", info["sha256"])
	}
}

func TestBSUIDOnlyCustomer(t *testing.T) {
	e := newEnv(t, Options{})
	if _, err := e.s.AddCustomer(Customer{UserID: "DE.4422", Name: "Anon", Username: "anon.user"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CustomerSend(t.Context(), Inbound{PhoneNumberID: e.info.PhoneNumberID, From: "DE.4422", Type: "text", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	_, g := e.rcv.next(t)
	m, c := g.messages()[0], g.Entry[0].Changes[0].Value.Contacts[0]
	if m["from"] != nil || m["from_user_id"] != "DE.4422" || c["wa_id"] != nil || c["user_id"] != "DE.4422" ||
		c["profile"].(map[string]any)["username"] != "anon.user" {
		t.Fatalf("message %v contact %v", m, c)
	}
	// Reply by BSUID inside the window: statuses omit recipient_id.
	code, out := e.send(t, `{"messaging_product":"whatsapp","recipient":"DE.4422","type":"text","text":{"body":"hello"}}`)
	if code != 200 {
		t.Fatal(code, out)
	}
	st := e.rcv.collectStatuses(t, 3)
	for _, s := range st {
		if s["recipient_id"] != nil || s["recipient_user_id"] != "DE.4422" {
			t.Fatalf("status %v", s)
		}
	}
}

func TestInboundInvalid(t *testing.T) {
	e := newEnv(t, Options{})
	for name, in := range map[string]Inbound{
		"unknown type":       {Type: "poll"},
		"text without text":  {Type: "text"},
		"image with pdf":     {Type: "image", Media: &InboundMedia{MimeType: "application/pdf"}},
		"button no context":  {Type: "button", Button: &InboundButton{Text: "Yes"}},
		"reaction bad id":    {Type: "reaction", Reaction: &InboundReaction{MessageID: "x"}},
		"order without item": {Type: "order", Order: json.RawMessage(`{"catalog_id":"1","product_items":[]}`)},
	} {
		in.PhoneNumberID, in.From = e.info.PhoneNumberID, e.info.CustomerWaID
		if _, err := e.s.CustomerSend(t.Context(), in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestButtonReplyContextDefaultsToLastSent(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	_, out := e.send(t, `{"messaging_product":"whatsapp","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`)
	tmplID := wamidOf(t, out)
	if _, err := e.s.CustomerSend(t.Context(), Inbound{PhoneNumberID: e.info.PhoneNumberID, From: e.info.CustomerWaID, Type: "button",
		Button: &InboundButton{Text: "Stop", Payload: "STOP"}}); err != nil {
		t.Fatal(err)
	}
	_, g := e.rcv.next(t)
	ctx := g.messages()[0]["context"].(map[string]any)
	if ctx["id"] != tmplID || ctx["from"] != "15550783881" {
		t.Fatalf("context %v", ctx)
	}
}
