package whatsapp

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// load parses testdata/<name>.json.
func load(t *testing.T, name string) *Notification {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNotification(b)
	if err != nil {
		t.Fatalf("ParseNotification(%s): %v", name, err)
	}
	return n
}

// onlyMessage returns the single inbound message of n.
func onlyMessage(t *testing.T, n *Notification) Inbound {
	t.Helper()
	all := slices.Collect(n.Messages())
	if len(all) != 1 {
		t.Fatalf("got %d messages, want 1", len(all))
	}
	in := all[0]
	if in.Metadata.PhoneNumberID != "106540352242922" || in.Metadata.DisplayPhoneNumber != "15550783881" {
		t.Errorf("metadata = %+v", in.Metadata)
	}
	if !in.Message.Known() {
		t.Errorf("message %s not Known (err %v)", in.Message.Type, in.Message.DecodeErr)
	}
	return in
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestParseInboundMessages(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, in Inbound)
	}{
		{"text", func(t *testing.T, in Inbound) {
			m := in.Message
			eq(t, "type", m.Type, TypeText)
			eq(t, "body", m.Text.Body, "Does it come in another color?")
			eq(t, "id", m.ID, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")
			eq(t, "from_user_id", m.FromUserID, "US.13491208655302741918")
			eq(t, "time", m.Timestamp.Time(), time.Unix(1749416383, 0).UTC())
			eq(t, "entry", in.EntryID, "102290129340398")
			if in.Contact == nil {
				t.Fatal("no contact")
			}
			eq(t, "contact name", in.Contact.Profile.Name, "Sheena Nelson")
			eq(t, "contact wa_id", in.Contact.WaID, "16505551234")
			eq(t, "sender key", m.SenderKey(), "US.13491208655302741918")
		}},
		{"image", func(t *testing.T, in Inbound) {
			m := in.Message.Media()
			eq(t, "id", m.ID, "1003383421387256")
			eq(t, "caption", m.Caption, "Taj Mahal")
			eq(t, "mime", m.MIMEType, "image/jpeg")
			eq(t, "sha", m.SHA256, "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=")
			if !strings.HasPrefix(m.URL, "https://lookaside.fbsbx.com/") {
				t.Errorf("url = %q", m.URL)
			}
		}},
		{"video", func(t *testing.T, in Inbound) {
			eq(t, "id", in.Message.Video.ID, "765756756")
			eq(t, "caption", in.Message.Video.Caption, "My vacation video")
		}},
		{"audio_voice", func(t *testing.T, in Inbound) {
			a := in.Message.Audio
			eq(t, "voice", a.Voice, true)
			eq(t, "base mime", a.BaseMIMEType(), "audio/ogg")
		}},
		{"document", func(t *testing.T, in Inbound) {
			eq(t, "filename", in.Message.Document.Filename, "receipt.pdf")
			eq(t, "caption", in.Message.Document.Caption, "caption")
		}},
		{"sticker", func(t *testing.T, in Inbound) {
			eq(t, "animated", in.Message.Sticker.Animated, true)
			eq(t, "mime", in.Message.Sticker.MIMEType, "image/webp")
		}},
		{"location_place", func(t *testing.T, in Inbound) {
			l := in.Message.Location
			eq(t, "lat", l.Latitude, 37.44221496582)
			eq(t, "long", l.Longitude, -122.16165924072)
			eq(t, "name", l.Name, "Philz Coffee")
			eq(t, "url", l.URL, "https://philzcoffee.com/")
		}},
		{"location_pin", func(t *testing.T, in Inbound) {
			l := in.Message.Location
			eq(t, "lat", l.Latitude, 12.25089)
			eq(t, "name", l.Name, "")
		}},
		{"contacts", func(t *testing.T, in Inbound) {
			c := in.Message.Contacts[0]
			eq(t, "formatted", c.Name.FormattedName, "Lucía Gómez")
			eq(t, "org", c.Org.Company, "Google")
			eq(t, "phone wa_id", c.Phones[0].WaID, "19835552319")
			eq(t, "email", c.Emails[0].Email, "lucia@example.com")
			eq(t, "zip", c.Addresses[0].Zip, "94025")
			eq(t, "url", c.URLs[0].URL, "https://www.example.com")
			eq(t, "birthday", c.Birthday, "1999-01-23")
		}},
		{"interactive_button_reply", func(t *testing.T, in Inbound) {
			r := in.Message.Interactive
			eq(t, "type", r.Type, InteractiveButtonReply)
			eq(t, "choice id", r.Choice().ID, "cancel-button")
			eq(t, "choice title", r.Choice().Title, "Cancel")
			eq(t, "context id", in.Message.Context.ID, "wamid.OF_YOUR_INTERACTIVE_MESSAGE")
			eq(t, "context from", in.Message.Context.From, "15550783881")
		}},
		{"interactive_list_reply", func(t *testing.T, in Inbound) {
			c := in.Message.Interactive.Choice()
			eq(t, "id", c.ID, "priority_express")
			eq(t, "description", c.Description, "Next Day to 2 Days")
		}},
		{"interactive_nfm_reply", func(t *testing.T, in Inbound) {
			n := in.Message.Interactive.NFMReply
			eq(t, "name", n.Name, "flow")
			eq(t, "flow token", n.FlowToken(), "AQAAAAACS5FpgQ_cAAAAAD0QI3s.")
			var resp map[string]string
			if err := n.DecodeResponse(&resp); err != nil {
				t.Fatal(err)
			}
			eq(t, "cs_rating", resp["cs_rating"], "4")
			if in.Message.Interactive.Choice() != nil {
				t.Error("nfm_reply has no choice")
			}
		}},
		{"interactive_unknown", func(t *testing.T, in Inbound) {
			r := in.Message.Interactive
			eq(t, "type", r.Type, "call_permission_reply")
			var raw struct {
				CPR struct {
					Response string `json:"response"`
				} `json:"call_permission_reply"`
			}
			if err := json.Unmarshal(r.Raw, &raw); err != nil {
				t.Fatal(err)
			}
			eq(t, "raw response", raw.CPR.Response, "accept")
		}},
		{"button", func(t *testing.T, in Inbound) {
			eq(t, "payload", in.Message.Button.Payload, "Unsubscribe")
			eq(t, "text", in.Message.Button.Text, "Unsubscribe")
			eq(t, "context", in.Message.Context.ID, "wamid.OF_YOUR_TEMPLATE")
		}},
		{"reaction", func(t *testing.T, in Inbound) {
			r := in.Message.Reaction
			eq(t, "emoji (decoded from \\u escapes)", r.Emoji, "👍")
			eq(t, "target", r.MessageID, "wamid.OF_THE_MESSAGE_REACTED_TO")
			eq(t, "removed", r.Removed(), false)
		}},
		{"reaction_removed", func(t *testing.T, in Inbound) {
			eq(t, "removed", in.Message.Reaction.Removed(), true)
		}},
		{"reaction_removed_missing_emoji", func(t *testing.T, in Inbound) {
			eq(t, "removed", in.Message.Reaction.Removed(), true)
		}},
		{"order", func(t *testing.T, in Inbound) {
			o := in.Message.Order
			eq(t, "catalog", o.CatalogID, "194836987003835")
			eq(t, "items", len(o.ProductItems), 2)
			eq(t, "qty", o.ProductItems[0].Quantity, 2)
			eq(t, "fractional price", o.ProductItems[1].ItemPrice, 25.5)
			eq(t, "currency", o.ProductItems[1].Currency, "USD")
		}},
		{"referral", func(t *testing.T, in Inbound) {
			r := in.Message.Referral
			eq(t, "source type", r.SourceType, "ad")
			eq(t, "source id", r.SourceID, "120226305854810726")
			eq(t, "media", r.MediaType, "image")
			eq(t, "welcome", r.WelcomeMessage.Text, "Hi there! Let us know how we can help!")
			eq(t, "ctwa", strings.HasPrefix(r.CTWAClid, "Aff-n8Z"), true)
			eq(t, "text", in.Message.Text.Body, "Hello! Can I get more info on this?")
		}},
		{"context_referred_product", func(t *testing.T, in Inbound) {
			p := in.Message.Context.ReferredProduct
			eq(t, "catalog", p.CatalogID, "194836987003835")
			eq(t, "retailer", p.ProductRetailerID, "di9ozbzfi4")
		}},
		{"context_frequently_forwarded", func(t *testing.T, in Inbound) {
			eq(t, "frequently", in.Message.Context.FrequentlyForwarded, true)
			eq(t, "id", in.Message.Context.ID, "")
		}},
		{"unsupported", func(t *testing.T, in Inbound) {
			m := in.Message
			eq(t, "kind", m.Unsupported.Type, "poll")
			eq(t, "code", m.Errors[0].Code, CodeUnsupportedType)
			eq(t, "details", m.Errors[0].Details(), "Message type is currently not supported.")
		}},
		{"unknown_legacy", func(t *testing.T, in Inbound) {
			eq(t, "type", in.Message.Type, TypeUnknown)
			eq(t, "code", in.Message.Errors[0].Code, 131051)
		}},
		{"revoke", func(t *testing.T, in Inbound) {
			eq(t, "original", in.Message.Revoke.OriginalMessageID, "wamid.ORIGINAL")
		}},
		{"edit", func(t *testing.T, in Inbound) {
			e := in.Message.Edit
			eq(t, "original", e.OriginalMessageID, "wamid.ORIGINAL")
			eq(t, "new type", e.Message.Type, TypeText)
			eq(t, "new body", e.Message.Text.Body, "corrected text")
		}},
		{"request_welcome", func(t *testing.T, in Inbound) {
			eq(t, "type", in.Message.Type, TypeRequestWelcome)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tt.check(t, onlyMessage(t, load(t, tt.file)))
		})
	}
}

