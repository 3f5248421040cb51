package app

import "context"

// setupUI wires the server-rendered web app.
func setupUI(ctx context.Context, a *App) error {
	return nil
}
