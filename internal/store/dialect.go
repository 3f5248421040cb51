package store

import (
	"context"
	"database/sql"
	"encoding/json"
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

// searchSetLimit is the estimated number of matching messages under which
// PostgreSQL search collects the matching tickets from the GIN index; above
// it the list walks the inbox instead (see pgTicketSearch).
const searchSetLimit = 20000

// ticketSearch returns a condition on tickets t that is true when the title
// or any message of the ticket contains every word (as a prefix), adding
// its arguments to a. It returns "" when the query has no words.
//
// A list is ordered by activity and wants one page, so there are two ways
// to answer it: collect every matching ticket from the full-text index and
// sort them (cost grows with the matches: right for rare words), or walk
// the inbox in order and check each ticket until the page is full (cost
// grows with the tickets skipped: right for common words).
func (r reads) ticketSearch(ctx context.Context, query string, a *args) (string, error) {
	words := searchTerms(query)
	if len(words) == 0 {
		return "", nil
	}
	if r.d == Postgres {
		return r.pgTicketSearch(ctx, words, a)
	}
	return r.sqliteTicketSearch(ctx, words, sqliteSearchSetLimit, a)
}

// pgTicketSearch picks the plan by the planner's estimate of matching
// messages (from the statistics ANALYZE keeps on messages.text_tsv; the
// EXPLAIN costs well under a millisecond, where counting the matches of a
// common word costs a second). Few matches: collect the matching tickets.
// Many: walk the inbox in order and check each ticket's messages, which
// fills a page after a few dozen tickets.
func (r reads) pgTicketSearch(ctx context.Context, words []string, a *args) (string, error) {
	// 'simple' config: no stemming or stop words, like FTS5's unicode61,
	// so both databases find the same tickets. Words are alphanumeric,
	// hence safe inside to_tsquery.
	for i, w := range words {
		words[i] = strings.ToLower(w) + ":*"
	}
	value := strings.Join(words, " & ")
	var plan string
	err := r.q.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON)
		SELECT 1 FROM messages WHERE text_tsv @@ to_tsquery('simple', $1)`, value).Scan(&plan)
	if err != nil {
		return "", fmt.Errorf("search estimate: %w", err)
	}
	var est []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &est); err != nil || len(est) == 0 {
		return "", fmt.Errorf("search estimate: unexpected EXPLAIN output: %v", err)
	}
	// messages.text_tsv is the stored to_tsvector('simple', text) (migration
	// 00013): rechecks of lossy GIN bitmap pages and the per-ticket EXISTS
	// read it instead of parsing the text again.
	tsq := "to_tsquery('simple', " + a.add(value) + ")"
	if est[0].Plan.Rows < searchSetLimit {
		return "t.id IN (SELECT id FROM tickets WHERE to_tsvector('simple', title) @@ " + tsq +
			" UNION ALL SELECT ticket_id FROM messages WHERE text_tsv @@ " + tsq + ")", nil
	}
	// OFFSET 0 keeps the EXISTS a per-ticket check: without it PostgreSQL
	// may turn it into a hashed subplan that first lists every match (8 s
	// instead of 7 ms for a prefix in 200,000 messages).
	return "(to_tsvector('simple', t.title) @@ " + tsq +
		" OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.text_tsv @@ " + tsq + " OFFSET 0))", nil
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