func TestParseSystemMessages(t *testing.T) {
	tests := []struct {
		file          string
		sysType       string
		newPhone      string
		newUserID     string
		changedNumber bool
	}{
		{"system_user_changed_number", SystemUserChangedNumber, "12195555358", "", true},
		{"system_user_changed_user_id", SystemUserChangedUserID, "", "US.99999999999999999999", false},
		{"system_legacy", "", "12195555358", "", true},
		{"system_identity_changed", SystemCustomerIdentityChanged, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := onlyMessage(t, load(t, tt.file))
			if in.Contact != nil {
				t.Error("system messages carry no contact")
			}
			s := in.Message.System
			eq(t, "system type", s.Type, tt.sysType)
			eq(t, "new phone", s.NewPhone(), tt.newPhone)
			eq(t, "new user id", s.UserID, tt.newUserID)
			eq(t, "changed number", s.ChangedNumber(), tt.changedNumber)
		})
	}
	in := onlyMessage(t, load(t, "system_identity_changed"))
	eq(t, "identity hash", in.Message.Identity.Hash, "Sjvjlx8G6Z0=")
	eq(t, "identity ack", in.Message.Identity.Acknowledged, true)
}

func TestParseUnknownTypeKeepsRaw(t *testing.T) {
	n := load(t, "unknown_new_type")
	in := slices.Collect(n.Messages())[0]
	m := in.Message
	eq(t, "type", m.Type, MessageType("hologram"))
	eq(t, "known", m.Known(), false)
	eq(t, "id", m.ID, "wamid.ID")
	eq(t, "from", m.From, "16505551234")
	if !strings.Contains(string(m.Raw), `"depth": "deep"`) {
		t.Errorf("raw lost the payload: %s", m.Raw)
	}
}

