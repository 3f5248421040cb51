package helpdesk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func newClock() *clock                   { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }
func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// world is a small helpdesk: an admin, two agents in two groups, a channel
// routed to group A and one customer.
type world struct {
	svc            *helpdesk.Service
	db             *store.DB
	clock          *clock
	admin          *helpdesk.User
	agentA, agentB *helpdesk.User
	groupA, groupB *helpdesk.Group
	channel        *helpdesk.Channel
	customer       *helpdesk.Customer
}

const password = "correct horse battery"

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, clock: newClock()}
	w.svc = storetest.NewService(t, db, w.clock.Now)
	var err error
	w.groupA = check(w.svc.CreateGroup(ctx, "Support A", nil))(t)
	w.groupB = check(w.svc.CreateGroup(ctx, "Support B", nil))(t)
	w.admin = check(w.svc.CreateUser(ctx, helpdesk.NewUser{Email: "admin@example.com", Name: "Ada", Role: helpdesk.RoleAdmin, Password: password}))(t)
	w.agentA = check(w.svc.CreateUser(ctx, helpdesk.NewUser{Email: "a@example.com", Name: "Alice", Role: helpdesk.RoleAgent, Password: password, GroupIDs: []int64{w.groupA.ID}}))(t)
	w.agentB = check(w.svc.CreateUser(ctx, helpdesk.NewUser{Email: "b@example.com", Name: "Bob", Role: helpdesk.RoleAgent, Password: password, GroupIDs: []int64{w.groupB.ID}}))(t)
	now := w.clock.Now()
	w.channel = &helpdesk.Channel{Name: "Main", WABAID: "waba1", PhoneNumberID: "pn1", WebhookID: "wh1", VerifyToken: "vt",
		AccessTokenEnc: "v1:x", AppSecretEnc: "v1:y", GroupID: &w.groupA.ID, Active: true, Status: helpdesk.ChannelActive,
		Reminder: helpdesk.Reminder{Enabled: true, AfterSeconds: 72000}, RateLimit: 80, CreatedAt: now, UpdatedAt: now}
	err = db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, w.channel) })
	if err != nil {
		t.Fatal(err)
	}
	err = w.svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		w.customer, _, err = w.svc.FindOrCreateCustomer(ctx, tx, helpdesk.CustomerRef{WAID: "4915112345678", Name: "Carla"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// ticket creates a ticket for the world's customer in the given group
// (nil: no group) with an inbound message of that text, one clock tick later.
func (w *world) ticket(t *testing.T, title string, group *int64, text string) *helpdesk.Ticket {
	t.Helper()
	ctx := context.Background()
	w.clock.Advance(time.Second)
	now := w.clock.Now()
	tk := &helpdesk.Ticket{Title: title, State: helpdesk.StateNew, ChannelID: &w.channel.ID, CustomerID: w.customer.ID,
		GroupID: group, LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
	err := w.svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		if text == "" {
			return nil
		}
		_, err := w.svc.AddInboundMessage(ctx, tx, ev, tk, &helpdesk.Message{ChannelID: &w.channel.ID, Type: "text",
			Text: text, SenderID: &w.customer.ID, CreatedAt: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// check(f())(t) fails t when f returned an error, else gives the value.
func check[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantCode fails unless err carries the error code want ("" = no error).
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	var he *helpdesk.Error
	if err == nil || !errors.As(err, &he) || he.Code != want {
		t.Fatalf("err = %v, want code %s", err, want)
	}
}

func ptr[T any](v T) *T { return &v }
