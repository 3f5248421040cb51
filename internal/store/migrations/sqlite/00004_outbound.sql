-- +goose Up
-- Every attempt to hand an outbound message to the Cloud API. An attempt is
-- committed (finished_at NULL) before Meta is called and closed with its
-- outcome afterwards; one left open means the process died in between, and
-- the message may or may not have been sent (it becomes "unknown").
CREATE TABLE send_attempts (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    started_at   BIGINT  NOT NULL,
    finished_at  BIGINT,
    outcome      TEXT    NOT NULL DEFAULT '',   -- accepted, failed, retry, paused, unknown, requested
    error_code   INTEGER,
    error_title  TEXT    NOT NULL DEFAULT '',
    requested_by INTEGER REFERENCES users (id) ON DELETE SET NULL  -- an agent's retry by hand
);
CREATE INDEX send_attempts_message ON send_attempts (message_id, id);
CREATE INDEX send_attempts_open ON send_attempts (message_id) WHERE finished_at IS NULL;
-- FIFO per ticket looks for older queued messages of the same ticket.
CREATE INDEX messages_ticket_queued ON messages (ticket_id, id) WHERE status = 'queued';
-- An automatic message (welcome, reminder, apology) exists once per ticket
-- and purpose, even when two runs of its job race on PostgreSQL.
CREATE UNIQUE INDEX messages_auto ON messages (ticket_id, payload)
    WHERE sender_kind = 'system' AND payload LIKE '{"auto":%';

-- +goose Down
DROP INDEX messages_auto;
DROP INDEX messages_ticket_queued;
DROP TABLE send_attempts;
