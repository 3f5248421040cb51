package outbound_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// A text reply reaches the simulator with the Cloud API body the reference
// describes, and the message becomes accepted with the wamid Meta returned.
func TestReplyArrivesWithTheRightBody(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		c := newConv(t, e, ch, e.Seed.CustomerWaID)
		id := c.mustQueue(t, map[string]any{"text": "See https://example.com/help", "reply_to_id": strconv.FormatInt(c.inboundID, 10)})
		m := c.waitStatus(t, id, 10*time.Second, "accepted", "sent", "delivered", "read")
		got := sendsFor(e, id)
		if len(got) != 1 {
			t.Fatalf("sends for message %d: %d, want 1", id, len(got))
		}
		b := got[0]
		for p, want := range map[string]any{
			"messaging_product": "whatsapp", "to": e.Seed.CustomerWaID, "type": "text",
			"text.body": "See https://example.com/help", "text.preview_url": true,
			"context.message_id": c.inboundWAMID, "_http_status": float64(200),
		} {
			if v := path(b, p); v != want {
				t.Errorf("%s = %v, want %v", p, v, want)
			}
		}
		if m.WAMessageID == nil || *m.WAMessageID == "" {
			t.Fatalf("accepted message without wamid: %+v", m)
		}
		if sm, ok := e.Sim.Message(*m.WAMessageID); !ok || sm.Direction != "out" {
			t.Fatalf("the simulator does not know wamid %s", *m.WAMessageID)
		}
	})
}

// Replies of one ticket reach the simulator in the order they were queued.
func TestRepliesOfATicketKeepTheirOrder(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}})
	c := newConv(t, e, newChannel(t, e, nil), e.Seed.CustomerWaID)
	var ids []int64
	for i := range 8 {
		ids = append(ids, c.mustQueue(t, map[string]any{"text": "part " + strconv.Itoa(i)}))
	}
	for _, id := range ids {
		c.waitStatus(t, id, 10*time.Second, "accepted")
	}
	var order []string
	for _, b := range sends(e) {
		order = append(order, path(b, "text.body").(string))
	}
	for i, body := range order {
		if want := "part " + strconv.Itoa(i); body != want {
			t.Fatalf("send %d was %q, want %q (order %v)", i, body, want, order)
		}
	}
}

// A file is checked, uploaded with POST /{phone_number_id}/media and sent
// by media id with its caption.
func TestMediaReplyIsUploadedThenSentByID(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{Sim: sim.Options{Statuses: sim.StatusOptions{Off: true}}}, func(t *testing.T, e *apptest.Env) {
		c := newConv(t, e, newChannel(t, e, nil), e.Seed.CustomerWaID)
		code, out := c.multipartReply(t, "Your receipt", "receipt.png", "image/png", pngBytes)
		if code != http.StatusAccepted {
			t.Fatalf("multipart reply: %d %s", code, out)
		}
		id := jsonInt(t, out, "id")
		m := c.waitStatus(t, id, 10*time.Second, "accepted")
		if m.Type != "image" || len(m.Attachments) != 1 || m.Attachments[0].MIMEType != "image/png" {
			t.Fatalf("message %+v, want an image with its png attachment", m)
		}
		uploads := e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/media"})
		if len(uploads) != 1 || uploads[0].Status != 200 {
			t.Fatalf("uploads: %+v", uploads)
		}
		b := sendsFor(e, id)[0]
		if path(b, "type") != "image" || path(b, "image.caption") != "Your receipt" || path(b, "image.id") == nil || path(b, "image.link") != nil {
			t.Fatalf("send body %v, want image by id with caption", b)
		}
	})
}

// pngBytes is a 1×1 PNG.
var pngBytes = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99,
	0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}
