package cli

import (
	"context"

	"wadesk/internal/app"
	"wadesk/internal/config"
)

// openCore opens the database (migrating it) and the domain service for
// one-shot commands such as `user add`.
func openCore(ctx context.Context, cfg *config.Config, env Env) (*app.Core, error) {
	return app.OpenCore(ctx, cfg, newLogger(env.Stderr, cfg.LogLevel))
}
