-- +goose Up
-- Times are BIGINT Unix milliseconds (UTC) in both dialects, so the same query
-- text and the same Go scanning code serve SQLite and PostgreSQL alike.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,          -- stored lowercased
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'agent')),
    password_hash TEXT    NOT NULL,                 -- argon2id PHC string
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE groups (
    id         INTEGER PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- API tokens are shown once; only their SHA-256 is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,                  -- first characters, to recognise a token in the UI
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Browser sessions; the cookie holds the raw id, the table its SHA-256.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One channel per WhatsApp business phone number. Secrets are AES-GCM
-- ciphertexts (base64), never plain text.
CREATE TABLE channels (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT    NOT NULL,
    waba_id                TEXT    NOT NULL,
    phone_number_id        TEXT    NOT NULL,
    display_phone_number   TEXT    NOT NULL DEFAULT '',
    verified_name          TEXT    NOT NULL DEFAULT '',
    webhook_id             TEXT    NOT NULL UNIQUE,
    verify_token           TEXT    NOT NULL,
    access_token_enc       TEXT    NOT NULL,
    app_secret_enc         TEXT    NOT NULL,
    group_id               INTEGER REFERENCES groups (id) ON DELETE SET NULL,
    active                 BOOLEAN NOT NULL DEFAULT TRUE,
    welcome_message        TEXT    NOT NULL DEFAULT '',
    reminder_enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    reminder_after_seconds INTEGER NOT NULL DEFAULT 72000,
    reminder_message       TEXT    NOT NULL DEFAULT '',
    reminder_skip_answered BOOLEAN NOT NULL DEFAULT FALSE,
    mark_read              BOOLEAN NOT NULL DEFAULT TRUE,
    typing_indicator       BOOLEAN NOT NULL DEFAULT FALSE,
    rate_limit             INTEGER NOT NULL DEFAULT 80,   -- messages per second to Meta
    status                 TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'error')),
    last_error_code        INTEGER,
    last_error_message     TEXT,
    last_error_at          BIGINT,
    webhook_verified_at    BIGINT,
    last_webhook_at        BIGINT,
    quality_rating         TEXT    NOT NULL DEFAULT '',
    messaging_limit        TEXT    NOT NULL DEFAULT '',
    throughput_level       TEXT    NOT NULL DEFAULT '',
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL,
    deleted_at             BIGINT
);
CREATE UNIQUE INDEX channels_phone_number ON channels (phone_number_id) WHERE deleted_at IS NULL;

-- A customer is known by wa_id (phone digits), by BSUID, or both.
CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    name       TEXT   NOT NULL DEFAULT '',
    phone      TEXT   NOT NULL DEFAULT '',          -- +E.164, or empty when only the BSUID is known
    wa_id      TEXT   NOT NULL DEFAULT '',
    bsuid      TEXT   NOT NULL DEFAULT '',
    username   TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX customers_wa_id ON customers (wa_id) WHERE wa_id <> '';
CREATE UNIQUE INDEX customers_bsuid ON customers (bsuid) WHERE bsuid <> '';
CREATE INDEX customers_name ON customers (name, id);

-- Ticket numbers come from this counter (PostgreSQL uses a sequence instead).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 10000);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    number            BIGINT  NOT NULL UNIQUE,
    title             TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('new', 'open', 'pending', 'closed')),
    channel_id        INTEGER REFERENCES channels (id),
    customer_id       INTEGER NOT NULL REFERENCES customers (id),
    group_id          INTEGER REFERENCES groups (id) ON DELETE SET NULL,
    assignee_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    window_expires_at BIGINT,                       -- last customer message (Meta time) + 24 h
    last_inbound_at   BIGINT,
    last_outbound_at  BIGINT,
    last_message_at   BIGINT  NOT NULL,
    unread_count      INTEGER NOT NULL DEFAULT 0,
    reminder_sent_at  BIGINT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    closed_at         BIGINT
);
-- The inbox lists newest activity first; the cursor is (last_message_at, id).
CREATE INDEX tickets_activity ON tickets (last_message_at DESC, id DESC);
CREATE INDEX tickets_state_activity ON tickets (state, last_message_at DESC, id DESC);
CREATE INDEX tickets_group_activity ON tickets (group_id, last_message_at DESC, id DESC);
CREATE INDEX tickets_assignee_activity ON tickets (assignee_id, last_message_at DESC, id DESC);
CREATE INDEX tickets_channel_activity ON tickets (channel_id, last_message_at DESC, id DESC);
CREATE INDEX tickets_customer ON tickets (customer_id, channel_id, state);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    ticket_id      INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    channel_id     INTEGER REFERENCES channels (id),
    direction      TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    internal       BOOLEAN NOT NULL DEFAULT FALSE,
    type           TEXT    NOT NULL,
    text           TEXT    NOT NULL DEFAULT '',
    sender_kind    TEXT    NOT NULL CHECK (sender_kind IN ('customer', 'agent', 'system')),
    sender_id      INTEGER,                         -- customer id or user id, by sender_kind
    wa_message_id  TEXT,
    status         TEXT    NOT NULL,
    error_code     INTEGER,
    error_title    TEXT,
    error_message  TEXT,
    reply_to_id    INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    reply_to_wamid TEXT,                            -- the quoted wamid, kept even when unknown here
    payload        TEXT,                            -- JSON: location, contacts, interactive, order, referral, template, context flags
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT  NOT NULL,                -- Meta's timestamp for inbound messages
    updated_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX messages_wamid ON messages (channel_id, wa_message_id) WHERE wa_message_id IS NOT NULL;
