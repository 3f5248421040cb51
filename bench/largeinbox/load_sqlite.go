package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// bulkPragmas trade durability for speed while loading a throw-away file:
// no journal, no fsync, a large page cache, sorts in memory.
const bulkPragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)" +
	"&_pragma=cache_size(-262144)&_pragma=temp_store(MEMORY)&_pragma=foreign_keys(0)"

// loadSQLite drops the FTS triggers and the secondary indexes, inserts every
// row with multi-row INSERTs in large transactions, then rebuilds indexes
// and the FTS tables in one pass each and returns the file to WAL mode.
func loadSQLite(ctx context.Context, t *target, m *model) (loadResult, error) {
	var res loadResult
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: t.sqlitePath()}).EscapedPath()+"?"+bulkPragmas)
	if err != nil {
		return res, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	exec := func(ctx context.Context, q string, args ...any) error {
		_, err := conn.ExecContext(ctx, q, args...)
		return err
	}
	indexes, err := sqliteSaved(ctx, conn, "index", "tbl_name IN ('"+strings.Join(bigTables, "', '")+"')")
	if err != nil {
		return res, err
	}
	triggers, err := sqliteSaved(ctx, conn, "trigger", "name LIKE '%fts%'")
	if err != nil {
		return res, err
	}
	for _, ix := range indexes {
		if err := exec(ctx, "DROP INDEX "+ix.name); err != nil {
			return res, err
		}
	}
	for _, tr := range triggers {
		if err := exec(ctx, "DROP TRIGGER "+tr.name); err != nil {
			return res, err
		}
	}

	began := time.Now()
	s := &sqliteSink{conn: conn, stmts: map[string]*sql.Stmt{}}
	defer s.close()
	if err := exec(ctx, "BEGIN"); err != nil {
		return res, err
	}
	if err := seedTeam(ctx, exec, m, t.key); err != nil {
		return res, err
	}
	if err := generate(ctx, m, s, 500); err != nil {
		return res, err
	}
	if err := exec(ctx, "UPDATE counters SET value = $1 WHERE name = 'ticket_number'", int64(10000+m.world.Tickets)); err != nil {
		return res, err
	}
	if err := exec(ctx, "COMMIT"); err != nil {
		return res, err
	}
	res.rows = time.Since(began)

	began = time.Now()
	for _, ix := range indexes {
		if err := exec(ctx, ix.def); err != nil {
			return res, fmt.Errorf("%s: %w", ix.def, err)
		}
	}
	// One 'rebuild' reads the content tables once; 'optimize' merges the
	// segments into one b-tree, the shape a long-running FTS index tends to.
	for _, q := range []string{
		"INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
		"INSERT INTO messages_fts (messages_fts) VALUES ('optimize')",
		"INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild')",
		"INSERT INTO tickets_fts (tickets_fts) VALUES ('optimize')",
		// Everything is indexed now: the store's per-transaction indexer
		// (migration 00009) must start after the last loaded message.
		"UPDATE search_watermark SET last_id = (SELECT COALESCE(MAX(id), 0) FROM messages) WHERE name = 'messages'",
	} {
		if err := exec(ctx, q); err != nil {
			return res, fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, tr := range triggers {
		if err := exec(ctx, tr.def); err != nil {
			return res, fmt.Errorf("%s: %w", tr.def, err)
		}
	}
	res.index = time.Since(began)

	began = time.Now()
	for _, q := range []string{"ANALYZE", "PRAGMA optimize", "PRAGMA journal_mode = WAL"} {
		if err := exec(ctx, q); err != nil {
			return res, fmt.Errorf("%s: %w", q, err)
		}
	}
	res.finish = time.Since(began)
	return res, nil
}

// sqliteSaved returns the CREATE statements of the schema objects of a type
// matching where (automatic indexes have no SQL and are skipped).
func sqliteSaved(ctx context.Context, conn *sql.Conn, typ, where string) ([]savedIndex, error) {
	rows, err := conn.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = $1 AND sql IS NOT NULL AND "+where+" ORDER BY name", typ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []savedIndex
	for rows.Next() {
		var ix savedIndex
		if err := rows.Scan(&ix.name, &ix.def); err != nil {
			return nil, err
		}
		out = append(out, ix)
	}
	return out, rows.Err()
}

// sqliteSink inserts batches with prepared multi-row INSERTs and commits
// every commitEvery rows, so the transaction stays big but bounded.
type sqliteSink struct {
	conn    *sql.Conn
	stmts   map[string]*sql.Stmt
	pending int
}

const (
	sqliteRowsPerInsert = 250
	commitEvery         = 200_000
)

func (s *sqliteSink) write(ctx context.Context, table string, cols []string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), sqliteRowsPerInsert)
		st, err := s.stmt(ctx, table, cols, n)
		if err != nil {
			return err
		}
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		rows = rows[n:]
		s.pending += n
	}
	if s.pending >= commitEvery {
		s.pending = 0
		if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
			return err
		}
		if _, err := s.conn.ExecContext(ctx, "BEGIN"); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqliteSink) stmt(ctx context.Context, table string, cols []string, n int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%d", table, n)
	if st, ok := s.stmts[key]; ok {
		return st, nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	st, err := s.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.stmts[key] = st
	return st, nil
}

func (s *sqliteSink) close() {
	for _, st := range s.stmts {
		st.Close()
	}
}
