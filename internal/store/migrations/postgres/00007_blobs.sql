-- +goose Up
-- Attachment bytes, when WADESK_ATTACHMENTS=database: several instances then
-- share nothing but the database. (The default keeps them in a directory.)
CREATE TABLE blobs (
    sha256     TEXT   PRIMARY KEY,
    size       BIGINT NOT NULL,
    data       BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE blobs;
