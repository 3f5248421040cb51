package whatsapp

import (
	"net/http"
	"slices"
	"testing"
)

// The two pages reproduce the §6.3 example split across a cursor.
var templatePages = map[string]string{
	"": `{ "data": [
	    { "name": "hello_world", "parameter_format": "POSITIONAL",
	      "components": [
	        { "type": "HEADER", "format": "TEXT", "text": "Hello World" },
	        { "type": "BODY", "text": "Welcome and congratulations!! This message demonstrates your ability to send a message notification from WhatsApp Business Platform's Cloud API. Thank you for taking the time to test with us." },
	        { "type": "FOOTER", "text": "WhatsApp Business API Team" } ],
	      "language": "en_US", "status": "APPROVED", "category": "MARKETING", "id": "1192339204654487" } ],
	  "paging": { "cursors": { "before": "MAZDZD", "after": "MjQZD" },
	              "next": "https://graph.facebook.com/v26.0/waba/message_templates?after=MjQZD" } }`,
	"MjQZD": `{ "data": [
	    { "name": "2023_april_promo",
	      "components": [
	        { "type": "HEADER", "format": "TEXT", "text": "Fall Sale" },
	        { "type": "BODY", "text": "Hi {{1}}, our Fall Sale is on! Use promo code {{2}} Get an extra 25% off every order above $350!",
	          "example": { "body_text": [ [ "Mark", "FALL25" ] ] } },
	        { "type": "FOOTER", "text": "Not interested in any of our sales? Tap Stop Promotions" },
	        { "type": "BUTTONS", "buttons": [ { "type": "QUICK_REPLY", "text": "Stop promotions" } ] } ],
	      "language": "en_US", "status": "APPROVED", "category": "MARKETING", "id": "920070352646140" } ],
	  "paging": { "cursors": { "before": "MAZDZD", "after": "MjQZD" } } }`,
}

func TestListTemplates(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/v26.0/waba/message_templates" || q.Get("status") != "APPROVED" || q.Get("language") != "en_US" || q.Has("name") {
			t.Errorf("request %s", r.URL)
		}
		if got := q.Get("fields"); got != "id,name,language,status,category,parameter_format,components" {
			t.Errorf("fields = %q", got)
		}
		reply(w, 200, templatePages[q.Get("after")])
	})
	got, err := c.ListTemplates(ctx, "waba", &TemplateFilter{Status: "APPROVED", Language: "en_US"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d templates", len(got))
	}
	hello, promo := got[0], got[1]
	eq(t, "hello id", hello.ID, "1192339204654487")
	eq(t, "hello sendable", hello.Sendable(), true)
	eq(t, "hello header", hello.HeaderFormat(), "TEXT")
	eq(t, "hello vars", hello.BodyVariables().Count(), 0)
	eq(t, "promo vars", promo.BodyVariables().Count(), 2)
	eq(t, "promo named", promo.BodyVariables().Named, false)
	eq(t, "promo buttons", len(promo.Buttons()), 1)
	eq(t, "promo button type", promo.Buttons()[0].Type, "QUICK_REPLY")
	eq(t, "promo example kept", len(promo.Component("body").Example) > 0, true)
}

func TestTemplateVariables(t *testing.T) {
	tests := []struct {
		name, text, format string
		named              bool
		names              []string
	}{
		{"none", "Hello there", "", false, nil},
		{"positional", "Hi {{1}}, code {{2}}", "POSITIONAL", false, []string{"1", "2"}},
		{"positional repeated and out of order", "{{2}} then {{1}} and {{2}} again", "", false, []string{"1", "2"}},
		{"positional gap counts to highest", "{{1}} and {{3}}", "", false, []string{"1", "2", "3"}},
		{"named", "Hi {{first_name}}, order {{order_id}} for {{first_name}}", "NAMED", true, []string{"first_name", "order_id"}},
		{"named inferred", "Hi {{first_name}}", "", true, []string{"first_name"}},
		{"spaces inside braces", "Hi {{ 1 }}", "", false, []string{"1"}},
		{"not a placeholder", "{single} {{}} {{a-b}}", "", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ParseVariables(tt.text, tt.format)
			eq(t, "named", v.Named, tt.named)
			if !slices.Equal(v.Names, tt.names) {
				t.Errorf("names = %q, want %q", v.Names, tt.names)
			}
		})
	}
}

func TestTemplateHelpers(t *testing.T) {
	tm := Template{Status: "PAUSED", ParameterFormat: "NAMED", Components: []TemplateComponent{
		{Type: "HEADER", Format: "document"},
		{Type: "BODY", Text: "Dear {{name}}"},
		{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "URL", URL: "https://x/{{1}}"}, {Type: "COPY_CODE"}}},
	}}
	eq(t, "sendable", tm.Sendable(), false)
	eq(t, "media header", tm.HeaderFormat(), "DOCUMENT")
	eq(t, "no text header vars", tm.HeaderVariables().Count(), 0)
	eq(t, "body named", tm.BodyVariables().Names[0], "name")
	eq(t, "buttons", len(tm.Buttons()), 2)
	empty := Template{}
	eq(t, "no header", empty.HeaderFormat(), "")
	eq(t, "no buttons", len(empty.Buttons()), 0)
	eq(t, "no body", empty.BodyVariables().Count(), 0)
}
