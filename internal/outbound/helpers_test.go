package outbound_test

import (
	"bytes"
	"context"
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
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

// conv is one customer conversation in a running wadesk: a channel on the
// seeded simulator number and an open ticket with a customer message.
type conv struct {
	e            *apptest.Env
	channelID    int64
	ticketID     int64
	customer     string // wa_id
	inboundWAMID string
	inboundID    int64
}

// newChannel connects the simulator's number through the channel API.
func newChannel(t *testing.T, e *apptest.Env, extra map[string]any) int64 {
	t.Helper()
	body := map[string]any{"name": "Support", "waba_id": e.Seed.WABAID, "phone_number_id": e.Seed.PhoneNumberID,
		"access_token": e.Seed.AccessToken, "app_secret": e.Seed.AppSecret}
	for k, v := range extra {
		body[k] = v
	}
	code, out := e.Do("POST", "/api/v1/channels", body)
	if code != http.StatusCreated {
		t.Fatalf("create channel: %d %s", code, out)
	}
	return jsonInt(t, out, "id")
}

// newConv opens a conversation: the customer writes through the simulator
// (so its window is open and the wamid is real), and the webhook makes the
// ticket through inbound processing. Without inbound processing the ticket
// is recorded with the domain's inbound primitives instead.
func newConv(t *testing.T, e *apptest.Env, channelID int64, waID string) *conv {
	t.Helper()
	ctx := context.Background()
	wamid, err := e.Sim.CustomerSend(ctx, sim.Inbound{PhoneNumberID: e.Seed.PhoneNumberID, From: waID, Name: "Customer " + waID, Type: "text", Text: "Hello, I need help"})
	if err != nil {
		t.Fatalf("customer send: %v", err)
	}
	c := &conv{e: e, channelID: channelID, customer: waID, inboundWAMID: wamid}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m, err := e.App.Service.Store().MessageByWAMID(ctx, channelID, wamid); err == nil {
			c.ticketID, c.inboundID = m.TicketID, m.ID
			return c
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("inbound processing did not record %s; recording the ticket directly", wamid)
	svc := e.App.Service
	err = svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		ch, err := tx.ChannelByID(ctx, channelID)
		if err != nil {
			return err
		}
		cust, _, err := svc.FindOrCreateCustomer(ctx, tx, helpdesk.CustomerRef{WAID: waID, Name: "Customer " + waID})
		if err != nil {
			return err
		}
		tk, _, err := svc.TicketForInbound(ctx, tx, ev, ch, cust, svc.Now())
		if err != nil {
			return err
		}
		m := &helpdesk.Message{ChannelID: &channelID, Type: "text", Text: "Hello, I need help", WAMessageID: &wamid, CreatedAt: svc.Now()}
		if _, err := svc.AddInboundMessage(ctx, tx, ev, tk, m); err != nil {
			return err
		}
		c.ticketID, c.inboundID = tk.ID, m.ID
		return nil
	})
	if err != nil {
		t.Fatalf("ticket fixture: %v", err)
	}
	return c
}

// reply posts a JSON reply and returns status and body.
func (c *conv) reply(body any) (int, []byte) {
	return c.e.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", c.ticketID), body)
}

// mustQueue posts a reply that must be accepted and returns the message id.
func (c *conv) mustQueue(t *testing.T, body any) int64 {
	t.Helper()
	code, out := c.reply(body)
	if code != http.StatusAccepted {
		t.Fatalf("reply: %d %s", code, out)
	}
	if st := jsonStr(t, out, "status"); st != "queued" {
		t.Fatalf("reply status %q, want queued", st)
	}
	return jsonInt(t, out, "id")
}

// message is the API view of a message, as a test reads it.
type message struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	Text        string  `json:"text"`
	Status      string  `json:"status"`
	WAMessageID *string `json:"wa_message_id"`
	Error       *struct {
		Code    int    `json:"code"`
		Title   string `json:"title"`
		Message string `json:"message"`
	} `json:"error"`
	Sender struct {
		Kind string `json:"kind"`
	} `json:"sender"`
	Attachments []struct {
		MIMEType string `json:"mime_type"`
		Size     int64  `json:"size"`
	} `json:"attachments"`
}

// messages lists the ticket's messages.
func (c *conv) messages(t *testing.T) []message {
	t.Helper()
	code, out := c.e.Do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages?limit=200", c.ticketID), nil)
	if code != http.StatusOK {
		t.Fatalf("list messages: %d %s", code, out)
	}
	var l struct{ Data []message }
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatal(err)
	}
	return l.Data
}

// message returns one message of the ticket by id.
func (c *conv) message(t *testing.T, id int64) message {
	t.Helper()
	for _, m := range c.messages(t) {
		if m.ID == strconv.FormatInt(id, 10) {
			return m
		}
	}
	t.Fatalf("message %d not in ticket %d", id, c.ticketID)
	return message{}
}

// waitStatus waits until the message has one of the statuses.
func (c *conv) waitStatus(t *testing.T, id int64, timeout time.Duration, want ...string) message {
	t.Helper()
	var m message
	c.e.Eventually(timeout, fmt.Sprintf("message %d in %v", id, want), func() bool {
		m = c.message(t, id)
		for _, w := range want {
			if m.Status == w {
				return true
			}
		}
		return false
	})
	return m
}

// sends returns the bodies of the message sends (not mark-read) the
// simulator received, oldest first.
func sends(e *apptest.Env) []map[string]any {
	var out []map[string]any
	for _, r := range e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/messages"}) {
		var b map[string]any
		if json.Unmarshal(r.Body, &b) == nil && b["status"] == nil {
			b["_http_status"] = float64(r.Status)
			out = append(out, b)
		}
	}
	return out
}

// sendsFor returns the sends whose biz_opaque_callback_data is the message id.
func sendsFor(e *apptest.Env, id int64) []map[string]any {
	var out []map[string]any
	for _, b := range sends(e) {
		if b["biz_opaque_callback_data"] == strconv.FormatInt(id, 10) {
			out = append(out, b)
		}
	}
	return out
}

func jsonInt(t *testing.T, b []byte, key string) int64 {
	t.Helper()
	s := jsonStr(t, b, key)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s = %q in %s", key, s, b)
	}
	return v
}

func jsonStr(t *testing.T, b []byte, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	v, _ := m[key].(string)
	return v
}

// path reads a nested value such as "template.components.0.type".
func path(v any, p string) any {
	for _, k := range strings.Split(p, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// multipartReply posts a reply with one file.
func (c *conv) multipartReply(t *testing.T, text, filename, ctype string, data []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if text != "" {
		_ = mw.WriteField("text", text)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", ctype)
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = pw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/tickets/%d/messages", c.e.BaseURL, c.ticketID), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.e.AdminToken)
	resp, err := c.e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
