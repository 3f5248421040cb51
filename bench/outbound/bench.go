package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the scratch schema
	"golang.org/x/sync/errgroup"

	"wadesk/internal/app"
	"wadesk/internal/config"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

type options struct {
	Seconds     float64
	Customers   int
	DB          string
	PostgresURL string
	Timeout     time.Duration
	Statuses    bool
	CPUProfile  string // file for a CPU profile of the sending phase, or ""
}

// result is one cap's measurement.
type result struct {
	Cap         int
	Messages    int
	Accepted    int
	Failed      int
	RateLimited int // 130429 answers
	PairLimited int // 131056 answers
	Elapsed     time.Duration
	// Steady is the rate between the 10th and the 90th percentile of the
	// accepted sends: start-up (the first transactions, the limiter's
	// burst) and the tail do not distort it.
	Steady float64
	// CPU is the CPU time this process (wadesk, River, SQLite, the
	// simulator; not the PostgreSQL server) spent from queuing the first
	// message until the last one left "queued".
	CPU time.Duration
}

// cpuPerSend is CPU divided by the messages sent.
func (r result) cpuPerSend() time.Duration {
	if r.Messages == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Messages)
}

// rate is the steady-state rate (see Steady).
func (r result) rate() float64 { return r.Steady }

// overall is accepted sends per second between the first and the last.
func (r result) overall() float64 {
	if r.Accepted < 2 || r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepted-1) / r.Elapsed.Seconds()
}

func (r result) percent() float64 { return 100 * r.rate() / float64(r.Cap) }

func (r result) String() string {
	return fmt.Sprintf("cap %4d/s: %6d messages, %6d accepted, %d failed/unknown in %6.2fs (%7.1f/s overall); steady %7.1f/s = %5.1f%% of cap; 130429 answers: %d, 131056 answers: %d; CPU %.2f ms/send",
		r.Cap, r.Messages, r.Accepted, r.Failed, r.Elapsed.Seconds(), r.overall(), r.rate(), r.percent(), r.RateLimited, r.PairLimited,
		float64(r.cpuPerSend().Microseconds())/1000)
}

// run boots a simulator and wadesk, queues cap × seconds messages spread
// over enough tickets, and waits until every one is accepted or failed.
func run(parent context.Context, o options, capPerSecond int) (result, error) {
	ctx, cancel := context.WithTimeout(parent, o.Timeout)
	defer cancel()
	n := int(float64(capPerSecond) * o.Seconds)
	res := result{Cap: capPerSecond, Messages: n}
	customers := o.Customers
	if customers <= 0 {
		// At most 10 messages per customer, under the pair limiter's burst.
		customers = max(1, (n+9)/10)
	}

	s := sim.New(sim.Options{Throughput: capPerSecond, PairLimit: true, RecordLimit: 2*n + 1000, MessageLimit: 2*n + 1000,
		Statuses: sim.StatusOptions{Off: !o.Statuses}})
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	s.SetBaseURL(srv.URL)
	seed := s.Seed()

	dataDir, err := os.MkdirTemp("", "wadesk-bench-outbound-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dataDir)
	raw := map[string]string{"WADESK_ADDR": "127.0.0.1:0", "WADESK_BASE_URL": "http://127.0.0.1", "WADESK_DATA_DIR": dataDir,
		"WADESK_GRAPH_API_URL": srv.URL, "WADESK_GRAPH_API_VERSION": "v26.0", "WADESK_LOG_LEVEL": "error"}
	if o.DB == "postgres" {
		u, drop, err := scratchSchema(ctx, o.PostgresURL)
		if err != nil {
			return res, err
		}
		defer drop()
		raw["WADESK_DATABASE_URL"] = u
	}
	cfg, err := config.Load(raw)
	if err != nil {
		return res, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.New(ctx, cfg, app.Options{Logger: logger, ShutdownTimeout: 10 * time.Second})
	if err != nil {
		return res, err
	}
	a.Config.BaseURL.Host = a.Addr()
	runCtx, stopApp := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() { stopApp(); <-done }()

	tickets, channelID, err := setup(ctx, a, s, seed, customers, capPerSecond)
	if err != nil {
		return res, err
	}
	if o.CPUProfile != "" {
		stopProfile, err := startCPUProfile(o.CPUProfile)
		if err != nil {
			return res, err
		}
		defer stopProfile()
	}
	cpu0 := processCPU()
	if err := queue(ctx, a, tickets, channelID, n); err != nil {
		return res, err
	}
	if err := wait(ctx, a, n); err != nil {
		return res, err
	}
	res.CPU = processCPU() - cpu0
	return measure(a, s, res)
}

// processCPU is the user and system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startCPUProfile writes a CPU profile to path until the returned func runs.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// setup creates the channel through the API (rate_limit = cap) and one
// open ticket per customer, with the simulator's window open.
func setup(ctx context.Context, a *app.App, s *sim.Sim, seed sim.SeedInfo, customers, capPerSecond int) ([]int64, int64, error) {
	admin, err := a.Service.CreateUser(ctx, helpdesk.NewUser{Email: "bench@example.com", Name: "Bench", Role: helpdesk.RoleAdmin, Password: "bench-password-1"})
	if err != nil {
		return nil, 0, err
	}
	token, _, err := a.Service.CreateAPIToken(ctx, admin.ID, "bench")
	if err != nil {
		return nil, 0, err
	}
	body := fmt.Sprintf(`{"name":"Bench","waba_id":%q,"phone_number_id":%q,"access_token":%q,"app_secret":%q,"rate_limit":%d}`,
		seed.WABAID, seed.PhoneNumberID, seed.AccessToken, seed.AppSecret, capPerSecond)
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+a.Addr()+"/api/v1/channels", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return nil, 0, fmt.Errorf("create channel: %d %s", resp.StatusCode, out)
	}
	var chID int64
	if err := a.Service.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		ch, err := tx.ChannelByPhoneNumberID(ctx, seed.PhoneNumberID)
		chID = ch.ID
		return err
	}); err != nil {
		return nil, 0, err
	}
	tickets := make([]int64, customers)
	for i := range customers {
		waID := fmt.Sprintf("1555%07d", i)
		if _, err := s.AddCustomer(sim.Customer{WaID: waID, Name: "Customer " + strconv.Itoa(i)}); err != nil {
			return nil, 0, err
		}
		if err := s.OpenWindow(seed.PhoneNumberID, waID); err != nil {
			return nil, 0, err
		}
		err := a.Service.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
			ch, err := tx.ChannelByID(ctx, chID)
			if err != nil {
				return err
			}
			c, _, err := a.Service.FindOrCreateCustomer(ctx, tx, helpdesk.CustomerRef{WAID: waID})
			if err != nil {
				return err
			}
			t, _, err := a.Service.TicketForInbound(ctx, tx, ev, ch, c, a.Service.Now())
			if err != nil {
				return err
			}
			wamid := "wamid.bench-" + waID
			m := &helpdesk.Message{ChannelID: &chID, Type: "text", Text: "hello", WAMessageID: &wamid, CreatedAt: a.Service.Now()}
			_, err = a.Service.AddInboundMessage(ctx, tx, ev, t, m)
			tickets[i] = t.ID
			return err
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return tickets, chID, nil
}

