-- +goose Up
-- A status webhook parked before its message's wamid is known remembers the
-- message its biz_opaque_callback_data names, so that a send whose outcome
-- became "unknown" (a crash between Meta's answer and recording it) is
-- reconciled by the statuses Meta sends for it.
ALTER TABLE pending_statuses ADD COLUMN message_id BIGINT;
CREATE INDEX pending_statuses_message ON pending_statuses (message_id) WHERE message_id IS NOT NULL;

-- +goose Down
DROP INDEX pending_statuses_message;
ALTER TABLE pending_statuses DROP COLUMN message_id;
