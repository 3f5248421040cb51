package store

import (
	"context"
	"fmt"
	"hash/fnv"
)

// LockWAMID serialises, until the transaction ends, the transactions that
// touch one outbound message by its wamid: the one recording the wamid of a
// send and the ones applying status webhooks for it. Without it, on
// PostgreSQL (READ COMMITTED, several instances) a status could be parked as
// "pending" while the send committed its wamid in parallel, and nobody would
// ever apply it. SQLite has a single writer, so it is already serial there.
func (t *Tx) LockWAMID(ctx context.Context, channelID int64, wamid string) error {
	if t.d != Postgres {
		return nil
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", channelID, wamid)
	if _, err := t.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
		return fmt.Errorf("store: lock wamid: %w", err)
	}
	return nil
}
