package web_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"wadesk/internal/auth"
	"wadesk/internal/channel"
	"wadesk/internal/helpdesk"
	"wadesk/internal/inbox"
	"wadesk/internal/secret"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
	"wadesk/internal/web"
	"wadesk/internal/whatsapp"
)

// hookEnv is the webhook endpoint alone over a real database: the channel
// service and the group-commit writer as the App wires them, without the
// rest of the App (so a test may close the database under it, and a fuzz
// target can call the handler directly).
type hookEnv struct {
	t      testing.TB
	db     *store.DB
	server *web.Server
	path   string // the channel's webhook path
	secret string // its app secret
}

func newHookEnv(t testing.TB, db *store.DB) *hookEnv {
	t.Helper()
	ctx := context.Background()
	key, err := secret.ParseKey(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	h := &hookEnv{t: t, db: db, secret: "fuzz-app-secret"}
	tokenEnc, _ := box.Seal("token", "channel:access_token")
	secretEnc, _ := box.Seal(h.secret, "channel:app_secret")
	now := time.Now().UTC()
	ch := &helpdesk.Channel{Name: "c", WABAID: "1", PhoneNumberID: "2", WebhookID: auth.RandomString(32), VerifyToken: "v",
		AccessTokenEnc: tokenEnc, AppSecretEnc: secretEnc, Active: true, Status: helpdesk.ChannelActive, CreatedAt: now, UpdatedAt: now}
	if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, ch) }); err != nil {
		t.Fatal(err)
	}
	h.path = "/webhooks/whatsapp/" + ch.WebhookID

	chs := channel.New(channel.Options{Store: db, Secrets: box, Graph: whatsapp.Options{BaseURL: "http://127.0.0.1:1"}})
	w := inbox.New(db, inbox.Options{CommitTimeout: 5 * time.Second})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	h.server = web.New(web.Options{Service: storetest.NewService(t, db, nil)})
	h.server.MountWebhook(chs, w)
	return h
}

// post sends a delivery straight to the handler.
func (h *hookEnv) post(body []byte, signature, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(whatsapp.SignatureHeader, signature)
	}
	rec := httptest.NewRecorder()
	h.server.Handler().ServeHTTP(rec, req)
	return rec
}
