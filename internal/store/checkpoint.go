package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// CheckpointEvery is how often RunCheckpoints copies the SQLite WAL back
// into the database file.
const CheckpointEvery = time.Second

// RunCheckpoints keeps the SQLite WALs (the main file's and the inbox
// file's) short while their writers never checkpoint themselves: every
// CheckpointEvery it runs a PASSIVE checkpoint of each on a connection of its
// own, which neither waits for nor blocks the writers and readers (the fsync happens here, not in a webhook ack's commit). It
// returns when ctx ends, after a last checkpoint. On PostgreSQL it returns
// at once.
func (db *DB) RunCheckpoints(ctx context.Context, logger *slog.Logger) {
	if db.dialect != SQLite {
		return
	}
	dsns := []string{db.dsn}
	if db.inbox != nil {
		dsns = append(dsns, db.inbox.dsn)
	}
	conns := make([]*sql.DB, 0, len(dsns))
	for _, dsn := range dsns {
		conn, err := sql.Open("sqlite", dsn)
		if err != nil {
			logger.Error("store: checkpoints disabled", "error", err)
			return
		}
		defer conn.Close()
		conn.SetMaxOpenConns(1)
		conns = append(conns, conn)
	}
	tick := time.NewTicker(CheckpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// The writer may still be closing; a final checkpoint keeps the
			// next start from replaying a long WAL.
			for _, conn := range conns {
				if err := checkpoint(context.Background(), conn, "PASSIVE"); err != nil {
					logger.Warn("store: final checkpoint", "error", err)
				}
			}
			return
		case <-tick.C:
			for _, conn := range conns {
				if err := checkpoint(ctx, conn, "PASSIVE"); err != nil && ctx.Err() == nil {
					logger.Warn("store: checkpoint", "error", err)
				}
			}
		}
	}
}

func checkpoint(ctx context.Context, conn *sql.DB, mode string) error {
	var busy, logFrames, done int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("store: wal_checkpoint: %w", err)
	}
	return nil
}
