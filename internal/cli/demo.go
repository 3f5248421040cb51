package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"wadesk/internal/app"
	"wadesk/internal/auth"
	"wadesk/internal/channel"
	"wadesk/internal/config"
	"wadesk/internal/helpdesk"
	"wadesk/internal/sim"
)

// demoAdmin is the email of the admin `wadesk demo` creates.
const demoAdmin = "admin@example.com"

// runDemo starts a seeded Cloud API simulator and wadesk on a temporary
// data dir, wires a channel to the simulator's number through the channel
// service (so the simulator runs the real webhook handshake) and prints
// where to click. It stops both and removes the data when ctx ends.
func runDemo(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	defAddr := env.Getenv("WADESK_ADDR")
	if defAddr == "" {
		defAddr = ":8080"
	}
	addr := fs.String("addr", defAddr, "listen address of wadesk (the next free port is used if it is taken)")
	simAddr := fs.String("sim-addr", "127.0.0.1:8090", "listen address of the simulator (the next free port is used if it is taken)")
	level := fs.String("log-level", "warn", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	lvl := newLevel(*level)
	if lvl == nil {
		return usagef("--log-level must be debug, info, warn or error")
	}
	logger := newLogger(env.Stderr, *lvl)

	simLn, err := listenNextFree(*simAddr)
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	s := sim.New(sim.Options{Seed: true, Logger: logger})
	defer s.Close()
	simURL := "http://" + publicHost(simLn.Addr())
	s.SetBaseURL(simURL)
	simSrv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = simSrv.Serve(simLn) }()
	defer shutdown(simSrv)

	dataDir, err := os.MkdirTemp("", "wadesk-demo-")
	if err != nil {
		return fmt.Errorf("temporary data dir: %w", err)
	}
	defer os.RemoveAll(dataDir)

	a, err := newDemoApp(ctx, *addr, dataDir, simURL, logger)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()

	password, err := seedDemo(ctx, a, s.Seed())
	if err != nil {
		stop()
		<-done
		return err
	}
	base := a.Config.BaseURL.String()
	fmt.Fprintf(env.Stdout, `wadesk demo is running.

  Inbox:           %s/inbox
  Sign in as:      %s
  Password:        %s
  Customer phone:  %s/phone   (chat as a WhatsApp customer)
  Simulator state: %s/_sim/state

Open the inbox and the customer phone side by side and write from the phone.
Press Ctrl-C to stop; the temporary data in %s is removed.
`, base, demoAdmin, password, simURL, simURL, dataDir)
	return <-done
}

// newDemoApp builds wadesk on dataDir, pointed at the simulator, with its
// base URL naming the port it really got.
func newDemoApp(ctx context.Context, addr, dataDir, simURL string, logger *slog.Logger) (*app.App, error) {
	if ln, err := listenNextFree(addr); err == nil {
		addr = ln.Addr().String() // probe for a free port; app.New binds it again right away
		ln.Close()
	}
	cfg, err := config.Load(map[string]string{
		"WADESK_ADDR":              addr,
		"WADESK_BASE_URL":          "http://localhost",
		"WADESK_DATA_DIR":          dataDir,
		"WADESK_GRAPH_API_URL":     simURL,
		"WADESK_GRAPH_API_VERSION": "v26.0",
		"WADESK_LOG_LEVEL":         "warn",
	})
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, cfg, app.Options{Logger: logger, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	a.Config.BaseURL.Host = publicHost(mustTCPAddr(a.Addr()))
	return a, nil
}

// seedDemo waits for wadesk to answer, then creates the admin, a group and
// the demo channel, and syncs its templates. It returns the admin password.
func seedDemo(ctx context.Context, a *app.App, seed sim.SeedInfo) (string, error) {
	base := "http://" + a.Addr()
	if err := waitHealthy(ctx, base); err != nil {
		return "", err
	}
	password := auth.RandomString(12)
	admin, err := a.Service.CreateUser(ctx, helpdesk.NewUser{Email: demoAdmin, Name: "Demo Admin", Role: helpdesk.RoleAdmin, Password: password})
	if err != nil {
		return "", fmt.Errorf("demo admin: %w", err)
	}
	group, err := a.Service.CreateGroup(ctx, "Support", []int64{admin.ID})
	if err != nil {
		return "", fmt.Errorf("demo group: %w", err)
	}
	after := 20 * 3600
	on, msg := true, "Are you still there? Reply to keep this conversation open."
	ch, err := a.Channels.Create(ctx, channel.NewChannel{
		Name: "Demo support line", WABAID: seed.WABAID, PhoneNumberID: seed.PhoneNumberID,
		AccessToken: seed.AccessToken, AppSecret: seed.AppSecret, GroupID: &group.ID,
		WelcomeMessage: "Hi! Thanks for writing to the demo support line. An agent will answer shortly.",
		Reminder:       &channel.ReminderInput{Enabled: &on, AfterSeconds: &after, Message: &msg},
	})
	if err != nil {
		return "", fmt.Errorf("demo channel: %w", err)
	}
	token, _, err := a.Service.CreateAPIToken(ctx, admin.ID, "demo setup")
	if err != nil {
		return "", fmt.Errorf("demo token: %w", err)
	}
	// Templates are synced through the public API, as the channel page does.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/channels/"+strconv.FormatInt(ch.ID, 10)+"/templates/sync", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return password, nil
}

// waitHealthy polls /healthz for up to 15 seconds.
func waitHealthy(ctx context.Context, base string) error {
	c := &http.Client{Timeout: time.Second}
	for range 150 {
		if resp, err := c.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("wadesk did not become healthy within 15 s")
}

// listenNextFree listens on addr, or on one of the next 20 ports when it
// is taken, so a second demo (or a busy :8080) still starts.
func listenNextFree(addr string) (net.Listener, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("address %q: bad port", addr)
	}
	var last error
	for i := range 21 {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port+i)))
		if err == nil || port == 0 {
			return ln, err
		}
		last = err
	}
	return nil, last
}

// publicHost is host:port as a browser on this machine reaches it.
func publicHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

func mustTCPAddr(s string) net.Addr {
	a, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
	}
	return a
}

func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
