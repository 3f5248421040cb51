-- +goose Up
-- SQLite only (batched full-text indexing); PostgreSQL's tsvector expression
-- indexes are maintained by the server. Kept so both dialects share versions.
SELECT 1;

-- +goose Down
SELECT 1;
