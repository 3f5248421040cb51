package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

func inboxStates(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	rows, err := db.InboxDB().Query("SELECT body, state FROM webhook_inbox ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	states := map[string]string{}
	for rows.Next() {
		var body, state string
		if err := rows.Scan(&body, &state); err != nil {
			t.Fatal(err)
		}
		states[body] = state
	}
	return states
}

// A delivery is marked processed only with the transaction that applied it:
// a rolled-back transaction leaves it pending, on both databases.
func TestInboxMarkFollowsTheTransaction(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.AppendInbox(ctx, []*helpdesk.InboxItem{{ReceivedAt: t0, Body: []byte("a")}, {ReceivedAt: t0, Body: []byte("b")}}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := db.WithTx(ctx, func(tx helpdesk.Tx) error {
			items, err := tx.ClaimInbox(ctx, 10)
			if err != nil || len(items) != 2 {
				t.Fatalf("ClaimInbox = %d items, %v", len(items), err)
			}
			if err := tx.FinishInbox(ctx, []int64{items[0].ID}, helpdesk.InboxDone, "", t0); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithTx = %v", err)
		}
		if got := inboxStates(t, db); got["a"] != "pending" || got["b"] != "pending" {
			t.Fatalf("after a rollback: %v, want both pending", got)
		}
		err = db.WithTx(ctx, func(tx helpdesk.Tx) error {
			items, err := tx.ClaimInbox(ctx, 10)
			if err != nil {
				return err
			}
			return tx.FinishInbox(ctx, []int64{items[0].ID}, helpdesk.InboxDone, "", t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := inboxStates(t, db); got["a"] != "done" || got["b"] != "pending" {
			t.Fatalf("after a commit: %v, want a done, b pending", got)
		}
	})
}

// On SQLite the inbox is a file of its own: a webhook ack commits while
// another transaction holds the main database's only writer.
func TestSQLiteInboxDoesNotWaitForTheWriter(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	acked := make(chan error, 1)
	err := db.WithTx(ctx, func(tx helpdesk.Tx) error {
		go func() { acked <- db.AppendInbox(ctx, []*helpdesk.InboxItem{{ReceivedAt: t0, Body: []byte("x")}}) }()
		select {
		case err := <-acked:
			return err
		case <-time.After(5 * time.Second):
			return errors.New("the ack waited for the main writer")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := inboxStates(t, db); got["x"] != "pending" {
		t.Fatalf("inbox = %v", got)
	}
}

// Deliveries an older wadesk left in the main file's webhook_inbox, and
// those a backup carries, move into the inbox file at Migrate; a backup
// holds the inbox's rows in its one file.
func TestSQLiteInboxSurvivesUpgradeAndBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// As an older wadesk stored it: in the main file.
	if _, err := db.Writer().Exec(`INSERT INTO webhook_inbox (received_at, body, state) VALUES ($1, 'old', 'pending')`, t0.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.Writer().QueryRow("SELECT COUNT(*) FROM webhook_inbox").Scan(&left); err != nil || left != 0 {
		t.Fatalf("main file still holds %d rows (%v)", left, err)
	}
	if err := db.AppendInbox(ctx, []*helpdesk.InboxItem{{ReceivedAt: t0, Body: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	if got := inboxStates(t, db); got["old"] != "pending" || got["new"] != "pending" {
		t.Fatalf("inbox after the upgrade = %v", got)
	}

	restored := t.TempDir()
	if err := db.Snapshot(ctx, filepath.Join(restored, "wadesk.db")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(restored)
	if len(entries) != 1 {
		t.Fatalf("a snapshot is one file, got %d entries", len(entries))
	}
	db2, err := store.Open(ctx, store.Config{DataDir: restored})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := db2.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := inboxStates(t, db2); got["old"] != "pending" || got["new"] != "pending" || len(got) != 2 {
		t.Fatalf("inbox after the restore = %v", got)
	}
}
