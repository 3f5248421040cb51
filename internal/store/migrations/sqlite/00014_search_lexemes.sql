-- +goose Up
-- PostgreSQL only (a table of lexemes for prefix expansion); SQLite reads
-- the terms from fts5vocab (00013). Kept so both dialects share versions.
SELECT 1;

-- +goose Down
SELECT 1;
