package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"wadesk/internal/helpdesk"
)

func runUserAdd(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address (login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "agent", "admin or agent")
	password := fs.String("password", "", "password (read from stdin when omitted)")
	cfg, err := parseFlags(fs, env, args)
	if err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return usagef("--email and --name are required")
	}
	if *role != string(helpdesk.RoleAdmin) && *role != string(helpdesk.RoleAgent) {
		return usagef("--role must be admin or agent")
	}
	if *password == "" {
		// One line from stdin, so `echo secret | wadesk user add …` works and
		// the password stays out of the process list and shell history.
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no --password given and nothing to read on stdin")
		}
		*password = strings.TrimRight(line, "\r\n")
	}

	core, err := openCore(ctx, cfg, env)
	if err != nil {
		return err
	}
	defer core.Close()
	u, err := core.Service.CreateUser(ctx, helpdesk.NewUser{
		Email: *email, Name: *name, Role: helpdesk.Role(*role), Password: *password,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}
