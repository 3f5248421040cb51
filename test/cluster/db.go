package cluster

import (
	"database/sql"
	"path/filepath"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver, to read PostgreSQL directly
	_ "modernc.org/sqlite"             // "sqlite" driver, to read the SQLite file directly
)

// DB opens the cluster's database directly, read-only in spirit: tests use
// it to count what really got stored, not what the API says.
func (c *Cluster) DB() *sql.DB { return c.open("wadesk.db") }

// InboxDB opens the database that holds webhook_inbox: on SQLite the inbox's
// own file (see internal/store/inbox_file.go), on PostgreSQL the database.
func (c *Cluster) InboxDB() *sql.DB { return c.open("wadesk-inbox.db") }

func (c *Cluster) open(sqliteFile string) *sql.DB {
	c.T.Helper()
	var db *sql.DB
	var err error
	if c.DBURL != "" {
		db, err = sql.Open("pgx", c.DBURL)
	} else {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(c.DataDir, sqliteFile)+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	}
	if err != nil {
		c.T.Fatal(err)
	}
	c.T.Cleanup(func() { db.Close() })
	return db
}

// Count runs a COUNT query.
func Count(t interface{ Fatalf(string, ...any) }, db *sql.DB, q string, args ...any) int {
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TicketIDs lists every ticket id, oldest first.
func TicketIDs(t interface{ Fatalf(string, ...any) }, db *sql.DB) []int64 {
	rows, err := db.Query(`SELECT id FROM tickets ORDER BY id`)
	if err != nil {
		t.Fatalf("list tickets: %v", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatalf("list tickets: %v", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list tickets: %v", err)
	}
	return ids
}
