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
	prefixes := make([]string, len(words))
	for i, w := range words {
		prefixes[i] = strings.ToLower(w) + ":*"
	}
	titleQuery := "to_tsquery('simple', " + a.add(strings.Join(prefixes, " & ")) + ")"
	msgValue, err := r.pgExpandPrefixes(ctx, words)
	if err != nil {
		return "", err
	}
	if msgValue == "" {
		// A word no message has: only titles can match.
		return "t.id IN (SELECT id FROM tickets WHERE to_tsvector('simple', title) @@ " + titleQuery + ")", nil
	}
	var plan string
	err = r.q.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON)
		SELECT 1 FROM messages WHERE text_tsv @@ $1::tsquery`, msgValue).Scan(&plan)
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
	msgQuery := a.add(msgValue) + "::tsquery"
	if est[0].Plan.Rows < searchSetLimit {
		return "t.id IN (SELECT id FROM tickets WHERE to_tsvector('simple', title) @@ " + titleQuery +
			" UNION ALL SELECT ticket_id FROM messages WHERE text_tsv @@ " + msgQuery + ")", nil
	}
	// OFFSET 0 keeps the EXISTS a per-ticket check: without it PostgreSQL
	// may turn it into a hashed subplan that first lists every match (8 s
	// instead of 7 ms for a prefix in 200,000 messages).
	return "(to_tsvector('simple', t.title) @@ " + titleQuery +
		" OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.text_tsv @@ " + msgQuery + " OFFSET 0))", nil
}

// pgExpandPrefixes returns the tsquery (in tsquery input syntax) over
// messages for the words, each word an OR of the exact lexemes that start
// with it (search_lexemes, migration 00014): GIN looks exact lexemes up
// cheaply, where a prefix makes it collect every row of every matching
// lexeme first. It returns "" when a word starts no lexeme. A word with
// characters outside ASCII (PostgreSQL's lower() decides its lexeme) or
// more than maxPrefixTerms lexemes keeps the prefix form for all words.
func (r reads) pgExpandPrefixes(ctx context.Context, words []string) (string, error) {
	parts := make([]string, len(words))
	prefixes := make([]string, len(words))
	expand := true
	for i, w := range words {
		prefixes[i] = "to_tsquery('simple', " + pgQuote(strings.ToLower(w)+":*") + ")"
		lexemes, ok, err := r.pgLexemes(ctx, strings.ToLower(w))
		if err != nil {
			return "", err
		}
		if !ok {
			expand = false
			continue
		}
		if len(lexemes) == 0 {
			return "", nil
		}
		for j, l := range lexemes {
			lexemes[j] = "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(l) + "'"
		}
		parts[i] = "(" + strings.Join(lexemes, " | ") + ")"
	}
	if !expand {
		// to_tsquery normalizes the words as before; ::text gives the value
		// back in tsquery input syntax.
		var v string
		err := r.q.QueryRowContext(ctx, "SELECT ("+strings.Join(prefixes, " && ")+")::text").Scan(&v)
		if err != nil {
			return "", fmt.Errorf("search terms: %w", err)
		}
		return v, nil
	}
	return strings.Join(parts, " & "), nil
}

// pgLexemes returns the lexemes that start with w (lower case); ok is
// false when w has characters outside ASCII or more than maxPrefixTerms
// lexemes start with it.
func (r reads) pgLexemes(ctx context.Context, w string) (lexemes []string, ok bool, err error) {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return nil, false, nil
		}
	}
	upper := w[:len(w)-1] + string(w[len(w)-1]+1) // see prefixTerms
	rows, err := r.q.QueryContext(ctx, `SELECT lexeme FROM search_lexemes
		WHERE lexeme >= $1 COLLATE "C" AND lexeme < $2 COLLATE "C" ORDER BY lexeme LIMIT $3`, w, upper, maxPrefixTerms+1)
	if err != nil {
		return nil, false, fmt.Errorf("search terms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, false, fmt.Errorf("search terms: %w", err)
		}
		lexemes = append(lexemes, l)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("search terms: %w", err)
	}
	return lexemes, len(lexemes) <= maxPrefixTerms, nil
}

// pgQuote returns s as a PostgreSQL string literal.
func pgQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
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
