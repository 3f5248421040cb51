package whatsapp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
)

// sendRecorder serves POST /v26.0/PHONE/messages, records the body, and
// answers with the reference's success response.
func sendRecorder(t *testing.T, body *[]byte, response string) *Client {
	t.Helper()
	return newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v26.0/106540352242922/messages" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("Authorization = %q", got)
		}
		*body, _ = io.ReadAll(r.Body)
		reply(w, 200, response)
	})
}

const okResponse = `{ "messaging_product": "whatsapp",
  "contacts": [ { "input": "16505551234", "wa_id": "16505551234" } ],
  "messages": [ { "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA" } ] }`

const phoneID = "106540352242922"

// Each case sends through a helper and expects the body shown in the
// reference (§4.2–4.10).
func TestSendShapes(t *testing.T) {
	to := "16505551234"
	tests := []struct {
		name string
		send func(c *Client) (*SendResponse, error)
		want string
	}{
		{"text with preview", func(c *Client) (*SendResponse, error) {
			return c.SendText(ctx, phoneID, to, "Please visit https://youtu.be/hpltvTEiRrY.", &SendOptions{PreviewURL: true})
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "text",
		      "text": { "body": "Please visit https://youtu.be/hpltvTEiRrY.", "preview_url": true } }`},
		{"text reply with context", func(c *Client) (*SendResponse, error) {
			return c.SendText(ctx, phoneID, to, "Thanks, we are checking your order.", &SendOptions{ReplyTo: "wamid.MESSAGE_BEING_REPLIED_TO"})
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "text",
		      "context": { "message_id": "wamid.MESSAGE_BEING_REPLIED_TO" },
		      "text": { "body": "Thanks, we are checking your order." } }`},
		{"text to BSUID with opaque data", func(c *Client) (*SendResponse, error) {
			return c.SendText(ctx, phoneID, "US.13491208655302741918", "hi", &SendOptions{BizOpaqueCallbackData: "msg-42"})
		}, `{ "messaging_product": "whatsapp", "recipient": "US.13491208655302741918", "type": "text",
		      "biz_opaque_callback_data": "msg-42", "text": { "body": "hi" } }`},
		{"image by id with caption", func(c *Client) (*SendResponse, error) {
			return c.SendMedia(ctx, phoneID, to, TypeImage, MediaObject{ID: "1013859600285441", Caption: "The best succulent ever?"}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "image",
		      "image": { "id": "1013859600285441", "caption": "The best succulent ever?" } }`},
		{"video by link", func(c *Client) (*SendResponse, error) {
			return c.SendMedia(ctx, phoneID, to, TypeVideo, MediaObject{Link: "https://example.com/clip.mp4", Caption: "How to assemble"}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "video",
		      "video": { "link": "https://example.com/clip.mp4", "caption": "How to assemble" } }`},
		{"audio", func(c *Client) (*SendResponse, error) {
			return c.SendMedia(ctx, phoneID, to, TypeAudio, MediaObject{ID: "4490709327384033"}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "audio", "audio": { "id": "4490709327384033" } }`},
		{"document with filename", func(c *Client) (*SendResponse, error) {
			return c.SendMedia(ctx, phoneID, to, TypeDocument, MediaObject{ID: "4490709327384033", Filename: "invoice-4711.pdf", Caption: "Your invoice"}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "document",
		      "document": { "id": "4490709327384033", "filename": "invoice-4711.pdf", "caption": "Your invoice" } }`},
		{"sticker", func(c *Client) (*SendResponse, error) {
			return c.SendMedia(ctx, phoneID, to, TypeSticker, MediaObject{ID: "4490709327384033"}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "sticker", "sticker": { "id": "4490709327384033" } }`},
		{"location", func(c *Client) (*SendResponse, error) {
			return c.SendLocation(ctx, phoneID, to, Location{Latitude: 37.758056, Longitude: -122.425332, Name: "META HQ",
				Address: "1 Hacker Way, Menlo Park, CA 94025"}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "location",
		      "location": { "latitude": 37.758056, "longitude": -122.425332, "name": "META HQ",
		                    "address": "1 Hacker Way, Menlo Park, CA 94025" } }`},
		{"contacts", func(c *Client) (*SendResponse, error) {
			return c.SendContacts(ctx, phoneID, to, []ContactCard{{
				Name:      ContactName{FormattedName: "John Smith", FirstName: "John", LastName: "Smith"},
				Phones:    []ContactPhone{{Phone: "+1 (650) 555-1234", Type: "WORK", WaID: "16505551234"}},
				Emails:    []ContactEmail{{Email: "test@whatsapp.com", Type: "WORK"}},
				Org:       &ContactOrg{Company: "WhatsApp", Department: "Design", Title: "Manager"},
				URLs:      []ContactURL{{URL: "https://www.whatsapp.com", Type: "WORK"}},
				Addresses: []ContactAddress{{Street: "1 Hacker Way", City: "Menlo Park", State: "CA", Zip: "94025", Country: "United States", CountryCode: "us", Type: "WORK"}},
				Birthday:  "2012-08-18",
			}}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "contacts",
		      "contacts": [ {
		        "name": { "formatted_name": "John Smith", "first_name": "John", "last_name": "Smith" },
		        "phones": [ { "phone": "+1 (650) 555-1234", "type": "WORK", "wa_id": "16505551234" } ],
		        "emails": [ { "email": "test@whatsapp.com", "type": "WORK" } ],
		        "org": { "company": "WhatsApp", "department": "Design", "title": "Manager" },
		        "urls": [ { "url": "https://www.whatsapp.com", "type": "WORK" } ],
		        "addresses": [ { "street": "1 Hacker Way", "city": "Menlo Park", "state": "CA", "zip": "94025",
		                         "country": "United States", "country_code": "us", "type": "WORK" } ],
		        "birthday": "2012-08-18" } ] }`},
		{"reaction", func(c *Client) (*SendResponse, error) {
			return c.SendReaction(ctx, phoneID, to, "wamid.HBgLM...", "😀")
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "reaction",
		      "reaction": { "message_id": "wamid.HBgLM...", "emoji": "😀" } }`},
		{"reaction removal keeps empty emoji", func(c *Client) (*SendResponse, error) {
			return c.SendReaction(ctx, phoneID, to, "wamid.HBgLM...", "")
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "reaction",
		      "reaction": { "message_id": "wamid.HBgLM...", "emoji": "" } }`},
		{"interactive reply buttons", func(c *Client) (*SendResponse, error) {
			in := NewReplyButtons("Do you want to cancel this order?", Choice{ID: "cancel-yes", Title: "Yes, cancel"}, Choice{ID: "cancel-no", Title: "No"})
			in.Header = &InteractiveHeader{Type: "text", Text: "Order #4711"}
			in.Footer = &InteractiveText{Text: "Acme Support"}
			return c.SendInteractive(ctx, phoneID, to, in, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "interactive",
		      "interactive": { "type": "button",
		        "header": { "type": "text", "text": "Order #4711" },
		        "body": { "text": "Do you want to cancel this order?" },
		        "footer": { "text": "Acme Support" },
		        "action": { "buttons": [
		          { "type": "reply", "reply": { "id": "cancel-yes", "title": "Yes, cancel" } },
		          { "type": "reply", "reply": { "id": "cancel-no", "title": "No" } } ] } } }`},
		{"interactive list", func(c *Client) (*SendResponse, error) {
			in := NewList("Choose a shipping speed", "Choose",
				ListSection{Title: "Express", Rows: []Choice{{ID: "priority_express", Title: "Priority Mail Express", Description: "Next Day to 2 Days"}}},
				ListSection{Title: "Standard", Rows: []Choice{{ID: "ground", Title: "Ground", Description: "3 to 5 days"}}})
			in.Header = &InteractiveHeader{Type: "text", Text: "Shipping options"}
			in.Footer = &InteractiveText{Text: "Prices include tax"}
			return c.SendInteractive(ctx, phoneID, to, in, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "interactive",
		      "interactive": { "type": "list",
		        "header": { "type": "text", "text": "Shipping options" },
		        "body": { "text": "Choose a shipping speed" },
		        "footer": { "text": "Prices include tax" },
		        "action": { "button": "Choose", "sections": [
		            { "title": "Express", "rows": [
		              { "id": "priority_express", "title": "Priority Mail Express", "description": "Next Day to 2 Days" } ] },
		            { "title": "Standard", "rows": [
		              { "id": "ground", "title": "Ground", "description": "3 to 5 days" } ] } ] } } }`},
		{"interactive cta_url", func(c *Client) (*SendResponse, error) {
			in := NewCTAURL("Tap the button to see live tracking.", "Track", "https://example.com/track?id=4711")
			in.Header = &InteractiveHeader{Type: "text", Text: "Track your parcel"}
			in.Footer = &InteractiveText{Text: "Acme Logistics"}
			return c.SendInteractive(ctx, phoneID, to, in, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "interactive",
		      "interactive": { "type": "cta_url",
		        "header": { "type": "text", "text": "Track your parcel" },
		        "body": { "text": "Tap the button to see live tracking." },
		        "footer": { "text": "Acme Logistics" },
		        "action": { "name": "cta_url", "parameters": { "display_text": "Track", "url": "https://example.com/track?id=4711" } } } }`},
		{"template hello_world", func(c *Client) (*SendResponse, error) {
			return c.SendTemplate(ctx, phoneID, to, &TemplateMessage{Name: "hello_world", Language: TemplateLanguage{Code: "en_US"}}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "template",
		      "template": { "name": "hello_world", "language": { "code": "en_US" } } }`},
		{"template with document header, body params and buttons", func(c *Client) (*SendResponse, error) {
			m := NewMessage(to, TypeTemplate, nil)
			m.RecipientType = "individual"
			m.Template = &TemplateMessage{Name: "order_confirmation", Language: TemplateLanguage{Code: "en_US", Policy: "deterministic"},
				Components: []TemplateParamsSet{
					HeaderParams(MediaParam(TypeDocument, MediaObject{Link: "https://example.com/r/4711.pdf", Filename: "receipt.pdf"})),
					BodyParams(TextParam("Mark"), TextParam("860198-230332"), CurrencyParam("$100.99", "USD", 100990), DateTimeParam("February 25, 1977")),
					QuickReplyButton(0, "STOP_PROMOS"),
					URLButton(1, "4711"),
				}}
			return c.SendMessage(ctx, phoneID, m)
		}, `{ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "template",
		      "template": {
		        "name": "order_confirmation",
		        "language": { "code": "en_US", "policy": "deterministic" },
		        "components": [
		          { "type": "header", "parameters": [
		              { "type": "document", "document": { "link": "https://example.com/r/4711.pdf", "filename": "receipt.pdf" } } ] },
		          { "type": "body", "parameters": [
		              { "type": "text", "text": "Mark" },
		              { "type": "text", "text": "860198-230332" },
		              { "type": "currency", "currency": { "fallback_value": "$100.99", "code": "USD", "amount_1000": 100990 } },
		              { "type": "date_time", "date_time": { "fallback_value": "February 25, 1977" } } ] },
		          { "type": "button", "sub_type": "quick_reply", "index": "0",
		            "parameters": [ { "type": "payload", "payload": "STOP_PROMOS" } ] },
		          { "type": "button", "sub_type": "url", "index": "1",
		            "parameters": [ { "type": "text", "text": "4711" } ] } ] } }`},
		{"template with named params, text header and copy code", func(c *Client) (*SendResponse, error) {
			return c.SendTemplate(ctx, phoneID, to, &TemplateMessage{Name: "coupon", Language: TemplateLanguage{Code: "en"},
				Components: []TemplateParamsSet{
					HeaderParams(TextParam("Summer")),
					BodyParams(NamedParam("first_name", "Jessica")),
					CopyCodeButton(0, "SAVE25"),
				}}, nil)
		}, `{ "messaging_product": "whatsapp", "to": "16505551234", "type": "template",
		      "template": { "name": "coupon", "language": { "code": "en" }, "components": [
		        { "type": "header", "parameters": [ { "type": "text", "text": "Summer" } ] },
		        { "type": "body", "parameters": [ { "type": "text", "parameter_name": "first_name", "text": "Jessica" } ] },
		        { "type": "button", "sub_type": "copy_code", "index": "0",
		          "parameters": [ { "type": "coupon_code", "coupon_code": "SAVE25" } ] } ] } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			c := sendRecorder(t, &body, okResponse)
			resp, err := tt.send(c)
			if err != nil {
				t.Fatal(err)
			}
			jsonEqual(t, body, tt.want)
			eq(t, "message id", resp.MessageID(), "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA")
		})
	}
}

var ctx = context.Background()

func TestSendResponses(t *testing.T) {
	tests := []struct {
		name, body          string
		waID, userID, input string
		status              string
	}{
		{"phone", `{ "messaging_product": "whatsapp", "contacts": [ { "input": "+1-631-555-5555", "wa_id": "16315555555" } ],
		  "messages": [ { "id": "wamid.A" } ] }`, "16315555555", "", "+1-631-555-5555", ""},
		{"bsuid", `{ "messaging_product": "whatsapp", "contacts": [ { "input": "US.13491208655302741918", "user_id": "US.13491208655302741918" } ],
		  "messages": [ { "id": "wamid.A" } ] }`, "", "US.13491208655302741918", "US.13491208655302741918", ""},
		{"template held", `{ "messaging_product": "whatsapp", "contacts": [ { "input": "1", "wa_id": "1" } ],
		  "messages": [ { "id": "wamid.A", "message_status": "held_for_quality_assessment" } ] }`, "1", "", "1", "held_for_quality_assessment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			c := sendRecorder(t, &body, tt.body)
			resp, err := c.SendText(ctx, phoneID, tt.input, "x", nil)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "wa_id", resp.WaID(), tt.waID)
			eq(t, "user_id", resp.Contacts[0].UserID, tt.userID)
			eq(t, "input", resp.Contacts[0].Input, tt.input)
			eq(t, "message_status", resp.Messages[0].MessageStatus, tt.status)
			eq(t, "id", resp.MessageID(), "wamid.A")
		})
	}
}

func TestMarkReadAndTyping(t *testing.T) {
	const wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA="
	var body []byte
	c := sendRecorder(t, &body, `{ "success": true }`)
	if err := c.MarkRead(ctx, phoneID, wamid); err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, body, `{ "messaging_product": "whatsapp", "status": "read", "message_id": "`+wamid+`" }`)
	if err := c.SendTypingIndicator(ctx, phoneID, wamid); err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, body, `{ "messaging_product": "whatsapp", "status": "read", "message_id": "`+wamid+`",
	  "typing_indicator": { "type": "text" } }`)
	if err := c.MarkRead(ctx, phoneID, ""); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("empty id: %v", err)
	}
}

func TestSendRejectsInvalidMessagesLocally(t *testing.T) {
	long := make([]byte, 513)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name string
		m    OutgoingMessage
	}{
		{"no recipient", OutgoingMessage{Type: TypeText, Text: &Text{Body: "x"}}},
		{"no type", OutgoingMessage{To: "1"}},
		{"unknown type", OutgoingMessage{To: "1", Type: "poll"}},
		{"type without payload", OutgoingMessage{To: "1", Type: TypeImage}},
		{"empty text", OutgoingMessage{To: "1", Type: TypeText, Text: &Text{}}},
		{"media with id and link", OutgoingMessage{To: "1", Type: TypeImage, Image: &MediaObject{ID: "1", Link: "https://x"}}},
		{"media with neither", OutgoingMessage{To: "1", Type: TypeImage, Image: &MediaObject{Caption: "c"}}},
		{"audio caption", OutgoingMessage{To: "1", Type: TypeAudio, Audio: &MediaObject{ID: "1", Caption: "c"}}},
		{"sticker caption", OutgoingMessage{To: "1", Type: TypeSticker, Sticker: &MediaObject{ID: "1", Caption: "c"}}},
		{"image filename", OutgoingMessage{To: "1", Type: TypeImage, Image: &MediaObject{ID: "1", Filename: "a.jpg"}}},
		{"contact without name", OutgoingMessage{To: "1", Type: TypeContacts, Contacts: []ContactCard{{Birthday: "2000-01-01"}}}},
		{"template without language", OutgoingMessage{To: "1", Type: TypeTemplate, Template: &TemplateMessage{Name: "x"}}},
		{"reaction without target", OutgoingMessage{To: "1", Type: TypeReaction, Reaction: &Reaction{Emoji: "x"}}},
		{"opaque data too long", OutgoingMessage{To: "1", Type: TypeText, Text: &Text{Body: "x"}, BizOpaqueCallbackData: string(long)}},
	}
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("invalid message reached the server")
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SendMessage(ctx, phoneID, &tt.m)
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v", err)
			}
			eq(t, "retryable", IsRetryable(err), false)
		})
	}
	if _, err := c.SendMedia(ctx, phoneID, "1", TypeText, MediaObject{ID: "1"}, nil); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("SendMedia(text) = %v", err)
	}
}

func TestIsBSUID(t *testing.T) {
	for id, want := range map[string]bool{
		"US.13491208655302741918":     true,
		"US.ENT.11815799212886844830": true,
		"16505551234":                 false,
		"+1 (650) 555-1234":           false,
		"us.123":                      false,
		"":                            false,
		"US.":                         false,
	} {
		eq(t, id, IsBSUID(id), want)
	}
}
