package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
	"wadesk/internal/web"
)

// testPassword is every fixture user's password.
const testPassword = "correct horse battery"

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// dirBlobs is a minimal content-addressed file store: real files in a temp
// dir, named by their sha256.
type dirBlobs struct{ dir string }

func (b dirBlobs) Open(sha string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(b.dir, sha))
}

func (b dirBlobs) put(t *testing.T, data []byte) string {
	t.Helper()
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if err := os.WriteFile(filepath.Join(b.dir, sha), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return sha
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a running server over a real database with fixtures: two groups,
// an admin, an agent in each group, a customer and a ticket per group.
type env struct {
	t      *testing.T
	db     *store.DB
	svc    *helpdesk.Service
	srv    *web.Server
	http   *httptest.Server
	clock  *clock
	reg    *prometheus.Registry
	logs   *syncBuffer
	blobs  dirBlobs
	health error

	support, sales         *helpdesk.Group
	admin, agent, salesRep *helpdesk.User
	adminTok, agentTok     string
	salesTok               string
	revokedTok             string
	custA, custB           *helpdesk.Customer
	ticketA, ticketB       *helpdesk.Ticket
	msgIn, msgFailed       *helpdesk.Message
	attachment             *helpdesk.Attachment
	attachmentData         []byte
	unreadyAttachment      *helpdesk.Attachment
	mu                     sync.Mutex // guards health and lastIP
	lastIP                 int
}

// newEnv builds the fixtures on db and starts the server; extra mounts
// more routes before the server starts.
func newEnv(t *testing.T, db *store.DB, extra func(*web.Server)) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db, clock: &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)},
		reg: prometheus.NewRegistry(), logs: &syncBuffer{}, blobs: dirBlobs{dir: t.TempDir()}}
	e.svc = helpdesk.NewService(db, helpdesk.Options{Now: e.clock.Now})
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.srv = web.New(web.Options{
		Service:  e.svc,
		Logger:   log,
		Registry: e.reg,
		Health: func(context.Context) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.health
		},
		BaseURL: "http://localhost",
		Now:     e.clock.Now,
		Blobs:   e.blobs,
	})
	if extra != nil {
		extra(e.srv)
	}
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)

	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixtures: %v", err)
		}
	}
	e.support, err = e.svc.CreateGroup(ctx, "support", nil)
	must(err)
	e.sales, err = e.svc.CreateGroup(ctx, "sales", nil)
	must(err)
	e.admin, err = e.svc.CreateUser(ctx, helpdesk.NewUser{Email: "admin@example.com", Name: "Ada Admin", Role: helpdesk.RoleAdmin, Password: testPassword})
	must(err)
	e.agent, err = e.svc.CreateUser(ctx, helpdesk.NewUser{Email: "agent@example.com", Name: "Alan Agent", Role: helpdesk.RoleAgent, Password: testPassword, GroupIDs: []int64{e.support.ID}})
	must(err)
	e.salesRep, err = e.svc.CreateUser(ctx, helpdesk.NewUser{Email: "sales@example.com", Name: "Sam Sales", Role: helpdesk.RoleAgent, Password: testPassword, GroupIDs: []int64{e.sales.ID}})
	must(err)
	e.adminTok, _, err = e.svc.CreateAPIToken(ctx, e.admin.ID, "test")
	must(err)
	e.agentTok, _, err = e.svc.CreateAPIToken(ctx, e.agent.ID, "test")
	must(err)
	e.salesTok, _, err = e.svc.CreateAPIToken(ctx, e.salesRep.ID, "test")
	must(err)
	var revoked *helpdesk.APIToken
	e.revokedTok, revoked, err = e.svc.CreateAPIToken(ctx, e.agent.ID, "old")
	must(err)
	must(e.svc.RevokeAPIToken(ctx, e.agent.ID, revoked.ID))

	e.attachmentData = []byte("\x89PNG fake image bytes")
	sha := e.blobs.put(t, e.attachmentData)
	now := e.clock.Now()
	window := now.Add(time.Hour)
	must(e.svc.Update(ctx, func(tx helpdesk.Tx, _ *helpdesk.Events) error {
		e.custA = &helpdesk.Customer{Name: "Carla Customer", Phone: "+4915112345678", WAID: "4915112345678", CreatedAt: now, UpdatedAt: now}
		e.custB = &helpdesk.Customer{Name: "Bruno Buyer", Phone: "+4917000000001", WAID: "4917000000001", CreatedAt: now, UpdatedAt: now}
		for _, c := range []*helpdesk.Customer{e.custA, e.custB} {
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
		}
		e.ticketA = &helpdesk.Ticket{Title: "Refund for order 4711", State: helpdesk.StateNew, CustomerID: e.custA.ID,
			GroupID: &e.support.ID, WindowExpiresAt: &window, LastInboundAt: &now, LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
		e.ticketB = &helpdesk.Ticket{Title: "Price list please", State: helpdesk.StateOpen, CustomerID: e.custB.ID,
			GroupID: &e.sales.ID, LastMessageAt: now.Add(-time.Minute), CreatedAt: now, UpdatedAt: now}
		for _, tk := range []*helpdesk.Ticket{e.ticketA, e.ticketB} {
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
		}
		wamid := "wamid.IN1"
		e.msgIn = &helpdesk.Message{TicketID: e.ticketA.ID, Direction: helpdesk.In, Type: "image", Text: "my parcel is broken",
			SenderKind: helpdesk.SenderCustomer, SenderID: &e.custA.ID, WAMessageID: &wamid, Status: helpdesk.StatusReceived,
			CreatedAt: now, UpdatedAt: now}
		e.msgFailed = &helpdesk.Message{TicketID: e.ticketA.ID, Direction: helpdesk.Out, Type: "text", Text: "sorry to hear",
			SenderKind: helpdesk.SenderAgent, SenderID: &e.agent.ID, Status: helpdesk.StatusFailed,
			Error:     &helpdesk.MessageError{Code: 131047, Title: "Re-engagement message", Message: "window closed"},
			CreatedAt: now.Add(time.Second), UpdatedAt: now.Add(time.Second)}
		for _, m := range []*helpdesk.Message{e.msgIn, e.msgFailed} {
			if _, err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		e.attachment = &helpdesk.Attachment{MessageID: e.msgIn.ID, Filename: `../evil "name".png`, MIMEType: "image/png",
			Size: int64(len(e.attachmentData)), SHA256: sha, State: helpdesk.AttachmentReady, CreatedAt: now, UpdatedAt: now}
		e.unreadyAttachment = &helpdesk.Attachment{MessageID: e.msgIn.ID, Filename: "later.pdf", MIMEType: "application/pdf",
			State: helpdesk.AttachmentDownloading, CreatedAt: now, UpdatedAt: now}
		for _, a := range []*helpdesk.Attachment{e.attachment, e.unreadyAttachment} {
			if err := tx.InsertAttachment(ctx, a); err != nil {
				return err
			}
		}
		return tx.UpsertReaction(ctx, &helpdesk.Reaction{MessageID: e.msgIn.ID, ByKind: helpdesk.SenderAgent, ByID: e.agent.ID, Emoji: "👍", CreatedAt: now})
	}))
	return e
}

// setHealth makes the health check fail (non-nil) or pass.
func (e *env) setHealth(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.health = err
}

// response is a finished request: status, headers and body.
type response struct {
	status int
	header http.Header
	body   string
}

// json decodes the body into v, failing the test if it is not JSON.
func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
}

// do sends one request. auth is a bearer token ("" for none); hdr adds
// headers; a non-empty body defaults to Content-Type application/json.
func (e *env) do(client *http.Client, method, path, auth, body string, hdr map[string]string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if client == nil {
		client = e.http.Client()
	}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// browser is a client with a cookie jar that does not follow redirects, so
// tests see the login's 303 and its cookies. Each browser connects from its
// own loopback address (127.0.0.2, .3, …), so the per-IP login limit of one
// test does not spill into another.
func (e *env) browser() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.mu.Lock()
	e.lastIP++
	ip := net.IPv4(127, 0, byte(e.lastIP/250), byte(2+e.lastIP%250))
	e.mu.Unlock()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: dialer.DialContext}
	e.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// id formats an id as the API does, without the quotes.
func id(v int64) string { return strconv.FormatInt(v, 10) }

// forEachDB runs fn on both databases with a fresh env.
func forEachDB(t *testing.T, extra func(*web.Server), fn func(t *testing.T, e *env)) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		fn(t, newEnv(t, db, extra))
	})
}
