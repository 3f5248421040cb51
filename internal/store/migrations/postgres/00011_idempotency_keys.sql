-- +goose Up
-- The stored first response of a create request sent with an
-- Idempotency-Key header (POST /api/v1/tickets/{id}/messages,
-- POST /api/v1/conversations). It is written in the transaction that
-- creates the message, so a retry — on any instance, after any crash —
-- finds either nothing (and creates) or this response (and replays it).
-- A key is scoped to its user, route and ticket (0 for routes without one);
-- the hourly cleanup deletes keys older than 24 hours.
CREATE TABLE idempotency_keys (
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    route        TEXT    NOT NULL,
    ticket_id    BIGINT  NOT NULL,
    idem_key     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL, -- sha256 of the request as the domain read it
    status       INTEGER NOT NULL, -- HTTP status of the first response
    body         TEXT    NOT NULL, -- its JSON body, byte for byte
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (user_id, route, ticket_id, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created_at;
DROP TABLE idempotency_keys;
