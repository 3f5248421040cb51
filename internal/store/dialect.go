package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"wadesk/internal/helpdesk"
)

// Everything that differs between SQLite and PostgreSQL, apart from the
// migration files, is in this file.

// tableExistsSQL answers whether the table named by $1 exists in the
// current schema.
func (db *DB) tableExistsSQL() string {
	if db.dialect == Postgres {
		return "SELECT to_regclass($1) IS NOT NULL"
	}
	return "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1"
}

// nextTicketNumber takes the next ticket number: a counter row on SQLite
// (safe because SQLite has one writer), a sequence on PostgreSQL.
func (t *Tx) nextTicketNumber(ctx context.Context) (int64, error) {
	q := "UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value"
	if t.d == Postgres {
		q = "SELECT nextval('ticket_number_seq')"
	}
	var n int64
	if err := t.q.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("next ticket number: %w", err)
	}
	return n, nil
}

// searchTerms splits user input into words of letters and digits only, so
// that nothing the user types can be read as search syntax by FTS5 or
// to_tsquery. At most 16 words are kept.
func searchTerms(query string) []string {
	words := strings.FieldsFunc(query, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) > 16 {
		words = words[:16]
	}
	return words
}

// ticketSearch returns a condition on tickets t that is true when the title
// or any message of the ticket contains every word (as a prefix), with the
// single argument to bind for it. ok is false when the query has no words.
func ticketSearch(dialect, query string, arg int) (cond string, value string, ok bool) {
	words := searchTerms(query)
	if len(words) == 0 {
		return "", "", false
	}
	p := fmt.Sprintf("$%d", arg)
	if dialect == Postgres {
		// 'simple' config: no stemming or stop words, like FTS5's unicode61,
		// so both databases find the same tickets. Words are alphanumeric,
		// hence safe inside to_tsquery.
		for i, w := range words {
			words[i] = strings.ToLower(w) + ":*"
		}
		return "(to_tsvector('simple', t.title) @@ to_tsquery('simple', " + p + ")" +
				" OR t.id IN (SELECT m.ticket_id FROM messages m" +
				" WHERE to_tsvector('simple', m.text) @@ to_tsquery('simple', " + p + ")))",
			strings.Join(words, " & "), true
	}
	// FTS5: each word as a quoted string with a prefix star; juxtaposed
	// phrases are ANDed. Quoting makes keywords such as AND/OR/NEAR literal.
	for i, w := range words {
		words[i] = `"` + w + `"*`
	}
	// The matching tickets are collected from the FTS indexes outward: FTS5
	// answers a prefix query by merging whole doclists, so probing it ticket
	// by ticket in inbox order costs a full doclist per probe. Message ids
	// map to tickets through the narrow messages_id_ticket index (migration
	// 00006) rather than the wide message rows.
	return "t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH " + p +
			" UNION ALL SELECT m.ticket_id FROM messages m INDEXED BY messages_id_ticket WHERE m.id IN" +
			" (SELECT rowid FROM messages_fts WHERE messages_fts MATCH " + p + "))",
		strings.Join(words, " "), true
}

// explain returns the plan of a read query: EXPLAIN QUERY PLAN as an
// indented tree on SQLite; on PostgreSQL EXPLAIN ANALYZE with buffers (the
// query runs, so its real row counts and timings are shown).
func (db *DB) explain(ctx context.Context, query string, args ...any) (string, error) {
	if db.dialect == Postgres {
		rows, err := db.reader.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+query, args...)
		if err != nil {
			return "", fmt.Errorf("store: explain: %w", err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return "", fmt.Errorf("store: explain: %w", err)
			}
			b.WriteString(line + "\n")
		}
		return b.String(), rows.Err()
	}
	rows, err := db.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return "", fmt.Errorf("store: explain: %w", err)
	}
	defer rows.Close()
	depth := map[int64]int{}
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int64
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", fmt.Errorf("store: explain: %w", err)
		}
		depth[id] = depth[parent] + 1
		b.WriteString(strings.Repeat("  ", depth[id]-1) + detail + "\n")
	}
	return b.String(), rows.Err()
}

// mapErr turns driver errors into the domain's sentinels: no rows →
// helpdesk.ErrNotFound; unique and foreign-key violations →
// helpdesk.ErrConflict. Other errors pass through.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return helpdesk.ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", "23503": // unique_violation, foreign_key_violation
			return fmt.Errorf("%w (%s)", helpdesk.ErrConflict, pgErr.ConstraintName)
		}
		return err
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w (%s)", helpdesk.ErrConflict, liteErr.Error())
		}
	}
	return err
}
