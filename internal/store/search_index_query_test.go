package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestSQLiteSearchPlansAgree runs every search through both SQLite plans —
// collect the matches, and walk the inbox checking each ticket — and wants
// the same tickets from each, in activity order. The texts are chosen
// against the walk's GLOB pre-check: substrings that are not word prefixes
// ("border"), words split over two messages, text FTS5 folds (diacritics).
func TestSQLiteSearchPlansAgree(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tickets := []struct {
		title string
		texts []string
	}{
		{"Order 4711 refund", []string{"hi"}},                           // 1: title only
		{"Question", []string{"Where is my ORDER?", "thanks"}},          // 2
		{"Other", []string{"border control", "reorder later"}},          // 3: "order" inside words only
		{"Café", []string{"Ördér arrived 🙂"}},                           // 4: FTS5 folds to "order arrived"
		{"Misc", []string{"refund requested", "card declined"}},         // 5: words in two messages
		{"Payment", []string{"refund to my card please"}},               // 6
		{"Shipping", []string{"delivery delayed", "x"}},                 // 7
		{"Shipping", []string{"it was delivered, order closed"}},        // 8
		{"Deliveries", []string{"nothing here"}},                        // 9: title prefix
		{"Tidy", []string{"an orderly queue"}},                          // 10: prefix of a longer word
		{"Ticket", []string{"undelivered parcel", "réfund cárd issue"}}, // 11: non-ASCII both words
		{"Z", []string{"O\u0301rde\u0301red twice"}},                    // 12: combining accents
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO customers (name, created_at, updated_at) VALUES ('C', 0, 0)`); err != nil {
			return err
		}
		for i, tk := range tickets {
			id := int64(i + 1)
			// Older tickets have newer activity, so activity order is not id order.
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO tickets (id, number, title, state, customer_id, last_message_at, created_at, updated_at)
				VALUES ($1, $1, $2, 'open', 1, $3, 0, 0)`, id, tk.title, 1000-id*7%11); err != nil {
				return err
			}
			for _, text := range tk.texts {
				if _, err := tx.q.ExecContext(ctx, `INSERT INTO messages (ticket_id, direction, type, text, sender_kind, status, created_at, updated_at)
					VALUES ($1, 'in', 'text', $2, 'customer', 'received', 0, 0)`, id, text); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	search := func(t *testing.T, q string, setLimit int64) (ids []int64, plan string) {
		t.Helper()
		var a args
		cond, err := db.sqliteTicketSearch(ctx, searchTerms(q), setLimit, &a)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.reader.QueryContext(ctx, "SELECT t.id FROM tickets t WHERE "+cond+
			" ORDER BY t.last_message_at DESC, t.id DESC", a...)
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids, cond
	}
	cases := []struct {
		q    string
		want []int64 // in activity order: 11, 8, 5, 2, 10, 7, 4, 12, 1, 9, 6, 3
	}{
		{"order", []int64{8, 2, 10, 4, 12, 1}},
		{"ORDER", []int64{8, 2, 10, 4, 12, 1}},
		{"deliv", []int64{8, 7, 9}},
		{"refund card", []int64{11, 6}},
		{"refund", []int64{11, 5, 1, 6}},
		{"order closed", []int64{8}},
		{"4711", []int64{1}},
		{"zeppelin", nil},
		{"order zeppelin", nil},
		{"ördér", []int64{8, 2, 10, 4, 12, 1}}, // non-ASCII words stay prefix queries
		{"o", []int64{8, 2, 10, 4, 12, 1, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			collected, _ := search(t, tc.q, 1<<62)
			walked, plan := search(t, tc.q, 0)
			if fmt.Sprint(collected) != fmt.Sprint(tc.want) {
				t.Errorf("collect plan: %q = %v, want %v", tc.q, collected, tc.want)
			}
			if fmt.Sprint(walked) != fmt.Sprint(tc.want) {
				t.Errorf("walk plan: %q = %v, want %v\n%s", tc.q, walked, tc.want, plan)
			}
			if tc.q == "order" && !strings.Contains(plan, "GLOB") {
				t.Errorf("setLimit 0 did not walk: %s", plan)
			}
		})
	}
}
