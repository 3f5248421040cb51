package whatsapp_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"wadesk/internal/sim"
	"wadesk/internal/whatsapp"
)

// simEnv is the client wired to the real Cloud API simulator, with a webhook
// receiver that checks signatures and parses every POST.
type simEnv struct {
	sim     *sim.Sim
	info    sim.SeedInfo
	client  *whatsapp.Client
	events  chan *whatsapp.Notification
	hookURL string
}

func newSimEnv(t *testing.T) *simEnv {
	t.Helper()
	s := sim.New(sim.Options{})
	t.Cleanup(s.Close)
	info := s.Seed()
	api := httptest.NewServer(s.Handler())
	t.Cleanup(api.Close)
	s.SetBaseURL(api.URL)

	env := &simEnv{sim: s, info: info, events: make(chan *whatsapp.Notification, 64)}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == http.MethodGet {
			if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != "wadesk-verify" {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			io.WriteString(w, q.Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !whatsapp.VerifySignature(info.AppSecret, body, r.Header.Get(whatsapp.SignatureHeader)) {
			t.Errorf("webhook with a bad signature: %s", r.Header.Get(whatsapp.SignatureHeader))
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		n, err := whatsapp.ParseNotification(body)
		if err != nil {
			t.Errorf("simulator webhook does not parse: %v\n%s", err, body)
			return
		}
		env.events <- n
	}))
	t.Cleanup(hook.Close)
	env.hookURL = hook.URL + "/webhooks/whatsapp/test"
	env.client = whatsapp.NewClient(whatsapp.Options{BaseURL: api.URL, Version: "v26.0", AccessToken: info.AccessToken,
		Timeout: 5 * time.Second})
	return env
}

// await returns the first webhook item matching pick within a few seconds.
func await[T any](t *testing.T, env *simEnv, what string, pick func(*whatsapp.Notification) (T, bool)) T {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case n := <-env.events:
			if v, ok := pick(n); ok {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no webhook with %s", what)
			return zero
		}
	}
}

func statusOf(wamid, status string) func(*whatsapp.Notification) (*whatsapp.Status, bool) {
	return func(n *whatsapp.Notification) (*whatsapp.Status, bool) {
		for su := range n.Statuses() {
			if su.Status.ID == wamid && su.Status.Status == status {
				return su.Status, true
			}
		}
		return nil, false
	}
}

func inboundOf(wamid string) func(*whatsapp.Notification) (whatsapp.Inbound, bool) {
	return func(n *whatsapp.Notification) (whatsapp.Inbound, bool) {
		for in := range n.Messages() {
			if in.Message.ID == wamid {
				return in, true
			}
		}
		return whatsapp.Inbound{}, false
	}
}

