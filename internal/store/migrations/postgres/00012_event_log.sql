-- +goose Up
-- The live event log shared by the instances (internal/events): each
-- instance appends the domain events it committed, one row each, and every
-- instance streams all of them in id order, so no event is lost while a
-- listener reconnects and a browser resuming with Last-Event-ID (an id of
-- this table) gets what it missed on any instance. Appends are serialized
-- (an advisory lock), so ids become visible in increasing order. Rows are
-- pruned after a few minutes by the cleanup job.
CREATE TABLE event_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type       TEXT   NOT NULL,
    ticket_id  BIGINT NOT NULL,
    message_id BIGINT NOT NULL DEFAULT 0, -- 0 for ticket events
    group_id   BIGINT,                    -- the ticket's group, for visibility
    created_at BIGINT NOT NULL
);

-- The cleanup finds the newest expired row by age.
CREATE INDEX event_log_created_at ON event_log (created_at);

-- +goose Down
DROP TABLE event_log;
