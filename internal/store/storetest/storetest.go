// Package storetest gives tests real, freshly migrated databases: a SQLite
// file in t.TempDir() and a throw-away schema on the local PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
)

// DefaultPostgresURL is the test server: trust auth, user postgres, database
// test. WADESK_TEST_POSTGRES_URL overrides it.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// skipWarning prints the "PostgreSQL not reachable" notice once per test
// binary, not once per test. It is the package's only state, and only for
// the readability of test output.
var skipWarning sync.Once

// ForEachDB runs fn as the subtests "sqlite" and "postgres", each with a
// fresh, migrated database that is closed (and on PostgreSQL dropped) when
// the subtest ends. Without a reachable PostgreSQL the postgres subtest is
// skipped, or fails when WADESK_TEST_POSTGRES=require.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// OpenSQLite opens and migrates a new SQLite database in t.TempDir().
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Config{DataDir: t.TempDir()})
}

// OpenPostgres opens and migrates a new schema on the test PostgreSQL.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Config{DatabaseURL: PostgresURL(t), DataDir: t.TempDir()})
}

func open(t testing.TB, cfg store.Config) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return db
}

// PostgresURL creates a fresh schema wadesk_test_<random> on the test
// PostgreSQL and returns a URL whose connections all use it (search_path
// as a runtime parameter). The schema is dropped, with everything in it,
// when the test ends. It skips or fails the test as ForEachDB does when
// PostgreSQL is not reachable.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("WADESK_TEST_POSTGRES_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		unreachable(t, err)
	}
	defer conn.Close(context.Background())

	b := make([]byte, 8)
	rand.Read(b)
	schema := "wadesk_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(t, base, schema) })

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func dropSchema(t testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("storetest: drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("storetest: drop schema %s: %v", schema, err)
	}
}

func unreachable(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("PostgreSQL not reachable (%v): PostgreSQL tests are SKIPPED; set WADESK_TEST_POSTGRES=require to make this fail", err)
	if os.Getenv("WADESK_TEST_POSTGRES") == "require" {
		t.Fatalf("storetest: %s", msg)
	}
	skipWarning.Do(func() { fmt.Fprintln(os.Stderr, "!!! storetest: "+msg) })
	t.Skip("storetest: " + msg)
}

// NewService returns a helpdesk.Service over db with the given clock
// (time.Now when nil) and logs discarded.
func NewService(t testing.TB, db *store.DB, now func() time.Time) *helpdesk.Service {
	t.Helper()
	return helpdesk.NewService(db, helpdesk.Options{Now: now})
}
