// Package store is wadesk's SQL storage: one implementation of
// helpdesk.Store for SQLite (modernc, pure Go) and PostgreSQL (pgx), with the
// same query text for both; the few dialect differences live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect names, as returned by DB.Dialect.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Config says where the database is.
type Config struct {
	// DatabaseURL is empty or "sqlite:<path>" for SQLite, or
	// "postgres://…" / "postgresql://…" for PostgreSQL.
	DatabaseURL string
	// DataDir holds wadesk.db when DatabaseURL does not name a SQLite path.
	DataDir string
	Logger  *slog.Logger
}

// DB is an open database. Reads go to the reader pool; writes only happen
// inside WithTx on the writer.
type DB struct {
	reads // read methods on the reader pool

	dialect string
	writer  *sql.DB
	reader  *sql.DB
	pool    *pgxpool.Pool // nil on SQLite
	inbox   *inboxFile    // SQLite: webhook_inbox's own file (inbox_file.go); nil on PostgreSQL
	dsn     string        // SQLite: the base DSN, for side connections (Snapshot)
	log     *slog.Logger
}

// Open connects to the database named by cfg and checks that it answers.
// It does not migrate: call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	u := strings.TrimSpace(cfg.DatabaseURL)
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return openPostgres(ctx, u, logger)
	case u == "" || strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if path == "" {
			if cfg.DataDir == "" {
				return nil, errors.New("store: no database: set a data directory or a database URL")
			}
			path = filepath.Join(cfg.DataDir, "wadesk.db")
		}
		return openSQLite(ctx, path, logger)
	default:
		return nil, errors.New("store: database URL must start with postgres://, postgresql:// or sqlite:")
	}
}

// sqlitePragmas are applied to every connection, busy_timeout first so that
// the others never fail with SQLITE_BUSY. NORMAL sync in WAL mode survives a
// process crash (only an OS crash can lose the last commits), which is the
// trade-off pocketbase and most SQLite servers make.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

func openSQLite(ctx context.Context, path string, logger *slog.Logger) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	// Escape the path the way a URL path is escaped, so '?' or '#' in a
	// directory name cannot inject DSN parameters.
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	// The writer never checkpoints on its own (wal_autocheckpoint 0): a
	// commit that crossed the threshold would copy the WAL back and fsync
	// while every webhook ack waits for the one writer. Checkpoint runs
	// beside it instead, on a connection of its own (see checkpoint.go).
	writer, err := sql.Open("sqlite", base+"&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	// SQLite has one writer at a time; one connection makes writers queue in
	// Go instead of spinning on SQLITE_BUSY. River shares this connection.
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	reader, err := sql.Open("sqlite", base+"&_query_only=1")
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	db := &DB{dialect: SQLite, writer: writer, reader: reader, dsn: base, log: logger}
	db.reads = reads{q: reader, d: db.dialect, in: reader}
	if db.inbox, err = openInboxFile(ctx, path); err != nil {
		db.Close()
		return nil, err
	}
	db.in = db.inbox.reader
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, u string, logger *slog.Logger) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		// pgx error text can echo the URL, password included: keep it out.
		return nil, errors.New("store: invalid PostgreSQL URL")
	}
	if !strings.Contains(u, "pool_max_conns") {
		// pgxpool's default (max(4, CPUs)) starves the send workers, the
		// inbox processor and the API at once; PostgreSQL's default 100
		// connections leave room for several instances at 16.
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	db := &DB{dialect: Postgres, writer: sqlDB, reader: sqlDB, pool: pool, log: logger}
	db.reads = reads{q: sqlDB, d: db.dialect, in: sqlDB}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to postgres %s:%d/%s: %w",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return db, nil
}

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Writer is the connection that writes: on SQLite the single writer
// connection (River must share it), on PostgreSQL the pool.
func (db *DB) Writer() *sql.DB { return db.writer }

// PgxPool is the PostgreSQL pool for River, nil on SQLite.
func (db *DB) PgxPool() *pgxpool.Pool { return db.pool }

// Ping checks that the database answers (readers and writer).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if db.reader != db.writer {
		if err := db.reader.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping readers: %w", err)
		}
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	var errs []error
	if db.reader != db.writer {
		errs = append(errs, db.reader.Close())
	}
	errs = append(errs, db.writer.Close())
	if db.inbox != nil {
		errs = append(errs, db.inbox.close())
	}
	if db.pool != nil {
		db.pool.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}
