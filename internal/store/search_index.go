package store

import (
	"context"
	"fmt"
)

// indexNewMessages adds the messages written since the last indexed id to
// the SQLite full-text index, in one statement, at the end of a write
// transaction (see migration 00009 for why not per row). Search therefore
// sees a message from the moment its transaction commits, as before.
// PostgreSQL indexes tsvector expressions itself and skips this.
func indexNewMessages(ctx context.Context, q querier) error {
	res, err := q.ExecContext(ctx, `INSERT INTO messages_fts (rowid, text)
		SELECT id, text FROM messages
		WHERE id > (SELECT last_id FROM search_watermark WHERE name = 'messages') ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: index messages for search: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if _, err := q.ExecContext(ctx, `UPDATE search_watermark SET last_id = (SELECT MAX(id) FROM messages)
		WHERE name = 'messages'`); err != nil {
		return fmt.Errorf("store: index messages for search: %w", err)
	}
	return nil
}
