package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestMigrations(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		current, known, err := db.SchemaVersion(ctx)
		if err != nil || current != known || known < 1 {
			t.Fatalf("SchemaVersion = %d, %d, %v", current, known, err)
		}
		// A later wadesk migrated this database: this binary must refuse it.
		if _, err := db.Writer().ExecContext(ctx,
			"INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, TRUE)", known+1); err != nil {
			t.Fatal(err)
		}
		ok, err := db.SchemaUpToDate(ctx)
		if err != nil || ok {
			t.Fatalf("SchemaUpToDate with a newer schema = %v, %v; want false", ok, err)
		}
	})
}

func TestUnmigratedDatabaseIsNotUpToDate(t *testing.T) {
	for name, cfg := range map[string]store.Config{
		"sqlite":   {DataDir: t.TempDir()},
		"postgres": {DatabaseURL: storetest.PostgresURL(t)},
	} {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ok, err := db.SchemaUpToDate(context.Background())
			if err != nil || ok {
				t.Fatalf("SchemaUpToDate = %v, %v; want false", ok, err)
			}
		})
	}
}

func TestOpenFailsWithOneClearLine(t *testing.T) {
	cases := []struct {
		name, url, want string
	}{
		{"unknown scheme", "mysql://x", "must start with"},
		{"nobody listening", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "connect to postgres"},
		{"password never echoed", "postgres://u:s3cret@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "connect to postgres"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.Open(context.Background(), store.Config{DatabaseURL: tc.url})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("Open error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestErrorMapping(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := &helpdesk.User{Email: "x@example.com", Name: "X", Role: helpdesk.RoleAgent, PasswordHash: "h", Active: true, CreatedAt: t0, UpdatedAt: t0}
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			fn   func(tx helpdesk.Tx) error
			want error
		}{
			{"unique email", func(tx helpdesk.Tx) error { dup := *u; return tx.CreateUser(ctx, &dup) }, helpdesk.ErrConflict},
			{"foreign key", func(tx helpdesk.Tx) error { return tx.SetUserGroups(ctx, u.ID, []int64{777}) }, helpdesk.ErrConflict},
			{"update of a missing row", func(tx helpdesk.Tx) error { return tx.TouchSession(ctx, 777, t0, t0) }, helpdesk.ErrNotFound},
			{"lookup of a missing row", func(tx helpdesk.Tx) error { _, err := tx.TicketByID(ctx, 777); return err }, helpdesk.ErrNotFound},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := db.WithTx(ctx, tc.fn)
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
			})
		}
		_, err := db.UserByID(ctx, 999)
		if helpdesk.ErrorCode(err) != helpdesk.ECodeNotFound {
			t.Errorf("UserByID(999) code = %s", helpdesk.ErrorCode(err))
		}
	})
}

func TestRollbackOnError(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.WithTx(ctx, func(tx helpdesk.Tx) error {
			g := &helpdesk.Group{Name: "ghost", CreatedAt: t0}
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if gs, _ := db.ListGroups(ctx, 0, 10); len(gs) != 0 {
			t.Errorf("rolled back group is stored: %v", gs)
		}
	})
}

func newCustomerAndChannel(t *testing.T, db *store.DB) (*helpdesk.Customer, *helpdesk.Channel) {
	t.Helper()
	ctx := context.Background()
	c := &helpdesk.Customer{Name: "Carla", Phone: "+491", WAID: "491", CreatedAt: t0, UpdatedAt: t0}
	ch := &helpdesk.Channel{Name: "Main", WABAID: "w", PhoneNumberID: "pn1", WebhookID: "hook1", VerifyToken: "vt",
		AccessTokenEnc: "v1:enc-token", AppSecretEnc: "v1:enc-secret", Active: true, Status: helpdesk.ChannelActive,
		Reminder: helpdesk.Reminder{Enabled: true, AfterSeconds: 72000, Message: "still there?"}, RateLimit: 80,
		CreatedAt: t0, UpdatedAt: t0}
	err := db.WithTx(ctx, func(tx helpdesk.Tx) error {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		return tx.CreateChannel(ctx, ch)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, ch
}

func TestTicketNumbersAndIdempotentMessages(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, ch := newCustomerAndChannel(t, db)
		var numbers []int64
		for range 3 {
			tk := &helpdesk.Ticket{Title: "t", State: helpdesk.StateNew, ChannelID: &ch.ID, CustomerID: c.ID, LastMessageAt: t0, CreatedAt: t0, UpdatedAt: t0}
			if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateTicket(ctx, tk) }); err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, tk.Number)
		}
		if numbers[0] != 10001 || numbers[1] != 10002 || numbers[2] != 10003 {
			t.Errorf("ticket numbers = %v, want 10001..10003", numbers)
		}
		open, err := db.OpenTicketFor(ctx, c.ID, ch.ID)
		if err != nil || open.Number != 10003 {
			t.Fatalf("OpenTicketFor = %+v, %v", open, err)
		}
		insert := func(wamid *string, text string) (*helpdesk.Message, bool) {
			m := &helpdesk.Message{TicketID: open.ID, ChannelID: &ch.ID, Direction: helpdesk.In, Type: "text", Text: text,
				SenderKind: helpdesk.SenderCustomer, SenderID: &c.ID, WAMessageID: wamid, Status: helpdesk.StatusReceived,
				Payload: json.RawMessage(`{"context":{"forwarded":true}}`), CreatedAt: t0, UpdatedAt: t0}
			var created bool
			err := db.WithTx(ctx, func(tx helpdesk.Tx) (err error) { created, err = tx.InsertMessage(ctx, m); return err })
			if err != nil {
				t.Fatal(err)
			}
			return m, created
		}
		w := "wamid.A"
		m1, c1 := insert(&w, "first")
		m2, c2 := insert(&w, "redelivered")
		n1, cn1 := insert(nil, "no wamid")
		n2, cn2 := insert(nil, "no wamid")
		if !c1 || c2 || m1.ID != m2.ID {
			t.Errorf("same wamid: created %v then %v, ids %d and %d", c1, c2, m1.ID, m2.ID)
		}
		if !cn1 || !cn2 || n1.ID == n2.ID {
			t.Errorf("messages without wamid must all be stored: %v %v", cn1, cn2)
		}
		got, err := db.MessageByWAMID(ctx, ch.ID, w)
		if err != nil || got.Text != "first" || got.SenderName != "Carla" || string(got.Payload) != `{"context":{"forwarded":true}}` {
			t.Errorf("MessageByWAMID = %+v, %v", got, err)
		}
		got.Status, got.Error, got.UpdatedAt = helpdesk.StatusFailed, &helpdesk.MessageError{Code: 131047, Title: "Re-engagement"}, t0.Add(time.Minute)
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.UpdateMessage(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		got, _ = db.MessageByID(ctx, got.ID)
		if got.Status != helpdesk.StatusFailed || got.Error == nil || got.Error.Code != 131047 {
			t.Errorf("after update = %+v", got)
		}
	})
}