func TestParseMalformedPayloadKeepsMessage(t *testing.T) {
	// A known type with a payload of the wrong shape must not sink the batch:
	// the second message still parses, the first keeps its routing fields.
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
	  "metadata":{"phone_number_id":"9"},
	  "messages":[
	    {"from":"1555","id":"wamid.BAD","timestamp":"1700000000","type":"location","location":{"latitude":"north"}},
	    {"from":"1555","id":"wamid.OK","timestamp":1700000001,"type":"text","text":{"body":"ok"}}]}}]}]}`
	n, err := ParseNotification([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	msgs := slices.Collect(n.Messages())
	eq(t, "count", len(msgs), 2)
	bad := msgs[0].Message
	eq(t, "bad id", bad.ID, "wamid.BAD")
	eq(t, "bad type", bad.Type, TypeLocation)
	eq(t, "bad ts", bad.Timestamp, Timestamp(1700000000))
	eq(t, "bad known", bad.Known(), false)
	if bad.DecodeErr == nil {
		t.Error("DecodeErr not set")
	}
	eq(t, "ok body", msgs[1].Message.Text.Body, "ok")
	eq(t, "integer timestamp", msgs[1].Message.Timestamp, Timestamp(1700000001))
}

func TestParseBSUIDOnly(t *testing.T) {
	n := load(t, "bsuid_only")
	in := onlyMessage(t, n)
	eq(t, "from", in.Message.From, "")
	eq(t, "sender key", in.Message.SenderKey(), "US.ENT.11815799212886844830")
	if in.Contact == nil {
		t.Fatal("contact not matched by user_id")
	}
	eq(t, "username", in.Contact.Profile.Username, "kai.surf")
	eq(t, "wa_id", in.Contact.WaID, "")
	eq(t, "parent", in.Contact.ParentUserID, "US.ENT.11815799212886844830")
	eq(t, "identity hash", in.Contact.IdentityKeyHash, "DF2lS5v2W6x=")
}

func TestParseNotificationRejects(t *testing.T) {
	tests := []struct {
		name, body string
		want       error // nil: any error
	}{
		{"empty", "", nil},
		{"syntax", `{"object":`, nil},
		{"trailing garbage", `{"object":"whatsapp_business_account"} x`, nil},
		{"null", "null", ErrNotNotification},
		{"array", `[{"object":"whatsapp_business_account"}]`, ErrNotNotification},
		{"entry not a list", `{"object":"whatsapp_business_account","entry":{}}`, nil},
		{"messages not a list", `{"entry":[{"changes":[{"field":"messages","value":{"messages":{}}}]}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotification([]byte(tt.body))
			if err == nil {
				t.Fatalf("accepted: %+v", n)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseNotificationToleratesUnknownFields(t *testing.T) {
	body := `{"object":"whatsapp_business_account","future":1,"entry":[{"id":"1","x":[],"changes":[
	  {"field":"messages","value":{"metadata":{"phone_number_id":"9","new":true},"brand_new_list":[1],
	   "messages":[{"id":"wamid.1","timestamp":"1","type":"text","text":{"body":"b","lang":"en"},"extra":{}}]}},
	  {"field":"calls","value":{"calls":[{"id":"c1"}]}},
	  {"field":"messages","value":null}]}]}`
	n, err := ParseNotification([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	msgs := slices.Collect(n.Messages())
	eq(t, "messages", len(msgs), 1)
	eq(t, "body", msgs[0].Message.Text.Body, "b")
	eq(t, "calls raw kept", string(n.Entry[0].Changes[1].RawValue), `{"calls":[{"id":"c1"}]}`)
}

// TestNotificationRoundTrip checks that a notification built from the Go
// types (as the simulator will) encodes to something the parser reads back.
func TestNotificationRoundTrip(t *testing.T) {
	in := Notification{Object: ObjectWhatsAppBusinessAccount, Entry: []Entry{{ID: "1", Changes: []Change{
		{Field: FieldMessages, Value: &Value{MessagingProduct: "whatsapp", Metadata: Metadata{PhoneNumberID: "9"},
			Contacts: []Contact{{Profile: Profile{Name: "Zoë"}, WaID: "1555"}},
			Messages: []Message{{From: "1555", ID: "wamid.X", Timestamp: 1700000000, Type: TypeReaction,
				Reaction: &Reaction{MessageID: "wamid.Y", Emoji: ""}}},
			Statuses: []Status{{ID: "wamid.Z", Status: StatusFailed, Timestamp: 1700000001,
				Errors: []WebhookError{{Code: 131047, Title: "Re-engagement message"}}}}}},
		{Field: "account_update", RawValue: json.RawMessage(`{"event":"X"}`)},
	}}}}
	b, err := MarshalLikeMeta(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"timestamp":"1700000000"`, `"emoji":""`, `Zo\u00eb`, `"value":{"event":"X"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoding lacks %s: %s", want, b)
		}
	}
	out, err := ParseNotification(b)
	if err != nil {
		t.Fatal(err)
	}
	m := slices.Collect(out.Messages())[0]
	eq(t, "contact", m.Contact.Profile.Name, "Zoë")
	eq(t, "reaction removed", m.Message.Reaction.Removed(), true)
	st := slices.Collect(out.Statuses())[0]
	eq(t, "window closed", IsWindowClosed(st.Status.Error()), true)
}

func FuzzParseNotification(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"x","timestamp":1e99}]}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body)
		if err != nil {
			return
		}
		// Walking and using every helper must not panic either.
		for in := range n.Messages() {
			m := in.Message
			_ = m.Known()
			_ = m.Media()
			_ = m.SenderKey()
			_ = m.Timestamp.Time()
			if m.Interactive != nil {
				_ = m.Interactive.Choice()
				if m.Interactive.NFMReply != nil {
					_ = m.Interactive.NFMReply.FlowToken()
				}
			}
			if m.System != nil {
				_ = m.System.NewPhone()
			}
		}
		for su := range n.Statuses() {
			_ = su.Status.Error()
		}
		for ve := range n.Errors() {
			_ = ve.Error.Err().Error()
		}
		for _, c := range n.Changes() {
			_, _ = c.TemplateStatusUpdate()
			_, _ = c.QualityUpdate()
		}
	})
}
