package helpdesk

import (
	"encoding/json"
	"errors"
	"testing"
)

// An uploaded file becomes a template's media header only if the template
// has one of its kind; every refusal names the field.
func TestUploadedHeader(t *testing.T) {
	tpl := func(format string) *Template {
		comps := `[{"type":"BODY","text":"Invoice {{1}}"}]`
		if format != "" {
			comps = `[{"type":"HEADER","format":"` + format + `"},{"type":"BODY","text":"Invoice {{1}}"}]`
		}
		return &Template{Name: "t", Language: "en", Status: "APPROVED", Components: json.RawMessage(comps)}
	}
	pdf := &Upload{Filename: "i.pdf", MIMEType: "application/pdf", Size: 100, SHA256: "ab"}
	png := &Upload{Filename: "p.png", MIMEType: "image/png", Size: 100, SHA256: "cd"}
	cases := []struct {
		name   string
		format string
		header *TemplateHeaderParam
		up     *Upload
		field  string // "" when accepted
	}{
		{"PDF for a document header, type omitted → ok", "DOCUMENT", nil, pdf, ""},
		{"PNG for an image header, type given → ok", "IMAGE", &TemplateHeaderParam{Type: "image"}, png, ""},
		{"PNG for a document header → file", "DOCUMENT", nil, png, "file"},
		{"Word file for a document header → file (PDF only)", "DOCUMENT", nil,
			&Upload{MIMEType: "application/msword", Size: 100}, "file"},
		{"PDF for an image header → file", "IMAGE", nil, pdf, "file"},
		{"image larger than 5 MB → file", "IMAGE", nil, &Upload{MIMEType: "image/jpeg", Size: 6 << 20}, "file"},
		{"header type not the template's → template.header.type", "IMAGE", &TemplateHeaderParam{Type: "video"}, png, "template.header.type"},
		{"both a file and attachment_id → template.header.attachment_id", "DOCUMENT",
			&TemplateHeaderParam{Type: "document", AttachmentID: 7}, pdf, "template.header.attachment_id"},
		{"a template without a header → file", "", nil, pdf, "file"},
		{"a text header → file", "TEXT", nil, pdf, "file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := &TemplateSend{Name: "t", Language: "en", Params: []string{"1"}, Header: c.header}
			err := uploadedHeader(tpl(c.format), ts, c.up)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if ts.Header == nil || !ts.Header.Uploaded || ts.Header.Type != MediaKind(c.up.MIMEType) {
					t.Fatalf("header %+v, want the uploaded %s", ts.Header, MediaKind(c.up.MIMEType))
				}
				if _, err := CheckTemplate(tpl(c.format), ts); err != nil {
					t.Fatalf("CheckTemplate after the upload: %v", err)
				}
				return
			}
			var he *Error
			if !errors.As(err, &he) || he.Code != ECodeInvalid || he.Fields[c.field] == "" {
				t.Fatalf("error %v, want invalid_request naming %s", err, c.field)
			}
		})
	}
}
