package cli

import (
	"context"
	"flag"
	"fmt"
)

func runTokenCreate(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "cli", "a name to recognise the token by")
	cfg, err := parseFlags(fs, env, args)
	if err != nil {
		return err
	}
	if *email == "" {
		return usagef("--email is required")
	}
	core, err := openCore(ctx, cfg, env)
	if err != nil {
		return err
	}
	defer core.Close()
	u, err := core.Service.UserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("no user with e-mail %s", *email)
	}
	raw, _, err := core.Service.CreateAPIToken(ctx, u.ID, *name)
	if err != nil {
		return err
	}
	// Only the token on stdout, so scripts can capture it: TOKEN=$(wadesk token create …)
	fmt.Fprintln(env.Stdout, raw)
	return nil
}
