-- +goose Up
-- When the ticket's pending reminder job is due. Inbound processing
-- schedules a new reminder job only when none is pending (NULL or past);
-- a job that finds the window moved on snoozes to the new due time. One job
-- per ticket and window, instead of one per customer message.
ALTER TABLE tickets ADD COLUMN reminder_due_at BIGINT;

-- +goose Down
ALTER TABLE tickets DROP COLUMN reminder_due_at;
