package cli

import (
	"context"
	"flag"

	"wadesk/internal/app"
)

func runServe(ctx context.Context, env Env, args []string) error {
	cfg, err := parseFlags(flag.NewFlagSet("serve", flag.ContinueOnError), env, args)
	if err != nil {
		return err
	}
	logger := newLogger(env.Stderr, cfg.LogLevel)
	a, err := app.New(ctx, cfg, app.Options{Logger: logger})
	if err != nil {
		return err
	}
	// Run returns when ctx ends (SIGINT/SIGTERM) after a graceful shutdown.
	return a.Run(ctx)
}
