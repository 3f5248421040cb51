package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// SQLite search. Every search word matches as a prefix, but FTS5 answers a
// prefix query ("order"*) by merging the doclists of every term with that
// prefix before it can say anything, even about one row: 20-30 ms for a
// common word at 5M messages. Exact terms are cheap to check for one row.
// So each word is first expanded into the exact terms of the index that
// start with it (fts5vocab tables, migration 00013), which gives the same
// matches as the prefix query and, from the terms' row counts, an estimate
// of how many messages match. The estimate picks the plan, as on PostgreSQL:
// few matches → collect the matching tickets and sort them; many → walk
// the inbox in order and check each ticket until the page is full.

// sqliteSearchSetLimit is the estimate of matching rows (messages plus
// titles) under which SQLite search collects the matching tickets; above it the
// list walks the inbox. Collecting costs a few µs per match (map the
// message to its ticket, sort); walking costs a few µs per ticket skipped.
const sqliteSearchSetLimit = 15000

// maxPrefixTerms is how many index terms one search word may expand to.
// A word with more (a one- or two-letter prefix) stays a prefix query and
// the search collects its matches.
const maxPrefixTerms = 64

// combiningMarks is a GLOB pattern matching text with a combining
// diacritical mark (see mayMatch).
const combiningMarks = "*[\u0300-\u036F]*"

// ftsSide is a search prepared for one FTS5 table (message texts or ticket
// titles).
type ftsSide struct {
	match    string  // FTS5 query: each word an OR of its exact terms, or a prefix; "" if a word has no term
	estimate float64 // rows expected to match, taking the words as independent
	prefix   bool    // some word stayed a prefix query: only the collect plan is cheap
}

// expandSearch prepares the words (lower case, letters and digits only) for
// the FTS5 table whose fts5vocab table is vocab and which holds about rows
// rows. Like PostgreSQL's planner, the estimate multiplies the words'
// frequencies: "refund" (121k of 5M messages) and "card" (82k) give 2,000,
// where 2,874 messages have both.
func (r reads) expandSearch(ctx context.Context, vocab string, rows float64, words []string) (ftsSide, error) {
	side := ftsSide{estimate: max(rows, 1)}
	var parts []string
	for _, w := range words {
		terms, docs, ok, err := r.prefixTerms(ctx, vocab, w)
		if err != nil {
			return ftsSide{}, err
		}
		if !ok {
			// Too many terms, or a word FTS5 folds differently (non-ASCII):
			// let FTS5 read it as the prefix query it always was.
			side.prefix = true
			parts = append(parts, `"`+w+`"*`)
			continue
		}
		if len(terms) == 0 {
			return ftsSide{}, nil // every word must match: nothing can
		}
		for i, t := range terms {
			terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		parts = append(parts, "("+strings.Join(terms, " OR ")+")")
		side.estimate *= min(float64(docs)/max(rows, 1), 1)
	}
	side.match = strings.Join(parts, " AND ")
	return side, nil
}

// prefixTerms returns the terms of the index that start with w and the sum
// of their row counts. ok is false when w cannot be expanded: it has
// characters outside ASCII (the tokenizer would fold them), or more than
// maxPrefixTerms terms start with it.
func (r reads) prefixTerms(ctx context.Context, vocab, w string) (terms []string, docs int64, ok bool, err error) {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return nil, 0, false, nil
		}
	}
	// The terms starting with w are those in [w, w with its last byte + 1):
	// w is ASCII letters and digits, so the bound is ASCII too.
	upper := w[:len(w)-1] + string(w[len(w)-1]+1)
	rows, err := r.q.QueryContext(ctx, "SELECT term, doc FROM "+vocab+" WHERE term >= $1 AND term < $2 LIMIT $3",
		w, upper, maxPrefixTerms+1)
	if err != nil {
		return nil, 0, false, fmt.Errorf("search terms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			return nil, 0, false, fmt.Errorf("search terms: %w", err)
		}
		terms, docs = append(terms, t), docs+n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, false, fmt.Errorf("search terms: %w", err)
	}
	return terms, docs, len(terms) <= maxPrefixTerms, nil
}

