package outbound_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// headerFile is one file part of a multipart template send.
type headerFile struct {
	name, ctype string
	data        []byte
}

// postForm posts a multipart form (fields, then the file if any) with the
// admin token and returns status and body.
func postForm(t *testing.T, e *apptest.Env, path string, fields map[string]string, f *headerFile) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if f != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, f.name))
		h.Set("Content-Type", f.ctype)
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(f.data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.BaseURL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.AdminToken)
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// simMediaSHA256 asks the simulator's Graph API for an uploaded media id's
// sha256 (hex), as Meta would answer GET /{media_id}.
func simMediaSHA256(t *testing.T, e *apptest.Env, mediaID string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", e.SimURL+"/v26.0/"+mediaID, nil)
	req.Header.Set("Authorization", "Bearer "+e.Seed.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		SHA256 string `json:"sha256"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET media %s: %d %v", mediaID, resp.StatusCode, err)
	}
	return v.SHA256
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// A template's image header sent as a file with the request, outside the
// window: the file is uploaded to the simulator and the template's header
// parameter is that media id. Files that do not fit the template's header
// are refused with the field named, and nothing is uploaded or sent.
func TestTemplateMediaHeaderFromAFile(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		if _, err := e.Sim.AddTemplate(sim.Template{WABAID: e.Seed.WABAID, Name: "product_photo", Language: "en_US",
			Status: "APPROVED", Category: "MARKETING", Components: []sim.TemplateComponent{
				{Type: "HEADER", Format: "IMAGE"}, {Type: "BODY", Text: "Here is {{1}}"}}}); err != nil {
			t.Fatal(err)
		}
		ch := newChannel(t, e, nil)
		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		syncTemplates(t, e, ch)
		closeWindow(t, e, c.ticketID)
		msgPath := fmt.Sprintf("/api/v1/tickets/%d/messages", c.ticketID)
		photo := map[string]any{"name": "product_photo", "language": "en_US", "params": []string{"the lamp"}}
		png := &headerFile{"lamp.png", "image/png", pngBytes}

		code, out := postForm(t, e, msgPath, map[string]string{"template": jsonText(t, photo)}, png)
		if code != http.StatusAccepted {
			t.Fatalf("template with an image header file: %d %s", code, out)
		}
		id := jsonInt(t, out, "id")
		m := c.waitStatus(t, id, 10*time.Second, "accepted", "failed")
		if m.Status != "accepted" {
			t.Fatalf("template message %s: %+v", m.Status, m.Error)
		}
		if m.Type != "template" || len(m.Attachments) != 1 || m.Attachments[0].MIMEType != "image/png" {
			t.Fatalf("message %+v, want a template with its png attachment", m)
		}
		uploads := e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/media"})
		if len(uploads) != 1 || uploads[0].Status != http.StatusOK {
			t.Fatalf("uploads: %+v", uploads)
		}
		b := sendsFor(e, id)[0]
		mediaID, _ := path(b, "template.components.0.parameters.0.image.id").(string)
		if path(b, "template.components.0.type") != "header" || path(b, "template.components.0.parameters.0.type") != "image" ||
			mediaID == "" || path(b, "template.components.0.parameters.0.image.link") != nil {
			t.Fatalf("send body %v, want the image header by media id", b)
		}
		if got := simMediaSHA256(t, e, mediaID); got != sha256Hex(pngBytes) {
			t.Fatalf("media %s has sha256 %s, want the uploaded file's %s", mediaID, got, sha256Hex(pngBytes))
		}

		invoice := map[string]any{"name": "invoice_ready", "language": "en_US", "params": []string{"INV-1"}}
		withHeader := func(tpl map[string]any, h map[string]any) map[string]any {
			out := map[string]any{"header": h}
			for k, v := range tpl {
				out[k] = v
			}
			return out
		}
		pdf := pdfAttachment(t, e, c)
		for _, bad := range []struct {
			name   string
			fields map[string]string
			file   *headerFile
			field  string
		}{
			{"a PDF for an image header", map[string]string{"template": jsonText(t, photo)}, &headerFile{"i.pdf", "application/pdf", pdfBytes}, "file"},
			{"a PNG for a document header", map[string]string{"template": jsonText(t, invoice)}, png, "file"},
			{"a Word file for a document header (PDF only)", map[string]string{"template": jsonText(t, invoice)},
				&headerFile{"i.doc", "application/msword", []byte("not really word")}, "file"},
			{"both a file and attachment_id", map[string]string{"template": jsonText(t,
				withHeader(invoice, map[string]any{"type": "document", "attachment_id": strconv.FormatInt(pdf, 10)}))},
				&headerFile{"i.pdf", "application/pdf", pdfBytes}, "template.header.attachment_id"},
			{"header type not the template's", map[string]string{"template": jsonText(t, withHeader(photo, map[string]any{"type": "video"}))},
				png, "template.header.type"},
			{"the header file missing", map[string]string{"template": jsonText(t, invoice)}, nil, "template.header"},
			{"text with the template", map[string]string{"template": jsonText(t, photo), "text": "look"}, png, "template"},
			{"a file for a template without a media header", map[string]string{"template": jsonText(t,
				map[string]any{"name": "hello_world", "language": "en_US"})}, png, "file"},
			{"a file WhatsApp does not take", map[string]string{"template": jsonText(t, photo)}, &headerFile{"x.html", "text/html", []byte("<p>")}, "file"},
		} {
			code, out := postForm(t, e, msgPath, bad.fields, bad.file)
			var v struct {
				Error struct{ Fields map[string]string } `json:"error"`
			}
			_ = json.Unmarshal(out, &v)
			if code != http.StatusUnprocessableEntity || v.Error.Fields[bad.field] == "" {
				t.Errorf("%s: %d %s, want 422 naming %s", bad.name, code, out, bad.field)
			}
		}
		time.Sleep(300 * time.Millisecond) // a wrongly queued send would show up by now
		if n := len(sends(e)); n != 1 {
			t.Fatalf("%d sends, want only the first", n)
		}
		if n := len(e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/media"})); n != 1 {
			t.Fatalf("%d uploads, want only the first", n)
		}
	})
}

// A business-initiated conversation whose template has a document header
// takes the PDF as a multipart file.
func TestConversationWithADocumentHeaderFromAFile(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		syncTemplates(t, e, ch)
		fields := map[string]string{"channel_id": strconv.FormatInt(ch, 10), "to": "+447700900123",
			"template": `{"name":"invoice_ready","language":"en_US","params":["INV-9"],"header":{"type":"document"}}`}
		code, out := postForm(t, e, "/api/v1/conversations", fields, &headerFile{"invoice-9.pdf", "application/pdf", pdfBytes})
		if code != http.StatusAccepted {
			t.Fatalf("conversation: %d %s", code, out)
		}
		var v struct {
			Ticket  struct{ ID string } `json:"ticket"`
			Message struct{ ID string } `json:"message"`
		}
		mustJSON(t, out, &v)
		id, _ := strconv.ParseInt(v.Message.ID, 10, 64)
		tid, _ := strconv.ParseInt(v.Ticket.ID, 10, 64)
		c := &conv{e: e, ticketID: tid}
		if m := c.waitStatus(t, id, 10*time.Second, "accepted", "failed"); m.Status != "accepted" {
			t.Fatalf("conversation message %s: %+v", m.Status, m.Error)
		}
		b := sendsFor(e, id)[0]
		mediaID, _ := path(b, "template.components.0.parameters.0.document.id").(string)
		if path(b, "to") != "447700900123" || path(b, "template.components.0.parameters.0.document.filename") != "invoice-9.pdf" || mediaID == "" {
			t.Fatalf("send body %v, want the document header by media id", b)
		}
		if got := simMediaSHA256(t, e, mediaID); got != sha256Hex(pdfBytes) {
			t.Fatalf("media sha256 %s, want %s", got, sha256Hex(pdfBytes))
		}
		// Without the file, or with an image, nothing starts.
		delete(fields, "file")
		if code, out := postForm(t, e, "/api/v1/conversations", fields, nil); code != http.StatusUnprocessableEntity ||
			!strings.Contains(string(out), "template.header") {
			t.Errorf("without the file: %d %s, want 422 naming template.header", code, out)
		}
		if code, out := postForm(t, e, "/api/v1/conversations", fields, &headerFile{"p.png", "image/png", pngBytes}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(string(out), `"file"`) {
			t.Errorf("with an image: %d %s, want 422 naming file", code, out)
		}
		if n := len(sends(e)); n != 1 {
			t.Fatalf("%d sends, want 1", n)
		}
	})
}