CREATE INDEX messages_ticket ON messages (ticket_id, created_at, id);
CREATE INDEX messages_status ON messages (status) WHERE status IN ('queued', 'unknown');

-- Attachment bytes live in the blob store, addressed by sha256.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    filename    TEXT    NOT NULL DEFAULT '',
    mime_type   TEXT    NOT NULL DEFAULT '',
    size        BIGINT  NOT NULL DEFAULT 0,
    sha256      TEXT    NOT NULL DEFAULT '',
    voice       BOOLEAN NOT NULL DEFAULT FALSE,
    state       TEXT    NOT NULL CHECK (state IN ('ready', 'downloading', 'failed')),
    wa_media_id TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- One reaction per reactor and message; a later one replaces it.
CREATE TABLE reactions (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    by_kind       TEXT    NOT NULL CHECK (by_kind IN ('customer', 'agent')),
    by_id         INTEGER NOT NULL,
    emoji         TEXT    NOT NULL,
    wa_message_id TEXT,
    created_at    BIGINT  NOT NULL,
    UNIQUE (message_id, by_kind, by_id)
);

-- Raw webhook deliveries, committed before Meta gets its 200.
CREATE TABLE webhook_inbox (
    id           INTEGER PRIMARY KEY,
    channel_id   INTEGER REFERENCES channels (id),
    received_at  BIGINT  NOT NULL,
    body         BLOB    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'ignored')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    processed_at BIGINT
);
CREATE INDEX webhook_inbox_pending ON webhook_inbox (id) WHERE state = 'pending';

-- Statuses whose send is not recorded yet (a status can beat the wamid to the database).
CREATE TABLE pending_statuses (
    id            INTEGER PRIMARY KEY,
    channel_id    INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    wa_message_id TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    UNIQUE (channel_id, wa_message_id, status)
);

CREATE TABLE templates (
    id               INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    meta_id          TEXT    NOT NULL DEFAULT '',
    name             TEXT    NOT NULL,
    language         TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    category         TEXT    NOT NULL DEFAULT '',
    parameter_format TEXT    NOT NULL DEFAULT 'POSITIONAL',
    quality          TEXT    NOT NULL DEFAULT '',
    components       TEXT    NOT NULL DEFAULT '[]',   -- JSON as Meta returns it
    synced_at        BIGINT  NOT NULL,
    UNIQUE (channel_id, name, language)
);

-- Full-text search (SQLite FTS5; PostgreSQL uses tsvector expression indexes).
CREATE VIRTUAL TABLE messages_fts USING fts5 (text, content = 'messages', content_rowid = 'id');
CREATE VIRTUAL TABLE tickets_fts USING fts5 (title, content = 'tickets', content_rowid = 'id');

-- +goose StatementBegin
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_au AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, title) VALUES (new.id, new.title);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_au AFTER UPDATE OF title ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO tickets_fts (rowid, title) VALUES (new.id, new.title);
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE tickets_fts;
DROP TABLE messages_fts;
DROP TABLE templates;
DROP TABLE pending_statuses;
DROP TABLE webhook_inbox;
DROP TABLE reactions;
DROP TABLE attachments;
DROP TABLE messages;
DROP TABLE tickets;
DROP TABLE counters;
DROP TABLE customers;
DROP TABLE channels;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE group_members;
DROP TABLE groups;
DROP TABLE users;
