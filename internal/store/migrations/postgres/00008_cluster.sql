-- +goose Up
-- Each business number's send budget, shared by every instance on this
-- database: a token bucket refilled at the channel's rate_limit per second
-- (internal/cluster). Instances lease a few tokens at a time, so the cap
-- holds across processes whatever their number. Only PostgreSQL uses it;
-- the SQLite schema mirrors it.
CREATE TABLE number_buckets (
    channel_id BIGINT           PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    tokens     DOUBLE PRECISION NOT NULL,
    granted    INTEGER          NOT NULL DEFAULT 0, -- tokens handed out by the last lease
    updated_at BIGINT           NOT NULL
);

-- The cleanup deletes parked statuses by age.
CREATE INDEX pending_statuses_created_at ON pending_statuses (created_at);

-- +goose Down
DROP INDEX pending_statuses_created_at;
DROP TABLE number_buckets;