func TestChannelsKeepSecretsAsGivenAndSoftDelete(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, ch := newCustomerAndChannel(t, db)
		got, err := db.ChannelByWebhookID(ctx, "hook1")
		if err != nil || got.AccessTokenEnc != "v1:enc-token" || got.AppSecretEnc != "v1:enc-secret" || got.Reminder.Message != "still there?" {
			t.Fatalf("ChannelByWebhookID = %+v, %v", got, err)
		}
		got.LastError = &helpdesk.ChannelErrorInfo{Code: 190, Message: "token expired", At: t0}
		got.Status, got.UpdatedAt = helpdesk.ChannelError, t0.Add(time.Hour)
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.UpdateChannel(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		got, _ = db.ChannelByPhoneNumberID(ctx, "pn1")
		if got.Status != helpdesk.ChannelError || got.LastError == nil || got.LastError.Code != 190 || !got.CreatedAt.Equal(t0) {
			t.Errorf("after update = %+v", got)
		}
		dup := *ch
		dup.WebhookID = "hook2"
		err = db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, &dup) })
		if !errors.Is(err, helpdesk.ErrConflict) {
			t.Errorf("second live channel on the same phone number: %v, want conflict", err)
		}
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.DeleteChannel(ctx, ch.ID, t0) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ChannelByID(ctx, ch.ID); !errors.Is(err, helpdesk.ErrNotFound) {
			t.Errorf("deleted channel still found: %v", err)
		}
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, &dup) }); err != nil {
			t.Errorf("phone number not free after delete: %v", err)
		}
		if list, _ := db.ListChannels(ctx); len(list) != 1 || list[0].ID != dup.ID {
			t.Errorf("ListChannels = %+v", list)
		}
	})
}

func TestTemplatesReplace(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, ch := newCustomerAndChannel(t, db)
		sync := func(names ...string) {
			var ts []helpdesk.Template
			for _, n := range names {
				ts = append(ts, helpdesk.Template{Name: n, Language: "en_US", Status: "APPROVED", Components: json.RawMessage(`[{"type":"BODY"}]`), SyncedAt: t0})
			}
			if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.ReplaceTemplates(ctx, ch.ID, ts) }); err != nil {
				t.Fatal(err)
			}
		}
		sync("order_update", "welcome")
		sync("welcome", "reminder")
		list, err := db.ListTemplates(ctx, ch.ID)
		if err != nil || len(list) != 2 || list[0].Name != "reminder" || list[1].Name != "welcome" {
			t.Fatalf("ListTemplates = %+v, %v", list, err)
		}
		tp, err := db.TemplateByName(ctx, ch.ID, "welcome", "en_US")
		if err != nil || tp.ParameterFormat != "POSITIONAL" || string(tp.Components) != `[{"type":"BODY"}]` {
			t.Errorf("TemplateByName = %+v, %v", tp, err)
		}
	})
}

func TestWebhookInbox(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, ch := newCustomerAndChannel(t, db)
		var ids []int64
		for _, body := range []string{`{"a":1}`, `{"b":2}`, "\x00binary\xff"} {
			it := &helpdesk.InboxItem{ChannelID: &ch.ID, ReceivedAt: t0, Body: []byte(body)}
			if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.InsertInbox(ctx, it) }); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, it.ID)
		}
		err := db.WithTx(ctx, func(tx helpdesk.Tx) error {
			if err := tx.MarkInboxDone(ctx, ids[0], t0); err != nil {
				return err
			}
			if err := tx.MarkInboxFailed(ctx, ids[1], "parse error", t0, true); err != nil {
				return err
			}
			return tx.MarkInboxFailed(ctx, ids[2], "parse error", t0, false)
		})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := db.PendingInbox(ctx, 10)
		if err != nil || len(pending) != 1 || pending[0].ID != ids[1] || pending[0].Attempts != 1 || string(pending[0].Body) != `{"b":2}` {
			t.Fatalf("PendingInbox = %+v, %v", pending, err)
		}
	})
}
