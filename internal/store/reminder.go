package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimReminder records that a reminder job due at due is scheduled for the
// ticket, unless one is pending already (a due time still in the future);
// it reports whether the caller should enqueue the job.
func (t *Tx) ClaimReminder(ctx context.Context, ticketID int64, due, now time.Time) (bool, error) {
	res, err := t.q.ExecContext(ctx, `UPDATE tickets SET reminder_due_at = $1
		WHERE id = $2 AND (reminder_due_at IS NULL OR reminder_due_at <= $3)`, toMs(due), ticketID, toMs(now))
	if err != nil {
		return false, fmt.Errorf("store: claim reminder: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim reminder: %w", err)
	}
	return n == 1, nil
}
