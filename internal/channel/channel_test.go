package channel_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"wadesk/internal/channel"
	"wadesk/internal/helpdesk"
	"wadesk/internal/inbox"
	"wadesk/internal/secret"
	"wadesk/internal/sim"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
	"wadesk/internal/web"
	"wadesk/internal/whatsapp"
)

// world is a channel Service over a real database, the Cloud API
// simulator, and our webhook endpoint on loopback so that the simulator's
// handshakes succeed.
type world struct {
	db    *store.DB
	sim   *sim.Sim
	seed  sim.SeedInfo
	graph whatsapp.Options
	box   *secret.Box
	svc   *channel.Service
	clock *atomic.Int64 // Unix ms
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	s := sim.New(sim.Options{})
	simSrv := httptest.NewServer(s.Handler())
	t.Cleanup(func() { simSrv.Close(); s.Close() })
	s.SetBaseURL(simSrv.URL)
	key, _ := secret.ParseKey(secret.NewKey())
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, sim: s, seed: s.Seed(), box: box, clock: &atomic.Int64{},
		graph: whatsapp.Options{BaseURL: simSrv.URL, Version: "v26.0"}}
	w.clock.Store(time.Now().UnixMilli())

	var hookURL string
	w.svc = w.service(func() string { return hookURL })
	writer := inbox.New(db, inbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { writer.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	srv := web.New(web.Options{Service: storetest.NewService(t, db, nil)})
	srv.MountWebhook(w.svc, writer)
	hooks := httptest.NewServer(srv.Handler())
	t.Cleanup(hooks.Close)
	hookURL = hooks.URL
	return w
}

// service is another Service on the same database, as a second instance
// of wadesk would have.
func (w *world) service(base func() string) *channel.Service {
	return channel.New(channel.Options{Store: w.db, Graph: w.graph, Secrets: w.box, BaseURL: base,
		Now: func() time.Time { return time.UnixMilli(w.clock.Load()) }})
}

func (w *world) input() channel.NewChannel {
	return channel.NewChannel{Name: "Support", WABAID: w.seed.WABAID, PhoneNumberID: w.seed.PhoneNumberID,
		AccessToken: w.seed.AccessToken, AppSecret: w.seed.AppSecret}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return helpdesk.ErrorCode(err)
}

func TestCreateFailsCleanlyWhenGraphIsUnreachable(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.graph.BaseURL = "http://127.0.0.1:1" // nothing listens there
		svc := w.service(func() string { return "http://127.0.0.1:8080" })
		cases := []struct {
			name string
			call func() error
		}{
			{"create", func() error { _, err := svc.Create(context.Background(), w.input()); return err }},
			{"lookup", func() error {
				_, err := svc.Lookup(context.Background(), w.seed.AccessToken, w.seed.WABAID)
				return err
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := c.call(); code(err) != helpdesk.ECodeUpstream {
					t.Errorf("error %v, want upstream_error", err)
				}
			})
		}
		if chs, _ := db.ListChannels(context.Background()); len(chs) != 0 {
			t.Errorf("%d channels stored after a failed create", len(chs))
		}
	})
}

func TestMaskedSecretsNeverReplaceRealOnes(t *testing.T) {
	db := storetest.OpenSQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	ch, err := w.svc.Create(ctx, w.input())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"••••••••", "EAAG…wxyz", "sk_***", "●●●●", "", "   "} {
		t.Run(v, func(t *testing.T) {
			got, err := w.svc.Update(ctx, ch.ID, channel.Patch{AccessToken: &v, AppSecret: &v})
			if err != nil {
				t.Fatal(err)
			}
			if got.AccessTokenEnc != ch.AccessTokenEnc || got.AppSecretEnc != ch.AppSecretEnc {
				t.Error("a masked or empty value replaced a sealed secret")
			}
		})
	}
}

