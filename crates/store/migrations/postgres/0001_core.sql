-- scorejar core schema (PostgreSQL). Migrations are only ever added, never edited.
-- Mirrors migrations/sqlite/0001_core.sql table for table and column for column:
-- times are BIGINT microseconds since the Unix epoch (UTC); ids are UUIDv7 text; JSON is kept
-- as TEXT (written and read by the Rust side, so both backends return the same data).
-- Constraints carry explicit names because the store maps violations by name.

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    credits     BIGINT NOT NULL CONSTRAINT accounts_credits_not_negative CHECK (credits >= 0),
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL CONSTRAINT users_account_fk REFERENCES accounts(id),
    email         TEXT NOT NULL,
    email_lower   TEXT NOT NULL CONSTRAINT users_email_unique UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL CONSTRAINT api_tokens_account_fk REFERENCES accounts(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL CONSTRAINT api_tokens_hash_unique UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL CONSTRAINT sessions_user_fk REFERENCES users(id),
    account_id  TEXT NOT NULL CONSTRAINT sessions_account_fk REFERENCES accounts(id),
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE tags (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL CONSTRAINT tags_account_fk REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT tags_name_unique UNIQUE (account_id, name_lower)
);

CREATE TABLE scorecards (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL CONSTRAINT scorecards_account_fk REFERENCES accounts(id),
    name          TEXT NOT NULL,
    description   TEXT,
    status        TEXT NOT NULL,            -- DRAFT | ACTIVE | ARCHIVED
    prompt        TEXT,
    model         TEXT,
    passing_score DOUBLE PRECISION,
    sections      TEXT NOT NULL,            -- JSON array, validated by scorejar-core
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX scorecards_account ON scorecards(account_id);

CREATE TABLE participants (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL CONSTRAINT participants_account_fk REFERENCES accounts(id),
    name              TEXT,
    email             TEXT,
    email_lower       TEXT,
    phone             TEXT,
    source_identifier TEXT,
    created_at        BIGINT NOT NULL,
    CONSTRAINT participants_source_identifier_unique UNIQUE (account_id, source_identifier),
    CONSTRAINT participants_email_unique UNIQUE (account_id, email_lower)
);

-- interactions.id is compared byte-wise ("C") so that the (occurred_at, id) keyset order is the
-- same whatever the database's default collation, and the same as SQLite's.
CREATE TABLE interactions (
    id                        TEXT COLLATE "C" PRIMARY KEY,
    account_id                TEXT NOT NULL CONSTRAINT interactions_account_fk REFERENCES accounts(id),
    source_identifier         TEXT NOT NULL,
    interaction_type          TEXT NOT NULL,  -- AUDIO | VIDEO | CHAT | EMAIL | SMS
    direction                 TEXT NOT NULL,  -- INBOUND | OUTBOUND
    occurred_at               BIGINT NOT NULL,
    duration_ms               BIGINT,
    download_url              TEXT,
    agent_id                  TEXT CONSTRAINT interactions_agent_fk REFERENCES participants(id),
    customer_id               TEXT CONSTRAINT interactions_customer_fk REFERENCES participants(id),
    media_status              TEXT,           -- NULL when the interaction has no media
    media_object_key          TEXT,
    media_content_type        TEXT,
    media_size_bytes          BIGINT,
    media_duration_ms         BIGINT,
    media_channels            BIGINT,
    media_sample_rate         BIGINT,
    media_codec               TEXT,
    media_container           TEXT,
    media_error               TEXT,
    transcript_status         TEXT,           -- NULL when no transcript is expected
    transcript_source         TEXT,           -- PROVIDED | ENGINE
    transcript_text           TEXT,
    transcript_language       TEXT,
    transcript_agent_channel  BIGINT,
    transcript_segments       TEXT,           -- JSON array of segments
    transcript_error          TEXT,
    email                     TEXT,           -- JSON object
    custom_metadata           TEXT,           -- JSON [[key, type, value], ...] in upload order
    processing_transcription  BOOLEAN NOT NULL,
    processing_evaluation     BOOLEAN NOT NULL,
    score_submission_id       TEXT,
    credits_charged           BIGINT NOT NULL,
    created_at                BIGINT NOT NULL,
    CONSTRAINT interactions_source_identifier_unique UNIQUE (account_id, source_identifier)
);
CREATE INDEX interactions_account_time ON interactions(account_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_agent ON interactions(agent_id);

CREATE TABLE interaction_tags (
    interaction_id TEXT NOT NULL CONSTRAINT interaction_tags_interaction_fk REFERENCES interactions(id),
    tag_id         TEXT NOT NULL CONSTRAINT interaction_tags_tag_fk REFERENCES tags(id),
    PRIMARY KEY (interaction_id, tag_id)
);
CREATE INDEX interaction_tags_tag ON interaction_tags(tag_id);

-- Typed, indexed copy of customMetadata for filtering. value_number holds INT and FLOAT values.
CREATE TABLE interaction_metadata (
    interaction_id TEXT NOT NULL CONSTRAINT interaction_metadata_interaction_fk REFERENCES interactions(id),
    account_id     TEXT NOT NULL,
    key            TEXT NOT NULL,
    value_type     TEXT NOT NULL,             -- STRING | BOOLEAN | INT | FLOAT
    value_text     TEXT,                      -- STRING values; 'true'/'false' for BOOLEAN
    value_number   DOUBLE PRECISION,          -- INT and FLOAT values
    PRIMARY KEY (interaction_id, key)
);
CREATE INDEX interaction_metadata_text ON interaction_metadata(account_id, key, value_text);
CREATE INDEX interaction_metadata_number ON interaction_metadata(account_id, key, value_number);

CREATE TABLE evaluations (
    id             TEXT PRIMARY KEY,          -- the scoreSubmissionId
    account_id     TEXT NOT NULL CONSTRAINT evaluations_account_fk REFERENCES accounts(id),
    interaction_id TEXT NOT NULL CONSTRAINT evaluations_interaction_fk REFERENCES interactions(id),
    scorecard_id   TEXT NOT NULL CONSTRAINT evaluations_scorecard_fk REFERENCES scorecards(id),
    status         TEXT NOT NULL,             -- QUEUED | PROCESSING | COMPLETED | FAILED
    result         TEXT,                      -- JSON, when COMPLETED
    error          TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX evaluations_interaction ON evaluations(interaction_id);

-- Every credit movement. amount is signed: grants > 0, charges < 0.
CREATE TABLE credit_ledger (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL CONSTRAINT credit_ledger_account_fk REFERENCES accounts(id),
    amount         BIGINT NOT NULL,
    -- Also how an upload that cannot be paid undoes itself (see upload_sql.rs).
    balance_after  BIGINT NOT NULL CONSTRAINT credit_ledger_balance_not_negative
                       CHECK (balance_after >= 0),
    reason         TEXT NOT NULL,
    interaction_id TEXT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX credit_ledger_account ON credit_ledger(account_id, created_at DESC);

-- The job queue. status: QUEUED | RUNNING | DONE | FAILED. Claiming (FOR UPDATE SKIP LOCKED,
-- LISTEN/NOTIFY) and leases come with the pipeline; the columns are here so that uploads enqueue
-- in their own transaction from day one.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    interaction_id   TEXT,
    payload          TEXT NOT NULL,           -- JSON
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    max_attempts     BIGINT NOT NULL,
    run_at           BIGINT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs(status, run_at);
CREATE INDEX jobs_interaction ON jobs(interaction_id);
