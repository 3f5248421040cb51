package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// TestSmall generates a tiny inbox on each database, checks what the
// generator wrote, and that every measured request answers 200. Latencies
// are reported by the command, not asserted (machines differ).
func TestSmall(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			o := options{dialect: dialect, tickets: 300, messages: 1700, dir: t.TempDir(), n: 3, concurrency: 2,
				explain: true, seed: 3, timeout: 3 * time.Minute, caseLimit: 30 * time.Second, logs: &bytes.Buffer{}}
			if dialect == store.Postgres {
				o.pgURL, o.schema = testPostgres(t), "largeinbox_test_"+randomHex(6)
			}
			var out bytes.Buffer
			o.out = &out
			rep, err := run(t.Context(), o)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			checkCounts(t, rep)
			if dialect == store.Postgres {
				checkSchemaDropped(t, o)
			}
			for _, r := range rep.results {
				if r.errors > 0 || len(r.seq) != o.n || len(r.conc) != o.n {
					t.Errorf("%s: %d ok sequential, %d ok concurrent, %d errors (%s)", r.c.name, len(r.seq), len(r.conc), r.errors, r.firstError)
				}
				if rep.plans[r.c.name] == "" {
					t.Errorf("%s: no query plan", r.c.name)
				}
			}
			if !strings.Contains(out.String(), "| q: rare word") {
				t.Errorf("no latency table in the output:\n%s", out.String())
			}
		})
	}
}

// checkCounts compares the rows the database holds with what was asked for
// and with the generator's own account.
func checkCounts(t *testing.T, rep *report) {
	t.Helper()
	w, got := rep.world, rep.counts
	want := map[string]int64{
		"tickets":     int64(w.Tickets),
		"messages":    int64(w.Messages),
		"customers":   int64(w.Customers),
		"attachments": int64(w.Attachments),
		"groups":      numGroups,
		"channels":    numChannels,
		"users":       numAgents + 2, // the generated agents, the bench admin and agent
	}
	for table, n := range want {
		if got[table] != n {
			t.Errorf("%s: %d rows, want %d", table, got[table], n)
		}
	}
	if w.Tickets != 300 || w.Messages != 1700 || w.Customers != 60 {
		t.Errorf("generator: %d tickets, %d messages, %d customers; want 300, 1700, 60", w.Tickets, w.Messages, w.Customers)
	}
	if w.Attachments == 0 || w.Notes == 0 {
		t.Errorf("no media (%d) or notes (%d) generated", w.Attachments, w.Notes)
	}
}

// testPostgres is the test server's URL; the test is skipped when it is not
// reachable, or fails when WADESK_TEST_POSTGRES=require (as storetest does).
func testPostgres(t *testing.T) string {
	t.Helper()
	u := os.Getenv("WADESK_TEST_POSTGRES_URL")
	if u == "" {
		u = storetest.DefaultPostgresURL
	}
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		if os.Getenv("WADESK_TEST_POSTGRES") == "require" {
			t.Fatalf("PostgreSQL not reachable: %v", err)
		}
		t.Skipf("PostgreSQL not reachable: %v", err)
	}
	conn.Close(t.Context())
	return u
}

// checkSchemaDropped: without -keep nothing generated stays on the server.
func checkSchemaDropped(t *testing.T, o options) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), o.pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1", o.schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("schema %s was not dropped", o.schema)
	}
}
