// Package cli implements the wadesk command line: one file per subcommand.
// Main returns the exit code: 0 on success, 1 on error (one line on stderr),
// 2 on bad usage.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"wadesk/internal/config"
)

// Env is the process environment, passed in so tests can drive Main.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// usageError marks errors that deserve exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name    string // may be two words: "user add"
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "migrate the database, then serve the web UI, API and webhooks, and run the job workers", runServe},
		{"demo", "serve on a temporary data dir with the Cloud API simulator, a demo channel and admin, and a customer phone page", runDemo},
		{"sim", "run the Cloud API simulator alone (--addr, default :8090)", runSim},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"user add", "create a user: --email E --name N --role admin|agent [--password P] (stdin when omitted)", runUserAdd},
		{"token create", "print a new API token for a user: --email E [--name N]", runTokenCreate},
		{"backup", "write an online backup (SQLite database, attachments, secret key) to FILE: backup FILE", runBackup},
		{"restore", "unpack a backup into an empty data dir: restore FILE", runRestore},
		{"version", "print the version", runVersion},
	}
}

// Main runs the command named by args and returns the process exit code.
func Main(args []string, env Env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd, rest := lookup(args)
	if cmd == nil {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			printUsage(env.Stdout)
			return 0
		}
		printUsage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		fmt.Fprintf(env.Stderr, "wadesk: unknown command %q\n", strings.Join(args, " "))
		return 2
	}
	err := cmd.run(ctx, env, rest)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "wadesk %s: %s\n", cmd.name, ue.msg)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "wadesk %s: %s\n", cmd.name, oneLine(err.Error()))
		return 1
	}
}

func lookup(args []string) (*command, []string) {
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return &c, args[len(words):]
		}
	}
	return nil, nil
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: wadesk <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from WADESK_* environment variables; see the README.")
}

// oneLine keeps the contract's promise of a single line on stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseFlags parses args with the configuration flags plus the command's
// own, then loads and validates the configuration.
func parseFlags(fs *flag.FlagSet, env Env, args []string) (*config.Config, error) {
	fs.SetOutput(env.Stderr)
	resolve := config.Flags(fs, env.Getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	return config.Load(resolve())
}

// newLevel parses a log level name, or returns nil.
func newLevel(name string) *slog.Level {
	var l slog.Level
	switch strings.ToLower(name) {
	case "debug", "info", "warn", "error":
		if l.UnmarshalText([]byte(name)) == nil {
			return &l
		}
	}
	return nil
}

// newLogger writes JSON lines to stderr, as the contract says.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
