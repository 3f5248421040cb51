package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"time"

	"wadesk/internal/app"
	"wadesk/internal/config"
	"wadesk/internal/helpdesk"
)

// bench is the running App with the users the measurement acts as and a
// sample of the generated data to pick request parameters from.
type bench struct {
	app        *app.App
	base       string
	client     *http.Client
	adminToken string
	agentToken string
	agent      *helpdesk.User
	stop       func()

	counts        map[string]int64 // rows per table, as stored
	tickets       []sampleTicket   // random tickets
	agentTickets  []sampleTicket   // random tickets the agent sees
	heavyCustomer int64
}

// sampleTicket is what requests need to know about a ticket.
type sampleTicket struct {
	id, lastMessageAt, customerID int64
}

// boot starts the real App on the inbox, on 127.0.0.1:0, with the Cloud API
// pointed at a loopback stub that refuses everything (nothing is sent).
func boot(ctx context.Context, t *target, logger *slog.Logger) (*bench, error) {
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"largeinbox: no Cloud API here","type":"OAuthException","code":2}}`, http.StatusServiceUnavailable)
	}))
	cfg, err := config.Load(map[string]string{
		"WADESK_ADDR":              "127.0.0.1:0",
		"WADESK_BASE_URL":          "http://127.0.0.1",
		"WADESK_DATA_DIR":          t.dir,
		"WADESK_DATABASE_URL":      t.dbURL,
		"WADESK_GRAPH_API_URL":     graph.URL,
		"WADESK_GRAPH_API_VERSION": "v26.0",
		"WADESK_LOG_LEVEL":         "warn",
	})
	if err != nil {
		graph.Close()
		return nil, fmt.Errorf("config: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a, err := app.New(runCtx, cfg, app.Options{Logger: logger, ShutdownTimeout: 10 * time.Second})
	if err != nil {
		cancel()
		graph.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	b := &bench{app: a, base: "http://" + a.Addr(),
		client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	b.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				logger.Warn("app stopped with an error", "err", err)
			}
		case <-time.After(30 * time.Second):
			logger.Warn("app did not stop within 30 s")
		}
		graph.Close()
	}
	if err := b.users(ctx); err != nil {
		b.stop()
		return nil, err
	}
	return b, nil
}

// users creates (or, on a reused inbox, finds) an admin and an agent in
// groups 1 and 2, and gives both a fresh API token.
func (b *bench) users(ctx context.Context) error {
	svc := b.app.Service
	find := func(in helpdesk.NewUser) (*helpdesk.User, error) {
		u, err := svc.CreateUser(ctx, in)
		if helpdesk.ErrorCode(err) == helpdesk.ECodeConflict {
			return svc.UserByEmail(ctx, in.Email)
		}
		return u, err
	}
	admin, err := find(helpdesk.NewUser{Email: "admin@largeinbox.test", Name: "Bench Admin", Role: helpdesk.RoleAdmin, Password: "largeinbox-admin-password"})
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	b.agent, err = find(helpdesk.NewUser{Email: "agent@largeinbox.test", Name: "Bench Agent", Role: helpdesk.RoleAgent,
		Password: "largeinbox-agent-password", GroupIDs: []int64{1, 2}})
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if b.adminToken, _, err = svc.CreateAPIToken(ctx, admin.ID, "largeinbox"); err != nil {
		return err
	}
	b.agentToken, _, err = svc.CreateAPIToken(ctx, b.agent.ID, "largeinbox")
	return err
}

// sample counts the rows and picks random tickets to request, straight
// from the database (before the measurement, so it does not disturb it).
func (b *bench) sample(ctx context.Context) error {
	db := b.app.DB.Writer()
	b.counts = map[string]int64{}
	for _, table := range append([]string{"users", "groups", "channels"}, bigTables...) {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", table, err)
		}
		b.counts[table] = n
	}
	if err := db.QueryRowContext(ctx,
		"SELECT customer_id FROM tickets GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 1").Scan(&b.heavyCustomer); err != nil {
		return fmt.Errorf("heaviest customer: %w", err)
	}
	maxID := b.counts["tickets"]
	r := rand.New(rand.NewPCG(42, 42))
	for tries := 0; tries < 4000 && (len(b.tickets) < 500 || len(b.agentTickets) < 500); tries++ {
		var s sampleTicket
		var group *int64
		err := db.QueryRowContext(ctx, "SELECT id, last_message_at, customer_id, group_id FROM tickets WHERE id = $1",
			1+r.Int64N(maxID)).Scan(&s.id, &s.lastMessageAt, &s.customerID, &group)
		if errors.Is(err, context.Canceled) {
			return err
		}
		if err != nil {
			continue // ids are dense, but a gap is no reason to stop
		}
		if len(b.tickets) < 500 {
			b.tickets = append(b.tickets, s)
		}
		if group != nil && (*group == 1 || *group == 2) && len(b.agentTickets) < 500 {
			b.agentTickets = append(b.agentTickets, s)
		}
	}
	if len(b.tickets) == 0 || len(b.agentTickets) == 0 {
		return errors.New("sample: no tickets found")
	}
	return nil
}
