package cli

import (
	"context"
	"flag"
	"fmt"

	"wadesk/internal/app"
)

func runMigrate(ctx context.Context, env Env, args []string) error {
	cfg, err := parseFlags(flag.NewFlagSet("migrate", flag.ContinueOnError), env, args)
	if err != nil {
		return err
	}
	if err := app.Migrate(ctx, cfg, newLogger(env.Stderr, cfg.LogLevel)); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "database is up to date")
	return nil
}
