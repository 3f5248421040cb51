package cluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Budget is the per-number token buckets in table number_buckets. It runs
// on PostgreSQL only: its clock is the database's, so instances on
// machines whose clocks disagree still share one timeline.
type Budget struct {
	db *sql.DB
}

// NewBudget returns the buckets of the database behind db (the store's
// writer pool).
func NewBudget(db *sql.DB) *Budget { return &Budget{db: db} }

// available is a bucket's tokens now: what it held, plus the refill at
// $3 tokens per second since it was last touched, up to the burst $2.
// GREATEST keeps time from going backwards when the clock was read before
// a concurrent lease committed.
const available = `LEAST($2::float8, tokens + (GREATEST(c.now, updated_at) - updated_at) * $3::float8 / 1000)`

// takeSQL leases up to $4 whole tokens in one statement. Every SET
// expression reads the row as it was, and a concurrent lease on the same
// number waits for the row lock and then recomputes from the fresh row, so
// two instances never hand out the same token.
const takeSQL = `UPDATE number_buckets SET
	granted = LEAST($4::int, FLOOR(` + available + `)::int),
	tokens = ` + available + ` - LEAST($4::int, FLOOR(` + available + `)::int),
	updated_at = GREATEST(c.now, updated_at)
FROM (SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS now) c
WHERE channel_id = $1
RETURNING granted, tokens`

// Take leases up to n tokens of the channel's bucket, which refills at
// perSecond and holds at most burst. It returns how many it got and, when
// that is fewer than n, how long until the next whole token.
func (b *Budget) Take(ctx context.Context, channelID int64, perSecond, burst, n int) (got int, next time.Duration, err error) {
	if perSecond <= 0 || burst <= 0 || n <= 0 {
		return 0, 0, fmt.Errorf("cluster: take budget: rate %d, burst %d, n %d must be positive", perSecond, burst, n)
	}
	for range 2 { // the second round follows the creation of a missing bucket
		var left float64
		err = b.db.QueryRowContext(ctx, takeSQL, channelID, burst, perSecond, n).Scan(&got, &left)
		if errors.Is(err, sql.ErrNoRows) {
			// A bucket is born full (updated_at 0 means "long ago").
			if _, err := b.db.ExecContext(ctx, `INSERT INTO number_buckets (channel_id, tokens, granted, updated_at)
				VALUES ($1, 0, 0, 0) ON CONFLICT (channel_id) DO NOTHING`, channelID); err != nil {
				return 0, 0, fmt.Errorf("cluster: create budget of channel %d: %w", channelID, err)
			}
			continue
		}
		if err != nil {
			return 0, 0, fmt.Errorf("cluster: take budget of channel %d: %w", channelID, err)
		}
		if got < n {
			next = time.Duration(max(0, 1-left) / float64(perSecond) * float64(time.Second))
		}
		return got, next, nil
	}
	return 0, 0, fmt.Errorf("cluster: budget of channel %d: no bucket (channel deleted?)", channelID)
}
