package outbound_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

// Bad input is refused with a clear error before anything is queued, and
// nothing reaches the simulator.
func TestBadRepliesAreRefusedBeforeQueuing(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		closed := newConv(t, e, ch, "4915112345678")
		closeWindow(t, e, closed.ticketID)
		syncTemplates(t, e, ch)

		// An agent outside the ticket's (absent) group.
		agent, err := e.App.Service.CreateUser(t.Context(), helpdesk.NewUser{Email: "agent@example.com", Name: "Agent", Role: helpdesk.RoleAgent, Password: "agent-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		agentToken, _, err := e.App.Service.CreateAPIToken(t.Context(), agent.ID, "t")
		if err != nil {
			t.Fatal(err)
		}

		type tc struct {
			name  string
			conv  *conv
			token string
			body  any
			file  *struct {
				name, ctype string
				data        []byte
				text        string
			}
			status int
			code   string
			field  string
		}
		file := func(name, ctype string, size int, text string) *struct {
			name, ctype string
			data        []byte
			text        string
		} {
			return &struct {
				name, ctype string
				data        []byte
				text        string
			}{name, ctype, bytes.Repeat([]byte{1}, size), text}
		}
		cases := []tc{
			{name: "free-form to a closed window → 409", conv: closed, body: map[string]any{"text": "hi"}, status: 409, code: "window_closed"},
			{name: "empty text → 422", conv: c, body: map[string]any{"text": "  "}, status: 422, code: "invalid_request", field: "text"},
			{name: "text over 4096 characters → 422", conv: c, body: map[string]any{"text": string(bytes.Repeat([]byte("a"), 4097))}, status: 422, field: "text"},
			{name: "unknown template → 422", conv: c, body: map[string]any{"template": map[string]any{"name": "nope", "language": "en_US"}}, status: 422, field: "template.name"},
			{name: "wrong parameter count → 422", conv: c, body: map[string]any{"template": map[string]any{"name": "order_update", "language": "en_US", "params": []string{"Ada"},
				"buttons": []any{map[string]any{"index": 0, "type": "url", "value": "4711"}}}}, status: 422, field: "template.params"},
			{name: "named template given an array → 422", conv: c, body: map[string]any{"template": map[string]any{"name": "ticket_reminder", "language": "en_US", "params": []string{"a", "b"}}}, status: 422, field: "template.params"},
			{name: "missing URL button value → 422", conv: c, body: map[string]any{"template": map[string]any{"name": "order_update", "language": "en_US", "params": []string{"Ada", "4711"}}}, status: 422, field: "template.buttons"},
			{name: "media header as a link → 422", conv: c, body: map[string]any{"template": map[string]any{"name": "invoice_ready", "language": "en_US", "params": []string{"1"},
				"header": map[string]any{"type": "document", "link": "https://example.com/a.pdf"}}}, status: 422, field: "template.header.link"},
			{name: "unknown reply_to_id → 422", conv: c, body: map[string]any{"text": "hi", "reply_to_id": "999999"}, status: 422, field: "reply_to_id"},
			{name: "ticket of another group → 404", conv: c, token: agentToken, body: map[string]any{"text": "hi"}, status: 404, code: "not_found"},
			{name: "forbidden file type → 422", conv: c, file: file("run.exe", "application/x-msdownload", 10, ""), status: 422, field: "file"},
			{name: "oversized image → 422", conv: c, file: file("big.jpg", "image/jpeg", 5<<20+1, ""), status: 422, field: "file"},
			{name: "caption on audio → 422", conv: c, file: file("a.ogg", "audio/ogg", 100, "listen"), status: 422, field: "text"},
		}
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				var code int
				var out []byte
				switch {
				case tt.file != nil:
					code, out = tt.conv.multipartReply(t, tt.file.text, tt.file.name, tt.file.ctype, tt.file.data)
				case tt.token != "":
					code, out = e.DoAs(tt.token, "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", tt.conv.ticketID), tt.body)
				default:
					code, out = tt.conv.reply(tt.body)
				}
				if code != tt.status {
					t.Fatalf("status %d, want %d: %s", code, tt.status, out)
				}
				var env struct {
					Error struct {
						Code   string            `json:"code"`
						Fields map[string]string `json:"fields"`
					} `json:"error"`
				}
				if err := json.Unmarshal(out, &env); err != nil {
					t.Fatal(err)
				}
				if tt.code != "" && env.Error.Code != tt.code {
					t.Errorf("code %q, want %q", env.Error.Code, tt.code)
				}
				if tt.field != "" && env.Error.Fields[tt.field] == "" {
					t.Errorf("fields %v lack %q", env.Error.Fields, tt.field)
				}
			})
		}
		time.Sleep(300 * time.Millisecond) // a wrongly queued job would have run by now
		if s := sends(e); len(s) != 0 {
			t.Fatalf("the simulator received %d sends, want none: %v", len(s), s)
		}
		if ms := c.messages(t); len(ms) != 1 {
			t.Fatalf("ticket has %d messages, want only the customer's", len(ms))
		}
	})
}

// closeWindow moves the ticket's window into the past, as if the
// customer's last message were more than a day old.
func closeWindow(t *testing.T, e *apptest.Env, ticketID int64) {
	t.Helper()
	ctx := t.Context()
	err := e.App.Service.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		tk, err := tx.TicketByID(ctx, ticketID)
		if err != nil {
			return err
		}
		past := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
		tk.WindowExpiresAt = &past
		return tx.UpdateTicket(ctx, tk)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// syncTemplates syncs the channel's templates from the simulator.
func syncTemplates(t *testing.T, e *apptest.Env, channelID int64) []map[string]any {
	t.Helper()
	code, out := e.Do("POST", fmt.Sprintf("/api/v1/channels/%d/templates/sync", channelID), nil)
	if code != http.StatusOK {
		t.Fatalf("sync templates: %d %s", code, out)
	}
	var l struct{ Data []map[string]any }
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatal(err)
	}
	return l.Data
}
