package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"wadesk/internal/config"
	"wadesk/internal/helpdesk"
	"wadesk/internal/jobs"
	"wadesk/internal/web"
)

// Options are the parts of an App that are not configuration.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // default time.Now
	// ShutdownTimeout bounds the graceful stop: in-flight requests and jobs
	// get this long to finish. Default 25 s (under Kubernetes' 30 s grace).
	ShutdownTimeout time.Duration
}

// App is a running wadesk server.
type App struct {
	*Core
	Registry *prometheus.Registry
	Jobs     *jobs.Runner
	Web      *web.Server

	opts     Options
	listener net.Listener
	server   *http.Server
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
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	core, err := openCore(ctx, cfg, opts.Logger, nil)
	if err != nil {
		return nil, err
	}
	a := &App{Core: core, Registry: reg, opts: opts}
	if err := a.bootstrapAdmin(ctx); err != nil {
		core.Close()
		return nil, err
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &jobs.CleanupWorker{DB: core.DB.Writer(), Now: opts.Now})
	a.Jobs, err = jobs.New(core.DB, jobs.Options{
		Logger:   opts.Logger,
		Registry: reg,
		Workers:  workers,
		Periodic: []*river.PeriodicJob{jobs.CleanupPeriodic()},
	})
	if err != nil {
		core.Close()
		return nil, err
	}

	a.Web = web.New(web.Options{
		Service:  core.Service,
		Logger:   opts.Logger,
		Registry: reg,
		Health:   core.DB.Ping,
		BaseURL:  cfg.BaseURL.String(),
		Now:      opts.Now,
		Blobs:    core.Blobs,
	})

	a.listener, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		core.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a.server = &http.Server{
		Handler:           a.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // attachments up to 100 MB on slow links
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	return a, nil
}

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
	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(a.listener) }()
	log.Info("wadesk is serving", "addr", a.Addr(), "base_url", a.Config.BaseURL.String(),
		"database", string(a.DB.Dialect()))

	var err error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}

	stopCtx, cancel := context.WithTimeout(context.Background(), a.opts.ShutdownTimeout)
	defer cancel()
	if e := a.server.Shutdown(stopCtx); e != nil {
		log.Warn("http shutdown", "error", e)
	}
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
