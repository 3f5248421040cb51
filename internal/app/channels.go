package app

import "context"

// setupChannels wires channel API and the webhook endpoint (ingest into the inbox).
func setupChannels(ctx context.Context, a *App) error {
	return nil
}
