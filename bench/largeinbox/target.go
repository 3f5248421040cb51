package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/secret"
	"wadesk/internal/store"
)

// target is where the large inbox lives: a data directory (the SQLite file,
// the secret key, attachments) and, on PostgreSQL, a schema of its own.
type target struct {
	dialect string
	dir     string
	ownDir  bool   // created by us: removed at the end unless -keep
	pgBase  string // the server URL, without search_path
	schema  string // PostgreSQL schema
	dbURL   string // what wadesk is configured with ("" = SQLite in dir)
	key     []byte // secret key sealing the channels' secrets
}

// sqlitePath is the database file wadesk uses in dir.
func (t *target) sqlitePath() string { return filepath.Join(t.dir, "wadesk.db") }

// openTarget prepares the data directory and, on PostgreSQL, the URL of the
// schema. With fresh, any earlier inbox there is removed first.
func openTarget(ctx context.Context, o options, fresh bool) (*target, error) {
	t := &target{dialect: o.dialect, dir: o.dir, pgBase: o.pgURL, schema: o.schema}
	if t.dir == "" {
		d, err := os.MkdirTemp("", "largeinbox-")
		if err != nil {
			return nil, err
		}
		t.dir, t.ownDir = d, true
	}
	if err := os.MkdirAll(t.dir, 0o700); err != nil {
		return nil, err
	}
	if fresh {
		for _, f := range []string{"wadesk.db", "wadesk.db-wal", "wadesk.db-shm", "secret.key"} {
			if err := os.Remove(filepath.Join(t.dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
		if err := os.WriteFile(filepath.Join(t.dir, "secret.key"), []byte(secret.NewKey()+"\n"), 0o600); err != nil {
			return nil, err
		}
	}
	raw, err := os.ReadFile(filepath.Join(t.dir, "secret.key"))
	if err != nil {
		return nil, fmt.Errorf("no generated inbox in %s (run without -reuse first): %w", t.dir, err)
	}
	if t.key, err = secret.ParseKey(string(bytes.TrimSpace(raw))); err != nil {
		return nil, err
	}
	if t.dialect == store.Postgres {
		if fresh {
			if err := t.pgExec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{t.schema}.Sanitize()+" CASCADE",
				"CREATE SCHEMA "+pgx.Identifier{t.schema}.Sanitize()); err != nil {
				return nil, err
			}
		}
		u, err := url.Parse(t.pgBase)
		if err != nil {
			return nil, fmt.Errorf("parse -pg: %w", err)
		}
		q := u.Query()
		q.Set("search_path", t.schema)
		u.RawQuery = q.Encode()
		t.dbURL = u.String()
	}
	return t, nil
}

// storeConfig opens the inbox with wadesk's own store.
func (t *target) storeConfig() store.Config {
	return store.Config{DatabaseURL: t.dbURL, DataDir: t.dir}
}

// migrate applies wadesk's real migrations to the empty database.
func (t *target) migrate(ctx context.Context) error {
	db, err := store.Open(ctx, t.storeConfig())
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// pgExec runs statements on the server (outside the schema).
func (t *target) pgExec(ctx context.Context, stmts ...string) error {
	conn, err := pgx.Connect(ctx, t.pgBase)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// remove deletes the schema and, when we created it, the directory.
func (t *target) remove() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	if t.dialect == store.Postgres {
		errs = append(errs, t.pgExec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{t.schema}.Sanitize()+" CASCADE"))
	}
	if t.ownDir {
		errs = append(errs, os.RemoveAll(t.dir))
	} else {
		for _, f := range []string{"wadesk.db", "wadesk.db-wal", "wadesk.db-shm", "secret.key", "blobs"} {
			errs = append(errs, os.RemoveAll(filepath.Join(t.dir, f)))
		}
	}
	return errors.Join(errs...)
}

// randomHex is an unguessable id (webhook ids, verify tokens).
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
