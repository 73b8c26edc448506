-- scorejar core schema (SQLite). Migrations are only ever added, never edited.
-- Times are INTEGER microseconds since the Unix epoch (UTC); ids are UUIDv7 text.
-- The PostgreSQL schema (migrations/postgres) mirrors this one table for table.

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    credits     INTEGER NOT NULL CHECK (credits >= 0),
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    email         TEXT NOT NULL,
    email_lower   TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE tags (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE scorecards (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    name          TEXT NOT NULL,
    description   TEXT,
    status        TEXT NOT NULL,            -- DRAFT | ACTIVE | ARCHIVED
    prompt        TEXT,
    model         TEXT,
    passing_score REAL,
    sections      TEXT NOT NULL,            -- JSON array, validated by scorejar-core
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX scorecards_account ON scorecards(account_id);

CREATE TABLE participants (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts(id),
    name              TEXT,
    email             TEXT,
    email_lower       TEXT,
    phone             TEXT,
    source_identifier TEXT,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, source_identifier),
    UNIQUE (account_id, email_lower)
);

CREATE TABLE interactions (
    id                        TEXT PRIMARY KEY,
    account_id                TEXT NOT NULL REFERENCES accounts(id),
    source_identifier         TEXT NOT NULL,
    interaction_type          TEXT NOT NULL,  -- AUDIO | VIDEO | CHAT | EMAIL | SMS
    direction                 TEXT NOT NULL,  -- INBOUND | OUTBOUND
    occurred_at               INTEGER NOT NULL,
    duration_ms               INTEGER,
    download_url              TEXT,
    agent_id                  TEXT REFERENCES participants(id),
    customer_id               TEXT REFERENCES participants(id),
    media_status              TEXT,           -- NULL when the interaction has no media
    media_object_key          TEXT,
    media_content_type        TEXT,
    media_size_bytes          INTEGER,
    media_duration_ms         INTEGER,
    media_channels            INTEGER,
    media_sample_rate         INTEGER,
    media_codec               TEXT,
    media_container           TEXT,
    media_error               TEXT,
    transcript_status         TEXT,           -- NULL when no transcript is expected
    transcript_source         TEXT,           -- PROVIDED | ENGINE
    transcript_text           TEXT,
    transcript_language       TEXT,
    transcript_agent_channel  INTEGER,
    transcript_segments       TEXT,           -- JSON array of segments
    transcript_error          TEXT,
    email                     TEXT,           -- JSON object
    custom_metadata           TEXT,           -- JSON object, as uploaded (key order kept)
    processing_transcription  INTEGER NOT NULL,
    processing_evaluation     INTEGER NOT NULL,
    score_submission_id       TEXT,
    credits_charged           INTEGER NOT NULL,
    created_at                INTEGER NOT NULL,
    UNIQUE (account_id, source_identifier)
);
CREATE INDEX interactions_account_time ON interactions(account_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_agent ON interactions(agent_id);

CREATE TABLE interaction_tags (
    interaction_id TEXT NOT NULL REFERENCES interactions(id),
    tag_id         TEXT NOT NULL REFERENCES tags(id),
    PRIMARY KEY (interaction_id, tag_id)
);
CREATE INDEX interaction_tags_tag ON interaction_tags(tag_id);

-- Typed, indexed copy of customMetadata for filtering. value_number holds INT and FLOAT values.
CREATE TABLE interaction_metadata (
    interaction_id TEXT NOT NULL REFERENCES interactions(id),
    account_id     TEXT NOT NULL,
    key            TEXT NOT NULL,
    value_type     TEXT NOT NULL,             -- STRING | BOOLEAN | INT | FLOAT
    value_text     TEXT,                      -- STRING values; 'true'/'false' for BOOLEAN
    value_number   REAL,                      -- INT and FLOAT values
    PRIMARY KEY (interaction_id, key)
);
CREATE INDEX interaction_metadata_text ON interaction_metadata(account_id, key, value_text);
CREATE INDEX interaction_metadata_number ON interaction_metadata(account_id, key, value_number);

CREATE TABLE evaluations (
    id             TEXT PRIMARY KEY,          -- the scoreSubmissionId
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    interaction_id TEXT NOT NULL REFERENCES interactions(id),
    scorecard_id   TEXT NOT NULL REFERENCES scorecards(id),
    status         TEXT NOT NULL,             -- QUEUED | PROCESSING | COMPLETED | FAILED
    result         TEXT,                      -- JSON, when COMPLETED
    error          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX evaluations_interaction ON evaluations(interaction_id);

-- Every credit movement. amount is signed: grants > 0, charges < 0.
CREATE TABLE credit_ledger (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    amount         INTEGER NOT NULL,
    balance_after  INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    interaction_id TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX credit_ledger_account ON credit_ledger(account_id, created_at DESC);

-- The job queue. status: QUEUED | RUNNING | DONE | FAILED. Claiming and leases come with the
-- pipeline; the columns are here so that uploads enqueue in their own transaction from day one.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    interaction_id   TEXT,
    payload          TEXT NOT NULL,           -- JSON
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    run_at           INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs(status, run_at);
CREATE INDEX jobs_interaction ON jobs(interaction_id);