func TestWebhookTargetCache(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		ch, err := w.svc.Create(ctx, w.input())
		if err != nil {
			t.Fatal(err)
		}
		other := w.service(func() string { return "http://other" }) // a second instance
		if _, err := other.WebhookTarget(ctx, ch.WebhookID); err != nil {
			t.Fatal(err)
		}
		newSecret := "rotated-secret"
		if _, err := w.svc.Update(ctx, ch.ID, channel.Patch{AppSecret: &newSecret}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name    string
			svc     *channel.Service
			advance time.Duration
			want    string
		}{
			{"the instance that changed it sees the change at once", w.svc, 0, newSecret},
			{"another instance keeps its cached value within the TTL", other, 5 * time.Second, w.seed.AppSecret},
			{"another instance sees it after the TTL", other, 6 * time.Second, newSecret},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				w.clock.Add(s.advance.Milliseconds())
				got, err := s.svc.WebhookTarget(ctx, ch.WebhookID)
				if err != nil || got.AppSecret != s.want || got.ChannelID != ch.ID {
					t.Errorf("target %+v, %v; want secret %q", got.ChannelID, err, s.want)
				}
			})
		}
		t.Run("unknown and implausible ids are not found", func(t *testing.T) {
			for _, id := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "../x", string(make([]byte, 65))} {
				if _, err := w.svc.WebhookTarget(ctx, id); !errors.Is(err, helpdesk.ErrNotFound) {
					t.Errorf("%q: %v", id, err)
				}
			}
		})
		t.Run("a deleted channel is not found at once", func(t *testing.T) {
			if err := w.svc.Delete(ctx, ch.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.WebhookTarget(ctx, ch.WebhookID); !errors.Is(err, helpdesk.ErrNotFound) {
				t.Errorf("after delete: %v", err)
			}
		})
	})
}

func TestRecordErrorThenVerifyReactivates(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		ch, err := w.svc.Create(ctx, w.input())
		if err != nil {
			t.Fatal(err)
		}
		var fired []int64
		w.svc.OnReactivated(func(id int64) { fired = append(fired, id) })
		if err := w.svc.RecordError(ctx, ch.ID, 190, "Error validating access token"); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name   string
			do     func() (*helpdesk.Channel, error)
			status helpdesk.ChannelStatus
			fired  int
		}{
			{"recorded", func() (*helpdesk.Channel, error) { return w.svc.Get(ctx, ch.ID) }, helpdesk.ChannelError, 0},
			{"verify with a working token", func() (*helpdesk.Channel, error) { return w.svc.Verify(ctx, ch.ID) }, helpdesk.ChannelActive, 1},
			{"verify again: already active, no second event", func() (*helpdesk.Channel, error) { return w.svc.Verify(ctx, ch.ID) }, helpdesk.ChannelActive, 1},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				got, err := s.do()
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != s.status || len(fired) != s.fired {
					t.Errorf("status %q, %d reactivations; want %q, %d", got.Status, len(fired), s.status, s.fired)
				}
				if s.status == helpdesk.ChannelActive && got.LastError != nil {
					t.Errorf("last_error kept: %+v", got.LastError)
				}
			})
		}
	})
}

func TestDeleteHandsTheWABAWebhooksToAnotherChannel(t *testing.T) {
	db := storetest.OpenSQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	if _, err := w.sim.AddNumber(sim.Number{ID: "200000000000001", WABAID: w.seed.WABAID, Display: "+1 555-000-0002", VerifiedName: "Second"}); err != nil {
		t.Fatal(err)
	}
	first, err := w.svc.Create(ctx, w.input())
	if err != nil {
		t.Fatal(err)
	}
	in := w.input()
	in.Name, in.PhoneNumberID = "Second", "200000000000001"
	second, err := w.svc.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	override := func() string {
		apps, err := whatsapp.NewClient(withToken(w.graph, w.seed.AccessToken)).SubscribedApps(ctx, w.seed.WABAID)
		if err != nil || len(apps) == 0 {
			t.Fatalf("subscribed apps: %v %v", apps, err)
		}
		return apps[0].OverrideCallbackURI
	}
	if got := override(); got != w.svc.CallbackURL(second) {
		t.Fatalf("override %q, want the last created channel's %q", got, w.svc.CallbackURL(second))
	}
	if err := w.svc.Delete(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if got := override(); got != w.svc.CallbackURL(first) {
		t.Errorf("after delete the override is %q, want the remaining channel's %q", got, w.svc.CallbackURL(first))
	}
}

func withToken(o whatsapp.Options, token string) whatsapp.Options {
	o.AccessToken = token
	return o
}