// sqliteTicketSearch returns the search condition on tickets t for SQLite
// (see ticketSearch), adding its arguments to a. It walks the inbox when
// more than setLimit rows may match (sqliteSearchSetLimit; tests force
// either plan).
func (r reads) sqliteTicketSearch(ctx context.Context, words []string, setLimit int64, a *args) (string, error) {
	for i, w := range words {
		words[i] = strings.ToLower(w)
	}
	// The largest ids stand for the row counts (COUNT(*) reads the table).
	var nMsgs, nTickets sql.NullFloat64
	if err := r.q.QueryRowContext(ctx, "SELECT (SELECT MAX(id) FROM messages), (SELECT MAX(id) FROM tickets)").
		Scan(&nMsgs, &nTickets); err != nil {
		return "", fmt.Errorf("search: row counts: %w", err)
	}
	msgs, err := r.expandSearch(ctx, "messages_fts_terms", nMsgs.Float64, words)
	if err != nil {
		return "", err
	}
	titles, err := r.expandSearch(ctx, "tickets_fts_terms", nTickets.Float64, words)
	if err != nil {
		return "", err
	}
	if msgs.match == "" && titles.match == "" {
		return "1 = 0", nil
	}
	if msgs.prefix || titles.prefix || msgs.estimate+titles.estimate < float64(setLimit) {
		return collectSearch(msgs, titles, a), nil
	}
	return walkSearch(words, msgs, titles, a), nil
}

// collectSearch lists every matching ticket from the FTS indexes outward;
// the list then sorts them. Message ids map to tickets through the narrow
// messages_id_ticket index (migration 00006), not the wide rows.
func collectSearch(msgs, titles ftsSide, a *args) string {
	var sets []string
	if titles.match != "" {
		sets = append(sets, "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH "+a.add(titles.match))
	}
	if msgs.match != "" {
		sets = append(sets, "SELECT m.ticket_id FROM messages m INDEXED BY messages_id_ticket WHERE m.id IN"+
			" (SELECT rowid FROM messages_fts WHERE messages_fts MATCH "+a.add(msgs.match)+")")
	}
	return "t.id IN (" + strings.Join(sets, " UNION ALL ") + ")"
}

// walkSearch checks each ticket the list walks (in its index order) and
// stops when the page is full. A check asks FTS5 about one row at a time,
// which costs ~0.1 ms of setup however rare the terms, so a GLOB on the
// row first skips the rows that cannot match (mayMatch).
func walkSearch(words []string, msgs, titles ftsSide, a *args) string {
	var checks []string
	if titles.match != "" {
		checks = append(checks, "("+mayMatch("t.title", words, a)+
			" AND EXISTS (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH "+a.add(titles.match)+" AND rowid = t.id))")
	}
	if msgs.match != "" {
		// SQLite tests correlated subqueries after the other conditions of
		// a loop, so FTS5 is asked only about rows that passed mayMatch.
		checks = append(checks, "EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND "+mayMatch("m.text", words, a)+
			" AND EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH "+a.add(msgs.match)+" AND rowid = m.id))")
	}
	return "(" + strings.Join(checks, " OR ") + ")"
}

// mayMatch returns a condition on the text column col that is true for
// every text FTS5 would find with words (lower-case ASCII), and false for
// most others. FTS5's unicode61 tokenizer folds ASCII case and maps some
// non-ASCII characters to ASCII letters (é → e), one character to one; so
// a text that has a token starting with "order" has five consecutive
// characters, each the letter in either case or a non-ASCII character:
// GLOB '*[Oo<non-ASCII>][Rr<non-ASCII>]…*'. Combining diacritics
// (U+0300–U+036F), which the tokenizer drops, could break that run: text
// with any of them is always left to FTS5.
func mayMatch(col string, words []string, a *args) string {
	globs := make([]string, len(words))
	for i, w := range words {
		var p strings.Builder
		p.WriteString("*")
		for _, c := range []byte(w) {
			p.WriteString("[" + strings.ToUpper(string(c)) + string(c) + "\u0080-\U0010FFFF]")
		}
		p.WriteString("*")
		globs[i] = col + " GLOB " + a.add(p.String())
	}
	return "((" + strings.Join(globs, " AND ") + ") OR " + col + " GLOB " + a.add(combiningMarks) + ")"
}
