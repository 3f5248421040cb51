package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// templateForm is a multipart template send: the fields and a PDF as the
// template's media header (a new boundary each call).
func templateForm(fields map[string]string, pdf []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="invoice.pdf"`)
	h.Set("Content-Type", "application/pdf")
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write(pdf)
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// A retried template send whose media header came as a file replays, for
// replies and for conversations; the same key with another file is a
// different request (the file's sha256 is part of the fingerprint).
func TestIdempotentTemplateWithHeaderFile(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch, ticket := idemTicket(t, e)
		if code, out := e.Do("POST", fmt.Sprintf("/api/v1/channels/%d/templates/sync", ch), nil); code != http.StatusOK {
			t.Fatalf("sync templates: %d %s", code, out)
		}
		tpl := `{"name":"invoice_ready","language":"en_US","params":["INV-1"]}`
		pdf1 := []byte("%PDF-1.4\n% invoice 1\n%%EOF\n")
		pdf2 := []byte("%PDF-1.4\n% invoice 2\n%%EOF\n")
		for _, route := range []struct {
			name, path string
			fields     map[string]string
		}{
			{"reply", fmt.Sprintf("/api/v1/tickets/%d/messages", ticket), map[string]string{"template": tpl}},
			{"conversation", "/api/v1/conversations", map[string]string{"channel_id": fmt.Sprint(ch), "to": "+447700900123", "template": tpl}},
		} {
			ct, body := templateForm(route.fields, pdf1)
			first := post(t, e, e.AdminToken, route.path, "hdr-"+route.name, ct, body)
			if first.code != http.StatusAccepted {
				t.Fatalf("%s: first: %d %s", route.name, first.code, first.body)
			}
			ct, body = templateForm(route.fields, pdf1)
			again := post(t, e, e.AdminToken, route.path, "hdr-"+route.name, ct, body)
			if again.code != http.StatusAccepted || again.replayed != "true" || !bytes.Equal(again.body, first.body) {
				t.Fatalf("%s: retry: %d %q %s; first %s", route.name, again.code, again.replayed, again.body, first.body)
			}
			ct, body = templateForm(route.fields, pdf2)
			if other := post(t, e, e.AdminToken, route.path, "hdr-"+route.name, ct, body); other.code != http.StatusUnprocessableEntity {
				t.Fatalf("%s: same key, another file: %d %s", route.name, other.code, other.body)
			}
		}
		waitSends(t, e, 2)
	})
}
