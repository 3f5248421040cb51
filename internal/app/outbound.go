package app

import (
	"context"
	"fmt"

	"wadesk/internal/helpdesk"
	"wadesk/internal/outbound"
	"wadesk/internal/web"
)

// outboundWorkers is the send queue's concurrency: enough that River's
// fetch rate (workers per 20 ms) stays above a 1,000 msg/s number; the
// per-number limiter, not the worker count, sets the pace.
const outboundWorkers = 64

// setupOutbound wires sending: replies, templates, reminders, rate limits.
func setupOutbound(ctx context.Context, a *App) error {
	outbox := helpdesk.NewOutbox(a.Service, a.Jobs)
	d, err := outbound.New(outbound.Options{
		Outbox:   outbox,
		Secrets:  a.Secrets,
		Graph:    a.Graph,
		Blobs:    a.Blobs,
		Logger:   a.Logger,
		Registry: a.Registry,
	})
	if err != nil {
		return fmt.Errorf("outbound: %w", err)
	}
	d.Register(a.Jobs.Workers())
	a.Outbound = d
	a.Jobs.SetQueueWorkers(helpdesk.QueueOutbound, outboundWorkers)
	a.Jobs.AddPeriodic(outbound.SyncPeriodic())
	if a.Channels != nil {
		// An admin fixed the token: drop the cached client at once (paused
		// jobs notice the active status on their next check).
		a.Channels.OnReactivated(d.Resume)
	}
	a.Web.MountOutbound(web.OutboundDeps{Outbox: outbox, Blobs: a.Blobs, Templates: d})
	return nil
}
