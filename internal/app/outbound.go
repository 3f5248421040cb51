package app

import "context"

// setupOutbound wires sending: replies, templates, reminders, rate limits.
func setupOutbound(ctx context.Context, a *App) error {
	return nil
}
