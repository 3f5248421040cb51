-- +goose Up
-- Indexes for a large inbox (1M tickets, 5M messages; see bench/largeinbox
-- and bench/README.md for the plans and figures behind each one).

-- A customer's tickets in inbox order: the customer filter no longer sorts
-- every ticket of a frequent customer.
CREATE INDEX tickets_customer_activity ON tickets (customer_id, last_message_at DESC, id DESC);

-- A group's queue by state (state=open&group_id=…, the agent's inbox by
-- state) read in order, without filtering the group's other states.
CREATE INDEX tickets_group_state_activity ON tickets (group_id, state, last_message_at DESC, id DESC);

-- Search maps matching message ids to their tickets; this narrow index
-- answers that from ~16-byte entries instead of the wide message rows.
CREATE INDEX messages_id_ticket ON messages (id, ticket_id);

-- +goose Down
DROP INDEX messages_id_ticket;
DROP INDEX tickets_group_state_activity;
DROP INDEX tickets_customer_activity;
