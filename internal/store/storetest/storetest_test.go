package storetest_test

import (
	"context"
	"testing"

	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

func TestForEachDBGivesMigratedDatabases(t *testing.T) {
	seen := map[string]bool{}
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		seen[db.Dialect()] = true
		ok, err := db.SchemaUpToDate(context.Background())
		if err != nil || !ok {
			t.Fatalf("SchemaUpToDate = %v, %v; want true", ok, err)
		}
		if db.Dialect() == store.Postgres && db.PgxPool() == nil {
			t.Error("PgxPool is nil on PostgreSQL")
		}
	})
	if !seen[store.SQLite] {
		t.Error("sqlite subtest did not run")
	}
}
