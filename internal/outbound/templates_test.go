package outbound_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

// Templates are synced from every page of the WABA's list and listed with
// what a send must supply.
func TestTemplatesAreSyncedAndListedWithTheirParameters(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		// More templates than one page (the client asks for 100).
		for i := range 120 {
			if _, err := e.Sim.AddTemplate(sim.Template{WABAID: e.Seed.WABAID, Name: fmt.Sprintf("bulk_%03d", i), Language: "en",
				Status: "APPROVED", Category: "UTILITY", Components: []sim.TemplateComponent{{Type: "BODY", Text: "Hi {{1}}"}}}); err != nil {
				t.Fatal(err)
			}
		}
		ch := newChannel(t, e, nil)
		list := syncTemplates(t, e, ch)
		if len(list) != 124 {
			t.Fatalf("synced %d templates, want 124", len(list))
		}
		code, out := e.Do("GET", fmt.Sprintf("/api/v1/channels/%d/templates", ch), nil)
		if code != http.StatusOK {
			t.Fatalf("list: %d %s", code, out)
		}
		byName := map[string]map[string]any{}
		for _, tpl := range list {
			byName[tpl["name"].(string)] = tpl
		}
		ou := byName["order_update"]
		if fmt.Sprint(ou["body_params"]) != "[1 2]" || ou["status"] != "APPROVED" || ou["parameter_format"] != "POSITIONAL" {
			t.Fatalf("order_update: %v", ou)
		}
		if path(ou, "buttons.0.type") != "URL" || path(ou, "buttons.0.required") != true || path(ou, "buttons.1.required") != false {
			t.Fatalf("order_update buttons: %v", ou["buttons"])
		}
		if fmt.Sprint(byName["ticket_reminder"]["body_params"]) != "[first_name ticket_id]" {
			t.Fatalf("ticket_reminder: %v", byName["ticket_reminder"])
		}
		if path(byName["invoice_ready"], "header.format") != "DOCUMENT" {
			t.Fatalf("invoice_ready: %v", byName["invoice_ready"])
		}
		// The sync is for admins.
		agent, _ := e.App.Service.CreateUser(t.Context(), helpdesk.NewUser{Email: "a@example.com", Name: "A", Role: helpdesk.RoleAgent, Password: "agent-password-1"})
		tok, _, _ := e.App.Service.CreateAPIToken(t.Context(), agent.ID, "t")
		if code, _ := e.DoAs(tok, "POST", fmt.Sprintf("/api/v1/channels/%d/templates/sync", ch), nil); code != http.StatusForbidden {
			t.Fatalf("agent sync: %d, want 403", code)
		}
	})
}

// Templates with positional, named, button and media-header parameters
// reach the simulator as the reference's template object, also outside the
// window; the simulator's own checks (132000, 132012) accept them.
func TestTemplateSendsCarryTheirParameters(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		syncTemplates(t, e, ch)
		closeWindow(t, e, c.ticketID) // templates need no window
		pdf := pdfAttachment(t, e, c)

		cases := []struct {
			name  string
			tpl   map[string]any
			check map[string]any
		}{
			{"positional body and URL button", map[string]any{"name": "order_update", "language": "en_US", "params": []any{"Ada", 4711},
				"buttons": []any{map[string]any{"index": 0, "type": "url", "value": "4711"}, map[string]any{"index": 1, "type": "quick_reply", "value": "STOP"}}},
				map[string]any{"template.name": "order_update", "template.language.code": "en_US",
					"template.components.0.type": "body", "template.components.0.parameters.1.text": "4711",
					"template.components.1.sub_type": "url", "template.components.1.index": "0", "template.components.1.parameters.0.text": "4711",
					"template.components.2.sub_type": "quick_reply", "template.components.2.parameters.0.payload": "STOP"}},
			{"named body", map[string]any{"name": "ticket_reminder", "language": "en_US", "params": map[string]any{"ticket_id": "10001", "first_name": "Ada"}},
				map[string]any{"template.components.0.parameters.0.parameter_name": "first_name", "template.components.0.parameters.0.text": "Ada",
					"template.components.0.parameters.1.parameter_name": "ticket_id"}},
			{"document header from an attachment", map[string]any{"name": "invoice_ready", "language": "en_US", "params": []string{"INV-1"},
				"header": map[string]any{"type": "document", "attachment_id": strconv.FormatInt(pdf, 10)}},
				map[string]any{"template.components.0.type": "header", "template.components.0.parameters.0.type": "document",
					"template.components.0.parameters.0.document.filename": "invoice.pdf"}},
		}
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				id := c.mustQueue(t, map[string]any{"template": tt.tpl})
				m := c.waitStatus(t, id, 10*time.Second, "accepted", "failed")
				if m.Status != "accepted" {
					t.Fatalf("template message %s: %+v", m.Status, m.Error)
				}
				b := sendsFor(e, id)[0]
				for p, want := range tt.check {
					if v := path(b, p); v != want {
						t.Errorf("%s = %v, want %v (body %v)", p, v, want, b)
					}
				}
				if m.Type != "template" || m.Text == "" {
					t.Errorf("message type %q text %q, want the rendered template", m.Type, m.Text)
				}
			})
		}
	})
}

