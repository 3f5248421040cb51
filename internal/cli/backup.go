package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"wadesk/internal/backup"
	"wadesk/internal/store"
)

// runBackup writes an online backup (SQLite database snapshot, attachments,
// secret key) to FILE, or to stdout with "-". It can run while serve runs.
func runBackup(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	file, cfgArgs := splitFileArg(args)
	cfg, err := parseFlags(fs, env, cfgArgs)
	if err != nil {
		return err
	}
	if file == "" {
		return usagef("usage: wadesk backup FILE [flags] (FILE - for stdout)")
	}
	if cfg.UsesPostgres() {
		return errors.New(store.ErrBackupUnsupported.Error() + " (and copy the attachments directory, if WADESK_ATTACHMENTS=dir)")
	}
	core, err := openCore(ctx, cfg, env)
	if err != nil {
		return err
	}
	defer core.Close()

	var w io.Writer = env.Stdout
	var f *os.File
	if file != "-" {
		// O_EXCL: never overwrite an earlier backup by accident.
		f, err = os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		w = f
	}
	sum, err := backup.Create(ctx, core.DB, cfg.DataDir, cfg.AttachmentsDir, w)
	if f != nil {
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(file)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "backup: database %d bytes, %d attachments (%d bytes), secret key included: %v\n",
		sum.DatabaseBytes, sum.Blobs, sum.BlobBytes, sum.SecretKey)
	return nil
}

// runRestore unpacks a backup into an empty data dir.
func runRestore(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	file, cfgArgs := splitFileArg(args)
	cfg, err := parseFlags(fs, env, cfgArgs)
	if err != nil {
		return err
	}
	if file == "" {
		return usagef("usage: wadesk restore FILE [flags] (FILE - for stdin)")
	}
	if cfg.UsesPostgres() {
		return errors.New("restore is for SQLite data directories; restore PostgreSQL with pg_restore")
	}
	var r io.Reader = env.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	// config.Load generated a secret key into the empty data dir; the
	// backup brings the real one, so remove the fresh one first.
	keyPath := filepath.Join(cfg.DataDir, "secret.key")
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "wadesk.db")); err == nil {
		return fmt.Errorf("%s already has a database; restore into an empty data directory", cfg.DataDir)
	}
	os.Remove(keyPath)
	sum, err := backup.Restore(r, cfg.DataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored into %s: database %d bytes, %d attachments, secret key: %v\n",
		cfg.DataDir, sum.DatabaseBytes, sum.Blobs, sum.SecretKey)
	return nil
}

// splitFileArg takes the FILE argument, which comes first
// (`wadesk backup FILE [flags]`), and leaves the flags.
func splitFileArg(args []string) (file string, flags []string) {
	if len(args) > 0 && (args[0] == "-" || !strings.HasPrefix(args[0], "-")) {
		return args[0], args[1:]
	}
	return "", args
}
