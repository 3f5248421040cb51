package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// ErrBackupUnsupported is returned by Snapshot on PostgreSQL, whose own
// tools (pg_dump, base backups) do the job better.
var ErrBackupUnsupported = errors.New("store: online backup is for SQLite; back up PostgreSQL with pg_dump")

// Snapshot writes a consistent copy of the SQLite database to path (which
// must not exist) while wadesk keeps running: VACUUM INTO reads one snapshot
// on a connection of its own (the pooled readers are query-only), so writers
// are not blocked (WAL mode).
func (db *DB) Snapshot(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return ErrBackupUnsupported
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: snapshot: %s already exists", path)
	}
	conn, err := sql.Open("sqlite", db.dsn)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	return nil
}