// pdfAttachment stores a PDF as an attachment of the customer's message,
// as inbound media would be, and returns its id.
func pdfAttachment(t *testing.T, e *apptest.Env, c *conv) int64 {
	t.Helper()
	ctx := context.Background()
	data := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	sha, size, err := e.App.Blobs.Put(ctx, bytesReader(data))
	if err != nil {
		t.Fatal(err)
	}
	a := &helpdesk.Attachment{MessageID: c.inboundID, Filename: "invoice.pdf", MIMEType: "application/pdf", Size: size,
		SHA256: sha, State: helpdesk.AttachmentReady, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := e.App.Service.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		return tx.InsertAttachment(ctx, a)
	}); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// Starting a conversation creates the customer and an open ticket in the
// channel's group, sends the template to the number, and reuses both next time.
func TestConversationStartsWithATemplate(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		syncTemplates(t, e, ch)
		body := map[string]any{"channel_id": strconv.FormatInt(ch, 10), "to": "+447700900123",
			"template": map[string]any{"name": "hello_world", "language": "en_US"}}
		code, out := e.Do("POST", "/api/v1/conversations", body)
		if code != http.StatusAccepted {
			t.Fatalf("conversation: %d %s", code, out)
		}
		var v struct {
			Ticket struct {
				ID         string `json:"id"`
				State      string `json:"state"`
				CustomerID string `json:"customer_id"`
			} `json:"ticket"`
			Message struct{ ID, Status string } `json:"message"`
		}
		mustJSON(t, out, &v)
		if v.Ticket.State != "open" || v.Message.Status != "queued" {
			t.Fatalf("conversation answer %s", out)
		}
		id, _ := strconv.ParseInt(v.Message.ID, 10, 64)
		tid, _ := strconv.ParseInt(v.Ticket.ID, 10, 64)
		c := &conv{e: e, ticketID: tid}
		c.waitStatus(t, id, 10*time.Second, "accepted")
		b := sendsFor(e, id)[0]
		if path(b, "to") != "447700900123" || path(b, "template.name") != "hello_world" {
			t.Fatalf("send body %v", b)
		}
		code, out = e.Do("GET", "/api/v1/customers/"+v.Ticket.CustomerID, nil)
		if code != http.StatusOK || jsonStr(t, out, "wa_id") != "447700900123" || jsonStr(t, out, "phone") != "+447700900123" {
			t.Fatalf("customer: %d %s", code, out)
		}
		// Again: same customer, same ticket.
		code, out = e.Do("POST", "/api/v1/conversations", body)
		var again struct {
			Ticket struct {
				ID string `json:"id"`
			} `json:"ticket"`
			Message struct {
				ID string `json:"id"`
			} `json:"message"`
		}
		mustJSON(t, out, &again)
		if code != http.StatusAccepted || again.Ticket.ID != v.Ticket.ID {
			t.Fatalf("second conversation: %d %s, want ticket %s reused", code, out, v.Ticket.ID)
		}
		id2, _ := strconv.ParseInt(again.Message.ID, 10, 64)
		c.waitStatus(t, id2, 10*time.Second, "accepted")
		for _, bad := range []map[string]any{
			{"channel_id": strconv.FormatInt(ch, 10), "to": "447700900123", "template": body["template"]},
			{"channel_id": strconv.FormatInt(ch, 10), "to": "+447700900123", "template": map[string]any{"name": "order_update", "language": "en_US"}},
			{"channel_id": "99999", "to": "+447700900123", "template": body["template"]},
		} {
			if code, out := e.Do("POST", "/api/v1/conversations", bad); code != http.StatusUnprocessableEntity {
				t.Errorf("bad conversation %v: %d %s, want 422", bad, code, out)
			}
		}
		if n := len(sends(e)); n != 2 {
			t.Fatalf("%d sends, want 2", n)
		}
	})
}

// A template status webhook (applied through UpdateTemplateStatus) changes
// the stored template: a paused template is listed as such and refused.
func TestTemplateStatusUpdateIsApplied(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}})
	ch := newChannel(t, e, nil)
	c := newConv(t, e, ch, e.Seed.CustomerWaID)
	syncTemplates(t, e, ch)
	ctx := t.Context()
	svc := e.App.Service
	if err := svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		n, err := svc.UpdateTemplateStatus(ctx, tx, e.Seed.WABAID, "hello_world", "en_US", "paused", "red")
		if err == nil && n != 1 {
			err = fmt.Errorf("%d templates updated, want 1", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, out := e.Do("GET", fmt.Sprintf("/api/v1/channels/%d/templates", ch), nil)
	if !strings.Contains(string(out), `"name":"hello_world","language":"en_US","status":"PAUSED","category":"MARKETING","parameter_format":"POSITIONAL","quality":"RED"`) {
		t.Fatalf("hello_world not paused in %s", out)
	}
	code, out := c.reply(map[string]any{"template": map[string]any{"name": "hello_world", "language": "en_US"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(out), "template.name") {
		t.Fatalf("send of a paused template: %d %s, want 422 naming template.name", code, out)
	}
}
