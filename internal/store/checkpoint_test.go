package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckpointsRunBesideTheWriter shows that commits leave the WAL alone
// (no checkpoint inside a commit) and that RunCheckpoints moves it into the
// database file.
func TestCheckpointsRunBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Migrate's own writes may have been checkpointed by goose's
	// connection; measure from here.
	size := func() int64 {
		st, err := os.Stat(filepath.Join(dir, "wadesk.db"))
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	before := size()
	big := strings.Repeat("x", 4000)
	for i := 0; i < 600; i++ { // ~2.4 MB: well past the default 1000-page autocheckpoint
		err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.q.ExecContext(ctx, `INSERT INTO groups (name, created_at) VALUES ($1, 0)`, fmt.Sprintf("g%d-%s", i, big))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := size(); got != before {
		t.Fatalf("a commit checkpointed the WAL (db file %d → %d bytes)", before, got)
	}
	runCtx, cancel := context.WithTimeout(ctx, CheckpointEvery+500*time.Millisecond)
	defer cancel()
	db.RunCheckpoints(runCtx, slog.New(slog.DiscardHandler))
	if got := size(); got < before+2_000_000 {
		t.Fatalf("after RunCheckpoints the db file is %d bytes (was %d): the WAL was not copied back", got, before)
	}
}
