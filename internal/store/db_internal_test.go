package store

import (
	"context"
	"testing"
)

func TestSQLiteConnections(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != SQLite || db.PgxPool() != nil {
		t.Errorf("dialect %s, pool %v", db.Dialect(), db.PgxPool())
	}
	if n := db.writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer max open connections = %d, want 1", n)
	}
	// Reads outside WithTx run on the query_only pool: a write there fails.
	if _, err := db.reader.ExecContext(ctx, "CREATE TABLE nope (a INTEGER)"); err == nil {
		t.Error("write through the reader pool succeeded")
	}
	var mode string
	var fk, busy int
	if err := db.reader.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	if err := db.writer.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v", fk, err)
	}
	if err := db.writer.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 10000 {
		t.Errorf("busy_timeout = %d, %v", busy, err)
	}
}

func TestSearchTermsAreAlphanumericOnly(t *testing.T) {
	cases := map[string][]string{
		`"foo AND (`:    {"foo", "AND"},
		`naïve café 42`: {"naïve", "café", "42"},
		`a*b:c^d'e"f-g`: {"a", "b", "c", "d", "e", "f", "g"},
		`  `:            nil,
		`🙂`:             nil,
	}
	for in, want := range cases {
		got := searchTerms(in)
		if len(got) != len(want) {
			t.Errorf("searchTerms(%q) = %q, want %q", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("searchTerms(%q) = %q, want %q", in, got, want)
			}
		}
	}
}
