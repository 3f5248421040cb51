-- +goose Up
-- The webhook inbox of a SQLite install, in a database file of its own
-- (wadesk-inbox.db beside wadesk.db): a webhook ack commits here and never
-- waits for the main database's one writer (see store/inbox_file.go).
-- Same columns as webhook_inbox in the main schema (PostgreSQL keeps it
-- there); channel_id cannot reference channels across files.
CREATE TABLE webhook_inbox (
    id           INTEGER PRIMARY KEY,
    channel_id   INTEGER,
    received_at  BIGINT  NOT NULL,
    body         BLOB    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'ignored')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    processed_at BIGINT
);
CREATE INDEX webhook_inbox_pending ON webhook_inbox (id) WHERE state = 'pending';

-- +goose Down
DROP TABLE webhook_inbox;