// queue stores n queued replies with their SendMessageJobs, round-robin
// over the tickets, in batches (much faster than the cap, so the queue
// never runs dry and the limiter sets the pace). The jobs of a batch go in
// with one insert: the producer is not what is measured, and River's
// row-by-row inserts on SQLite would take CPU from the sending during the
// first seconds.
func queue(ctx context.Context, a *app.App, tickets []int64, channelID int64, n int) error {
	const batch = 250
	// A ticket's jobs must be in the order of its messages. Two batches
	// committing concurrently interleave their message ids while each
	// inserts its jobs at the end, so when they share tickets a newer
	// message could get the older job id, and its worker would wait for the
	// older message (FIFO per ticket) that River has not fetched yet. Two
	// batches at once only when consecutive batches cover disjoint tickets.
	var g errgroup.Group
	g.SetLimit(min(2, max(1, len(tickets)/batch)))
	for start := 0; start < n; start += batch {
		g.Go(func() error {
			return a.Service.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
				now := a.Service.Now()
				var jobs []helpdesk.Job
				for i := start; i < min(start+batch, n); i++ {
					m := &helpdesk.Message{TicketID: tickets[i%len(tickets)], ChannelID: &channelID, Direction: helpdesk.Out,
						Type: "text", Text: "Bench message " + strconv.Itoa(i), SenderKind: helpdesk.SenderSystem,
						Status: helpdesk.StatusQueued, CreatedAt: now, UpdatedAt: now}
					if _, err := tx.InsertMessage(ctx, m); err != nil {
						return err
					}
					jobs = append(jobs, helpdesk.SendMessageJob{MessageID: m.ID})
				}
				return a.Jobs.EnqueueManyTx(ctx, tx, jobs)
			})
		})
	}
	return g.Wait()
}

// wait polls until no message is queued any more.
func wait(ctx context.Context, a *app.App, n int) error {
	db := a.DB.Writer()
	for {
		var queued int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE status = 'queued'").Scan(&queued); err != nil {
			return fmt.Errorf("count queued: %w", err)
		}
		if queued == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out with %d of %d messages still queued", queued, n)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// measure reads the simulator's request log and the messages' outcomes.
func measure(a *app.App, s *sim.Sim, res result) (result, error) {
	var times []time.Time
	for _, r := range s.Requests(sim.RequestFilter{Method: "POST", Path: "/messages"}) {
		switch r.Status {
		case 200:
			times = append(times, r.Time)
			res.Accepted++
		case 429:
			res.RateLimited++
		case 400:
			if strings.Contains(string(r.Body), "131056") {
				res.PairLimited++
			}
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	if n := len(times); n >= 10 {
		res.Elapsed = times[n-1].Sub(times[0])
		lo, hi := n/10, n*9/10
		if d := times[hi].Sub(times[lo]); d > 0 {
			res.Steady = float64(hi-lo) / d.Seconds()
		}
	}
	err := a.DB.Writer().QueryRow("SELECT COUNT(*) FROM messages WHERE status IN ('failed', 'unknown')").Scan(&res.Failed)
	return res, err
}

// scratchSchema creates a throw-away schema and returns a URL using it.
func scratchSchema(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	admin := *u
	q := admin.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") { // pgxpool settings, not server parameters
			q.Del(k)
		}
	}
	admin.RawQuery = q.Encode()
	db, err := sql.Open("pgx", admin.String())
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "wadesk_bench_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	q = u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	}
	return u.String(), drop, nil
}
