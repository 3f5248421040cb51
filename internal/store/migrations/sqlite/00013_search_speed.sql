-- +goose Up
-- Term lists of the full-text indexes (read-only views FTS5 computes from
-- the index; nothing is stored). Search expands a word typed as a prefix
-- into the exact terms that start with it, because FTS5 answers a prefix
-- query by merging the doclists of all those terms first (20-30 ms for a
-- common word, even when only one message is asked about), while exact
-- terms can be checked for a single row cheaply. The row counts also tell
-- how many messages a query can match (see store.sqliteSearch).
CREATE VIRTUAL TABLE messages_fts_terms USING fts5vocab(messages_fts, row);
CREATE VIRTUAL TABLE tickets_fts_terms USING fts5vocab(tickets_fts, row);

-- +goose Down
DROP TABLE tickets_fts_terms;
DROP TABLE messages_fts_terms;
