-- +goose Up
-- Inbound processing. A customer has at most one live WhatsApp conversation
-- per channel: the ticket the inbound path created is flagged
-- wa_conversation, and this partial unique index makes a second one (two
-- workers racing for the same customer) fail with a conflict that the
-- processor retries, instead of splitting the conversation over two tickets.
-- The flag keeps the index off tickets created by other means (imports,
-- test fixtures), which may legitimately be several per customer and channel.
ALTER TABLE tickets ADD COLUMN wa_conversation BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX tickets_one_open_conversation ON tickets (customer_id, channel_id)
    WHERE state <> 'closed' AND wa_conversation;

-- The WhatsApp profile name last seen: the customer's name follows changes
-- of it, unless an agent renamed the customer.
ALTER TABLE customers ADD COLUMN profile_name TEXT NOT NULL DEFAULT '';

-- Plain lookup indexes: the partial unique ones (WHERE wa_id <> '') cannot
-- serve "wa_id = $1" in SQLite, which cannot prove that a bound parameter
-- is not ''; without these every inbound message would scan customers.
CREATE INDEX customers_wa_id_lookup ON customers (wa_id);
CREATE INDEX customers_bsuid_lookup ON customers (bsuid);

-- +goose Down
DROP INDEX customers_bsuid_lookup;
DROP INDEX customers_wa_id_lookup;
ALTER TABLE customers DROP COLUMN profile_name;
DROP INDEX tickets_one_open_conversation;
ALTER TABLE tickets DROP COLUMN wa_conversation;
