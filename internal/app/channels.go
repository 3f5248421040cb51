package app

import (
	"context"

	"wadesk/internal/channel"
	"wadesk/internal/inbox"
)

// setupChannels wires the channel API and the webhook endpoint, whose
// deliveries go through the group-commit writer into the inbox.
func setupChannels(_ context.Context, a *App) error {
	a.Channels = channel.New(channel.Options{
		Store:   a.DB,
		Graph:   a.Graph,
		Secrets: a.Secrets,
		// Read on every use: the base URL can be changed after New (tests
		// learn their port only then).
		BaseURL: func() string { return a.Config.BaseURL.String() },
		Now:     a.Opts.Now,
		Logger:  a.Logger,
	})
	a.Inbox = inbox.New(a.DB, inbox.Options{Now: a.Opts.Now, Logger: a.Logger, Registry: a.Registry})
	a.AddLoop(a.Inbox.Run)
	a.Web.MountChannels(a.Channels)
	a.Web.MountWebhook(a.Channels, a.Inbox)
	return nil
}
