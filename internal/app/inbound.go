package app

import "context"

// setupInbound wires the inbox processor, media downloads and the SSE event stream.
func setupInbound(ctx context.Context, a *App) error {
	return nil
}
