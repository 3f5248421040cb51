package helpdesk_test

import (
	"encoding/json"
	"errors"
	"testing"

	"wadesk/internal/helpdesk"
)

func template(format, components string) *helpdesk.Template {
	return &helpdesk.Template{Name: "t", Language: "en", Status: "APPROVED", ParameterFormat: format, Components: json.RawMessage(components)}
}

const (
	orderUpdate = `[{"type":"BODY","text":"Hi {{1}}, your order {{2}} has shipped."},
		{"type":"BUTTONS","buttons":[{"type":"URL","text":"Track","url":"https://example.com/track/{{1}}"},{"type":"QUICK_REPLY","text":"Stop"}]}]`
	named       = `[{"type":"BODY","text":"Hello {{first_name}}, ticket {{ticket_id}} is waiting."}]`
	docHeader   = `[{"type":"HEADER","format":"DOCUMENT"},{"type":"BODY","text":"Invoice {{1}}"}]`
	textHeader  = `[{"type":"HEADER","format":"TEXT","text":"Order {{1}}"},{"type":"BODY","text":"Thanks"}]`
	locationHdr = `[{"type":"HEADER","format":"LOCATION"},{"type":"BODY","text":"Here"}]`
)

// CheckTemplate refuses exactly the sends Meta would refuse for their
// parameters, naming the field, and renders the body of the valid ones.
func TestCheckTemplate(t *testing.T) {
	url := []helpdesk.TemplateButtonParam{{Index: 0, Type: "url", Value: "4711"}}
	cases := []struct {
		name     string
		tpl      *helpdesk.Template
		send     helpdesk.TemplateSend
		field    string // "" for valid
		rendered string
	}{
		{"positional with URL button → ok", template("POSITIONAL", orderUpdate),
			helpdesk.TemplateSend{Params: []string{"Ada", "4711"}, Buttons: url}, "", "Hi Ada, your order 4711 has shipped."},
		{"one parameter too few → template.params", template("POSITIONAL", orderUpdate),
			helpdesk.TemplateSend{Params: []string{"Ada"}, Buttons: url}, "template.params", ""},
		{"one parameter too many → template.params", template("POSITIONAL", orderUpdate),
			helpdesk.TemplateSend{Params: []string{"Ada", "1", "2"}, Buttons: url}, "template.params", ""},
		{"required URL button missing → template.buttons", template("POSITIONAL", orderUpdate),
			helpdesk.TemplateSend{Params: []string{"Ada", "4711"}}, "template.buttons", ""},
		{"button type mismatch → type field", template("POSITIONAL", orderUpdate),
			helpdesk.TemplateSend{Params: []string{"Ada", "4711"}, Buttons: []helpdesk.TemplateButtonParam{{Index: 0, Type: "copy_code", Value: "x"}}}, "template.buttons.0.type", ""},
		{"button index out of range → index field", template("POSITIONAL", orderUpdate),
			helpdesk.TemplateSend{Params: []string{"Ada", "4711"}, Buttons: append(url, helpdesk.TemplateButtonParam{Index: 5, Type: "url", Value: "x"})}, "template.buttons.1.index", ""},
		{"newline in a parameter → that parameter", template("POSITIONAL", orderUpdate),
			helpdesk.TemplateSend{Params: []string{"Ada\nLovelace", "4711"}, Buttons: url}, "template.params.0", ""},
		{"named → ok", template("NAMED", named),
			helpdesk.TemplateSend{Named: map[string]string{"first_name": "Ada", "ticket_id": "10001"}}, "", "Hello Ada, ticket 10001 is waiting."},
		{"named, one missing → that name", template("NAMED", named),
			helpdesk.TemplateSend{Named: map[string]string{"first_name": "Ada"}}, "template.params.ticket_id", ""},
		{"named, an unknown name → that name", template("NAMED", named),
			helpdesk.TemplateSend{Named: map[string]string{"first_name": "Ada", "ticket_id": "1", "extra": "x"}}, "template.params.extra", ""},
		{"named given an array → template.params", template("NAMED", named),
			helpdesk.TemplateSend{Params: []string{"Ada", "1"}}, "template.params", ""},
		{"document header from an attachment → ok", template("POSITIONAL", docHeader),
			helpdesk.TemplateSend{Params: []string{"1"}, Header: &helpdesk.TemplateHeaderParam{Type: "document", AttachmentID: 7}}, "", "Invoice 1"},
		{"document header missing → template.header", template("POSITIONAL", docHeader),
			helpdesk.TemplateSend{Params: []string{"1"}}, "template.header", ""},
		{"image given for a document header → header type", template("POSITIONAL", docHeader),
			helpdesk.TemplateSend{Params: []string{"1"}, Header: &helpdesk.TemplateHeaderParam{Type: "image", AttachmentID: 7}}, "template.header.type", ""},
		{"text header parameter → ok", template("POSITIONAL", textHeader),
			helpdesk.TemplateSend{Header: &helpdesk.TemplateHeaderParam{Type: "text", Text: "4711"}}, "", "Thanks"},
		{"header on a template without one → template.header", template("POSITIONAL", `[{"type":"BODY","text":"Hi"}]`),
			helpdesk.TemplateSend{Header: &helpdesk.TemplateHeaderParam{Type: "text", Text: "x"}}, "template.header", ""},
		{"location header → refused", template("POSITIONAL", locationHdr), helpdesk.TemplateSend{}, "template.header", ""},
		{"paused template → template.name", &helpdesk.Template{Name: "t", Language: "en", Status: "PAUSED", Components: json.RawMessage(named)},
			helpdesk.TemplateSend{}, "template.name", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := helpdesk.CheckTemplate(tt.tpl, &tt.send)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got != tt.rendered {
					t.Fatalf("rendered %q, want %q", got, tt.rendered)
				}
				return
			}
			var he *helpdesk.Error
			if !errors.As(err, &he) || he.Code != helpdesk.ECodeInvalid || he.Fields[tt.field] == "" {
				t.Fatalf("error %v, want invalid_request naming %q", err, tt.field)
			}
		})
	}
}

// CheckUpload applies WhatsApp's media types, sizes and the caption rule.
func TestCheckUpload(t *testing.T) {
	cases := []struct {
		name    string
		mime    string
		size    int64
		caption string
		field   string
	}{
		{"jpeg with caption → ok", "image/jpeg", 1000, "look", ""},
		{"png with charset parameter → ok", "image/png; foo=bar", 1000, "", ""},
		{"pdf of 100 MB → ok", "application/pdf", 100 << 20, "invoice", ""},
		{"image over 5 MB → file", "image/jpeg", 5<<20 + 1, "", "file"},
		{"video over 16 MB → file", "video/mp4", 16<<20 + 1, "", "file"},
		{"gif → file", "image/gif", 10, "", "file"},
		{"empty file → file", "image/png", 0, "", "file"},
		{"caption on audio → text", "audio/ogg", 10, "hear", "text"},
		{"caption on a sticker → text", "image/webp", 10, "hi", "text"},
		{"caption over 1024 → text", "image/png", 10, string(make([]byte, 1025)), "text"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			err := helpdesk.CheckUpload(tt.mime, tt.size, tt.caption)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var he *helpdesk.Error
			if !errors.As(err, &he) || he.Fields[tt.field] == "" {
				t.Fatalf("error %v, want one naming %q", err, tt.field)
			}
		})
	}
}
