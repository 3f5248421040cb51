package store

import (
	"context"
	"testing"
)

// TestSearchIndexFollowsInsertsUpdatesDeletes drives the SQLite full-text
// index through the per-transaction indexer and the update/delete triggers,
// then lets FTS5 check that the index matches the messages table exactly.
func TestSearchIndexFollowsInsertsUpdatesDeletes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.q.ExecContext(ctx, q, args...)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	matches := func(word string) int {
		t.Helper()
		var n int
		if err := db.writer.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH $1`, word).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	exec(`INSERT INTO customers (name, created_at, updated_at) VALUES ('C', 0, 0)`)
	exec(`INSERT INTO tickets (number, title, state, customer_id, last_message_at, created_at, updated_at) VALUES (1, 'parcel', 'new', 1, 0, 0, 0)`)
	// Several messages in one transaction, then one more in another.
	err = db.inTx(ctx, func(tx *Tx) error {
		for _, text := range []string{"broken parcel", "where is my parcel", "thanks"} {
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO messages (ticket_id, direction, type, text, sender_kind, status, created_at, updated_at)
				VALUES (1, 'in', 'text', $1, 'customer', 'received', 0, 0)`, text); err != nil {
				return err
			}
		}
		// A status change in the same transaction must not touch the index
		// (the row is not indexed yet).
		_, err := tx.q.ExecContext(ctx, `UPDATE messages SET status = 'received', text = text WHERE id = 2`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO messages (ticket_id, direction, type, text, sender_kind, status, created_at, updated_at)
		VALUES (1, 'out', 'text', 'courier booked', 'agent', 'queued', 0, 0)`)
	if got := matches("parcel"); got != 2 {
		t.Fatalf("parcel matches %d messages, want 2", got)
	}
	exec(`UPDATE messages SET text = 'replacement booked' WHERE id = 1`)
	exec(`UPDATE messages SET status = 'read', text = text WHERE id = 4`)
	exec(`DELETE FROM messages WHERE id = 3`)
	if got, want := [3]int{matches("parcel"), matches("replacement"), matches("thanks")}, [3]int{1, 1, 0}; got != want {
		t.Fatalf("matches after update and delete = %v, want %v", got, want)
	}
	if _, err := db.writer.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("the full-text index no longer matches the messages: %v", err)
	}
}
