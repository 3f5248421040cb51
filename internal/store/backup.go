package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// ErrBackupUnsupported is returned by Snapshot on PostgreSQL, whose own
// tools (pg_dump, base backups) do the job better.
var ErrBackupUnsupported = errors.New("store: online backup is for SQLite; back up PostgreSQL with pg_dump")

// Snapshot writes a consistent copy of the SQLite database to path (which
// must not exist) while wadesk keeps running: VACUUM INTO reads one snapshot
// on a connection of its own (the pooled readers are query-only), so writers
// are not blocked (WAL mode).
//
// The copy is one file: the webhook deliveries of the inbox file are carried
// in its webhook_inbox table, from where the restored wadesk moves them back
// into an inbox file (adoptLegacyInbox). The inbox is copied first: a
// delivery it shows done was applied before the main copy was taken, and one
// still pending may be applied in the main copy already, which processing
// it again after the restore does not change.
func (db *DB) Snapshot(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return ErrBackupUnsupported
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: snapshot: %s already exists", path)
	}
	inboxCopy := path + ".inbox"
	if db.inbox != nil {
		if err := vacuumInto(ctx, db.inbox.dsn, inboxCopy); err != nil {
			return err
		}
		defer os.Remove(inboxCopy)
	}
	if err := vacuumInto(ctx, db.dsn, path); err != nil {
		return err
	}
	if db.inbox == nil {
		return nil
	}
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+sqlitePragmas)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1) // ATTACH is per connection
	const cols = "channel_id, received_at, body, state, attempts, error, processed_at"
	for _, q := range []string{
		"ATTACH DATABASE $1 AS inbox_copy",
		"INSERT INTO main.webhook_inbox (" + cols + ") SELECT " + cols + " FROM inbox_copy.webhook_inbox ORDER BY id",
		"DETACH DATABASE inbox_copy",
		"PRAGMA journal_mode = DELETE", // one self-contained file
	} {
		var args []any
		if strings.HasPrefix(q, "ATTACH") {
			args = append(args, inboxCopy)
		}
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: snapshot: inbox: %w", err)
		}
	}
	return nil
}

// vacuumInto writes a copy of the database at dsn to path.
func vacuumInto(ctx context.Context, dsn, path string) error {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	return nil
}
