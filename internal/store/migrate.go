package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql migrations/sqlite-inbox/*.sql
var migrationFiles embed.FS

// provider builds a goose provider for the dialect's migration directory.
// Each migration runs in its own transaction (goose's default for SQL files).
func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations/"+db.dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	gd := goose.DialectSQLite3
	if db.dialect == Postgres {
		gd = goose.DialectPostgres
		// Two servers starting at once must not migrate concurrently. The
		// advisory lock is database-wide, so its id is derived from the
		// schema: parallel test schemas do not wait for each other.
		var schema string
		if err := db.writer.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return nil, err
		}
		h := fnv.New64a()
		h.Write([]byte("wadesk-migrate:" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64() >> 1)))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(gd, db.writer, sub, opts...)
}

// Migrate applies every migration the binary knows and the database lacks.
// Running it again is a no-op.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		db.log.Info("migration applied", "version", r.Source.Version, "duration_ms", r.Duration.Milliseconds())
	}
	return db.adoptLegacyInbox(ctx)
}

// SchemaVersion returns the version the database is at (0 when it was
// never migrated) and the newest version this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	p, err := db.provider(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("store: schema version: %w", err)
	}
	sources := p.ListSources()
	if len(sources) > 0 {
		known = sources[len(sources)-1].Version
	}
	var exists bool
	if err := db.writer.QueryRowContext(ctx, db.tableExistsSQL(), goose.DefaultTablename).Scan(&exists); err != nil {
		return 0, known, fmt.Errorf("store: schema version: %w", err)
	}
	if !exists {
		return 0, known, nil
	}
	var v sql.NullInt64
	if err := db.writer.QueryRowContext(ctx, "SELECT MAX(version_id) FROM "+goose.DefaultTablename).Scan(&v); err != nil {
		return 0, known, fmt.Errorf("store: schema version: %w", err)
	}
	return v.Int64, known, nil
}

// SchemaUpToDate reports whether the database is exactly at the newest
// schema this binary knows. A newer schema (written by a later wadesk) is not
// up to date either: serve must refuse to run on tables it does not know.
func (db *DB) SchemaUpToDate(ctx context.Context) (bool, error) {
	current, known, err := db.SchemaVersion(ctx)
	if err != nil {
		return false, err
	}
	return current == known, nil
}
