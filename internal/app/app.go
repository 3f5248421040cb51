package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"wadesk/internal/channel"
	"wadesk/internal/config"
	"wadesk/internal/events"
	"wadesk/internal/helpdesk"
	"wadesk/internal/inbox"
	"wadesk/internal/jobs"
	"wadesk/internal/outbound"
	"wadesk/internal/web"
	"wadesk/internal/whatsapp"
)

// Options are the parts of an App that are not configuration.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // default time.Now
	// ShutdownTimeout bounds the graceful stop: in-flight requests and jobs
	// get this long to finish. Default 25 s (under Kubernetes' 30 s grace).
	ShutdownTimeout time.Duration
	// HTTPClient calls the Cloud API; default a client with keep-alive.
	HTTPClient *http.Client
}

// App is a running wadesk server.
type App struct {
	*Core
	Opts     Options
	Registry *prometheus.Registry
	Jobs     *jobs.Runner
	Web      *web.Server
	// Events fans domain events out to whoever subscribed (SSE, metrics).
	Events *Fanout
	// Graph is the Cloud API client configuration without a token; copy it
	// and set AccessToken per channel.
	Graph whatsapp.Options
	// Channels is the channel service (set by setupChannels): sealed
	// secrets, Graph clients per channel, RecordError/OnReactivated.
	Channels *channel.Service
	// Inbox is the webhook group-commit writer (set by setupChannels); the
	// inbox processor calls Inbox.Subscribe to learn of new deliveries.
	Inbox *inbox.Writer
	// Hub is the live event hub behind /api/v1/events (set by
	// setupInbound); on PostgreSQL setupCluster feeds it the other
	// instances' events.
	Hub *events.Hub
	// Outbound is the sending machinery (set by setupOutbound); on
	// PostgreSQL setupCluster shares its per-number limits.
	Outbound *outbound.Dispatcher

	loops    []func(context.Context) // background loops, run by Run until shutdown
	onStop   []func()                // run when the HTTP server starts shutting down
	listener net.Listener
	server   *http.Server
}

// capabilities wire each feature onto the App under construction: workers,
// periodic jobs, routes and background loops. Each lives in its own file.
var capabilities = []func(context.Context, *App) error{
	setupHousekeeping,
	setupChannels,
	setupInbound,
	setupOutbound,
	setupUI,
	setupCluster,
}

// New builds the whole server: database (migrated), domain, job runner and
// HTTP handler, and binds the listen address so Addr is known before Run.
func New(ctx context.Context, cfg *config.Config, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 25 * time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true,
			Proxy: http.ProxyFromEnvironment,
		}}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	fanout := &Fanout{}
	core, err := openCore(ctx, cfg, opts.Logger, helpdesk.Options{Logger: opts.Logger, Now: opts.Now, Events: fanout})
	if err != nil {
		return nil, err
	}
	a := &App{Core: core, Opts: opts, Registry: reg, Events: fanout,
		Graph: whatsapp.Options{BaseURL: cfg.GraphAPIURL, Version: cfg.GraphAPIVersion, HTTPClient: opts.HTTPClient}}
	if err := a.build(ctx); err != nil {
		core.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context) error {
	if err := a.bootstrapAdmin(ctx); err != nil {
		return err
	}
	var err error
	a.Jobs, err = jobs.New(a.DB, jobs.Options{Logger: a.Logger, Registry: a.Registry})
	if err != nil {
		return err
	}
	a.Web = web.New(web.Options{
		Service:  a.Service,
		Logger:   a.Logger,
		Registry: a.Registry,
		Health:   a.DB.Ping,
		BaseURL:  a.Config.BaseURL.String(),
		Now:      a.Opts.Now,
		Blobs:    a.Blobs,
	})
	for _, setup := range capabilities {
		if err := setup(ctx, a); err != nil {
			return err
		}
	}
	if err := a.Jobs.Init(); err != nil {
		return err
	}
	a.listener, err = net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	a.server = &http.Server{
		Handler:           a.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // attachments up to 100 MB on slow links
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	for _, f := range a.onStop {
		a.server.RegisterOnShutdown(f)
	}
	return nil
}

// OnShutdown registers f to run as soon as the HTTP server begins its
// graceful shutdown, e.g. to end long-lived responses (event streams) that
// would otherwise hold the shutdown up until its timeout.
func (a *App) OnShutdown(f func()) { a.onStop = append(a.onStop, f) }

// AddLoop registers a background loop that Run starts and, at shutdown,
// cancels and waits for (after HTTP stopped accepting, before the database
// closes).
func (a *App) AddLoop(loop func(ctx context.Context)) { a.loops = append(a.loops, loop) }

// Addr is the address the server listens on (useful with port 0).
func (a *App) Addr() string { return a.listener.Addr().String() }

// Run serves until ctx ends, then stops gracefully: it stops accepting,
// lets in-flight requests and jobs finish (bounded by ShutdownTimeout) and
// closes the database. It always closes the App.
func (a *App) Run(ctx context.Context) error {
	log := a.Logger
	if err := a.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		a.listener.Close()
		a.Core.Close()
		return err
	}
	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	var loops sync.WaitGroup
	for _, loop := range a.loops {
		loops.Go(func() { loop(loopCtx) })
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(a.listener) }()
	log.Info("wadesk is serving", "addr", a.Addr(), "base_url", a.Config.BaseURL.String(),
		"database", a.DB.Dialect())

	var err error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}

	stopCtx, cancel := context.WithTimeout(context.Background(), a.Opts.ShutdownTimeout)
	defer cancel()
	if e := a.server.Shutdown(stopCtx); e != nil {
		log.Warn("http shutdown", "error", e)
	}
	stopLoops()
	loops.Wait()
	if e := a.Jobs.Stop(stopCtx); e != nil {
		log.Warn("jobs shutdown", "error", e)
	}
	if e := a.Core.Close(); e != nil && err == nil {
		err = e
	}
	log.Info("stopped")
	return err
}

// bootstrapAdmin creates WADESK_ADMIN_EMAIL on the very first start, so a
// fresh install can be logged into without the CLI.
func (a *App) bootstrapAdmin(ctx context.Context) error {
	if a.Config.AdminEmail == "" {
		return nil
	}
	n, err := a.Service.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, err = a.Service.CreateUser(ctx, helpdesk.NewUser{
		Email: a.Config.AdminEmail, Name: "Administrator", Role: helpdesk.RoleAdmin, Password: a.Config.AdminPassword,
	})
	if err != nil {
		return fmt.Errorf("create admin %s: %w", a.Config.AdminEmail, err)
	}
	a.Logger.Info("created the first admin", "email", a.Config.AdminEmail)
	return nil
}

// setupHousekeeping registers the periodic cleanup job and the SQLite
// checkpointer.
func setupHousekeeping(_ context.Context, a *App) error {
	// SQLite: WAL checkpoints beside the writer, never inside a commit.
	a.AddLoop(func(ctx context.Context) { a.DB.RunCheckpoints(ctx, a.Logger) })
	river.AddWorker(a.Jobs.Workers(), &jobs.CleanupWorker{DB: a.DB.Writer(), Inbox: a.DB.InboxDB(), Now: a.Opts.Now, Optimize: a.DB.Optimize})
	a.Jobs.AddPeriodic(jobs.CleanupPeriodic())
	return nil
}