func TestSimSetupCalls(t *testing.T) {
	env := newSimEnv(t)
	ctx := context.Background()
	c := env.client

	p, err := c.GetPhoneNumber(ctx, env.info.PhoneNumberID)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != env.info.PhoneNumberID || p.DisplayPhoneNumber != env.info.DisplayPhone || p.VerifiedName == "" {
		t.Errorf("phone = %+v", p)
	}
	nums, err := c.ListPhoneNumbers(ctx, env.info.WABAID)
	if err != nil || len(nums) == 0 || nums[0].ID != env.info.PhoneNumberID {
		t.Fatalf("phone numbers = %+v, %v", nums, err)
	}

	tpls, err := c.ListTemplates(ctx, env.info.WABAID, &whatsapp.TemplateFilter{Status: "APPROVED"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]whatsapp.Template{}
	for _, tp := range tpls {
		byName[tp.Name] = tp
	}
	if v := byName["order_update"].BodyVariables(); v.Count() != 2 || v.Named {
		t.Errorf("order_update variables = %+v", v)
	}
	if v := byName["ticket_reminder"].BodyVariables(); !v.Named || strings.Join(v.Names, ",") != "first_name,ticket_id" {
		t.Errorf("ticket_reminder variables = %+v", v)
	}
	if f := byName["invoice_ready"].HeaderFormat(); f != "DOCUMENT" {
		t.Errorf("invoice_ready header = %q", f)
	}

	// Override the callback: the simulator runs the GET handshake against
	// our receiver before accepting it.
	err = c.SubscribeApp(ctx, env.info.WABAID, &whatsapp.CallbackOverride{URI: env.hookURL, VerifyToken: "wadesk-verify"})
	if err != nil {
		t.Fatalf("subscribe with override: %v", err)
	}
	apps, err := c.SubscribedApps(ctx, env.info.WABAID)
	if err != nil || len(apps) != 1 || apps[0].OverrideCallbackURI != env.hookURL {
		t.Errorf("subscribed apps = %+v, %v", apps, err)
	}
	err = c.SubscribeApp(ctx, env.info.WABAID, &whatsapp.CallbackOverride{URI: env.hookURL, VerifyToken: "wrong"})
	if err == nil {
		t.Error("override with a failing handshake accepted")
	}

	// Errors from the simulator map onto *Error and its helpers.
	_, err = c.GetPhoneNumber(ctx, "999999999")
	var e *whatsapp.Error
	if !errors.As(err, &e) || e.Code != 100 || e.Retryable() {
		t.Errorf("unknown id: %#v", err)
	}
	bad := whatsapp.NewClient(whatsapp.Options{BaseURL: strings.TrimSuffix(env.sim.BaseURL(), "/"), Version: "v26.0", AccessToken: "bogus"})
	if _, err := bad.GetPhoneNumber(ctx, env.info.PhoneNumberID); !whatsapp.IsAuthError(err) {
		t.Errorf("bad token: %v", err)
	}
}

func TestSimConversation(t *testing.T) {
	env := newSimEnv(t)
	ctx := context.Background()
	c := env.client
	if err := c.SubscribeApp(ctx, env.info.WABAID, &whatsapp.CallbackOverride{URI: env.hookURL, VerifyToken: "wadesk-verify"}); err != nil {
		t.Fatal(err)
	}
	phone, customer := env.info.PhoneNumberID, env.info.CustomerWaID

	// Outside the window a free-form text is accepted, then fails with 131047.
	resp, err := c.SendText(ctx, phone, customer, "anyone there?", nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := await(t, env, "failed status", statusOf(resp.MessageID(), whatsapp.StatusFailed))
	if !whatsapp.IsWindowClosed(failed.Error()) {
		t.Errorf("failed status error = %v", failed.Error())
	}

	// The customer writes: an inbound webhook opens the window.
	wamid, err := env.sim.CustomerSend(ctx, sim.Inbound{PhoneNumberID: phone, From: customer, Type: "text", Text: "Hola, ¿tienen envío? 📦"})
	if err != nil {
		t.Fatal(err)
	}
	in := await(t, env, "inbound text", inboundOf(wamid))
	if in.Message.Text == nil || in.Message.Text.Body != "Hola, ¿tienen envío? 📦" {
		t.Errorf("inbound = %+v", in.Message)
	}
	if in.Metadata.PhoneNumberID != phone || in.Contact == nil || in.Contact.WaID != customer {
		t.Errorf("routing = %+v contact %+v", in.Metadata, in.Contact)
	}
	if err := c.MarkRead(ctx, phone, wamid); err != nil {
		t.Errorf("mark read: %v", err)
	}
	if err := c.SendTypingIndicator(ctx, phone, wamid); err != nil {
		t.Errorf("typing: %v", err)
	}

	// Reply inside the window, quoting the message, and follow the statuses.
	resp, err = c.SendText(ctx, phone, customer, "¡Sí! Enviamos a todo el país.",
		&whatsapp.SendOptions{ReplyTo: wamid, BizOpaqueCallbackData: "msg-1"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.WaID() != customer {
		t.Errorf("wa_id = %q", resp.WaID())
	}
	sent := await(t, env, "sent status", statusOf(resp.MessageID(), whatsapp.StatusSent))
	if sent.BizOpaqueCallbackData != "msg-1" {
		t.Errorf("opaque data = %q", sent.BizOpaqueCallbackData)
	}
	await(t, env, "read status", statusOf(resp.MessageID(), whatsapp.StatusRead))

	// Templates: parameters counted from the template itself.
	tpl := &whatsapp.TemplateMessage{Name: "order_update", Language: whatsapp.TemplateLanguage{Code: "en_US"},
		Components: []whatsapp.TemplateParamsSet{
			whatsapp.BodyParams(whatsapp.TextParam("Sheena"), whatsapp.TextParam("4711")),
			whatsapp.URLButton(0, "4711"),
		}}
	if _, err := c.SendTemplate(ctx, phone, customer, tpl, nil); err != nil {
		t.Errorf("template: %v", err)
	}
	tpl.Components = tpl.Components[:1]
	tpl.Components[0].Parameters = tpl.Components[0].Parameters[:1]
	_, err = c.SendTemplate(ctx, phone, customer, tpl, nil)
	var e *whatsapp.Error
	if !errors.As(err, &e) || e.Code != whatsapp.CodeTemplateParams {
		t.Errorf("param mismatch: %v", err)
	}
	named := &whatsapp.TemplateMessage{Name: "ticket_reminder", Language: whatsapp.TemplateLanguage{Code: "en_US"},
		Components: []whatsapp.TemplateParamsSet{whatsapp.BodyParams(
			whatsapp.NamedParam("first_name", "Sheena"), whatsapp.NamedParam("ticket_id", "T-9"))}}
	if _, err := c.SendTemplate(ctx, phone, customer, named, nil); err != nil {
		t.Errorf("named template: %v", err)
	}

	// Interactive and reaction sends are accepted as built.
	if _, err := c.SendInteractive(ctx, phone, customer, whatsapp.NewReplyButtons("Solved?",
		whatsapp.Choice{ID: "yes", Title: "Yes"}, whatsapp.Choice{ID: "no", Title: "No"}), nil); err != nil {
		t.Errorf("buttons: %v", err)
	}
	if _, err := c.SendReaction(ctx, phone, customer, wamid, "👍"); err != nil {
		t.Errorf("reaction: %v", err)
	}
}

func TestSimMedia(t *testing.T) {
	env := newSimEnv(t)
	ctx := context.Background()
	c := env.client
	phone := env.info.PhoneNumberID
	if err := c.SubscribeApp(ctx, env.info.WABAID, &whatsapp.CallbackOverride{URI: env.hookURL, VerifyToken: "wadesk-verify"}); err != nil {
		t.Fatal(err)
	}

	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	id, err := c.UploadMedia(ctx, phone, whatsapp.MediaUpload{Filename: "invoice.pdf", MIMEType: "application/pdf",
		Body: bytes.NewReader(pdf), Size: int64(len(pdf))})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	d, info, err := c.DownloadMediaByID(ctx, id, phone, &buf, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), pdf) || info.MIMEType != "application/pdf" || int64(info.FileSize) != int64(len(pdf)) {
		t.Errorf("download = %q, info %+v", buf.Bytes(), info)
	}
	if d.Size != int64(len(pdf)) {
		t.Errorf("size = %d", d.Size)
	}

	// A received image: the webhook's base64 sha256 matches the bytes.
	wamid, err := env.sim.CustomerSend(ctx, sim.Inbound{PhoneNumberID: phone, From: env.info.CustomerWaID, Type: "image",
		Media: &sim.InboundMedia{MimeType: "image/jpeg", Caption: "broken part"}})
	if err != nil {
		t.Fatal(err)
	}
	in := await(t, env, "inbound image", inboundOf(wamid))
	img := in.Message.Media()
	if img == nil || img.Caption != "broken part" {
		t.Fatalf("image = %+v", in.Message)
	}
	d, _, err = c.DownloadMediaByID(ctx, img.ID, phone, io.Discard, 5<<20)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := whatsapp.NormalizeSHA256(img.SHA256); err != nil || want != d.SHA256 {
		t.Errorf("webhook sha256 %q (%v) != downloaded %s", img.SHA256, err, d.SHA256)
	}

	if err := c.DeleteMedia(ctx, id, ""); err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, err := c.GetMediaInfo(ctx, id, ""); err == nil {
		t.Error("deleted media still has info")
	}
}
