package app

import (
	"context"

	"github.com/riverqueue/river"

	"wadesk/internal/events"
	"wadesk/internal/inbound"
	"wadesk/internal/store"
	"wadesk/internal/web"
)

// setupInbound wires the inbox processor, media downloads and the SSE event stream.
func setupInbound(_ context.Context, a *App) error {
	opts := inbound.Options{Service: a.Service, Jobs: a.Jobs, Secrets: a.Secrets, Logger: a.Logger, Registry: a.Registry}
	if a.Inbox != nil {
		opts.Wake = a.Inbox.Subscribe()
	}
	p, err := inbound.New(opts)
	if err != nil {
		return err
	}
	a.AddLoop(p.Run)
	if pool := a.DB.PgxPool(); a.DB.Dialect() == store.Postgres && pool != nil {
		// Deliveries stored by other instances arrive as NOTIFY wadesk_inbox.
		cfg := pool.Config().ConnConfig
		a.AddLoop(func(ctx context.Context) {
			inbound.Listen(ctx, cfg, p.Notify, func(err error) {
				a.Logger.Warn("inbound: LISTEN wadesk_inbox failed; polling meanwhile", "error", err)
			})
		})
	}

	river.AddWorker(a.Jobs.Workers(), &inbound.MediaWorker{Service: a.Service, Secrets: a.Secrets, Blobs: a.Blobs,
		Graph: a.Graph, Logger: a.Logger})
	a.Web.HandleAPI("POST /api/v1/attachments/{id}/retry", a.Web.AttachmentRetryHandler(a.Jobs))

	hub := events.New(events.Options{Render: a.Web.EventData, Logger: a.Logger, Registry: a.Registry})
	a.Events.Subscribe(hub)
	a.Hub = hub
	a.AddLoop(hub.Run)
	a.OnShutdown(hub.Close)
	a.Web.HandleAPI("GET /api/v1/events", a.Web.EventsHandler(hub, web.DefaultKeepAlive))
	return nil
}
