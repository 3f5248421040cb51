package store

import (
	"context"
	"fmt"
)

// Optimize refreshes the query planner's statistics where SQLite thinks
// they are stale (PRAGMA optimize; cheap when nothing changed). Without it a
// long-lived install plans its searches and lists on no statistics at all.
// PostgreSQL's autovacuum analyzes on its own, so there it does nothing.
func (db *DB) Optimize(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	// 0x10002: also analyze tables never analyzed before (first start), with
	// a bounded amount of work per index.
	if _, err := db.writer.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}
