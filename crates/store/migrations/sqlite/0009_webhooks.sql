-- Scorecard Actions and webhooks (docs/webhooks.md).

-- Where webhook messages go: a scorecard action of type WEBHOOK (kind ACTION, same id as the
-- action) or an account's event endpoint (kind ENDPOINT). One table, so signing, rotation,
-- delivery and disabling are written once for both.
CREATE TABLE webhook_targets (
    id                    TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts(id),
    kind                  TEXT NOT NULL,            -- ACTION | ENDPOINT
    url                   TEXT NOT NULL,
    event_types           TEXT,                     -- ENDPOINT: JSON array; NULL = every type
    description           TEXT,
    enabled               INTEGER NOT NULL,
    disabled_reason       TEXT,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,                     -- still signed with until previous_secret_until
    previous_secret_until INTEGER,
    failing_since         INTEGER,                  -- first failure of the current failing run
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX webhook_targets_account ON webhook_targets(account_id, kind, created_at, id);

CREATE TABLE scorecard_actions (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    scorecard_id    TEXT NOT NULL REFERENCES scorecards(id),
    trigger_spec    TEXT NOT NULL,                  -- JSON, scorejar-core::actions::Trigger
    action_spec     TEXT NOT NULL,                  -- JSON, scorejar-core::actions::Action
    enabled         INTEGER NOT NULL,
    disabled_reason TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX scorecard_actions_scorecard ON scorecard_actions(scorecard_id, created_at, id);

-- One message per target and cause (dedupe_key): the same webhook-id on every attempt.
CREATE TABLE webhook_messages (
    id              TEXT PRIMARY KEY,               -- msg_…, the webhook-id header
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    target_id       TEXT NOT NULL REFERENCES webhook_targets(id),
    event_type      TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL,
    body            TEXT NOT NULL,                  -- sent byte for byte on every attempt
    status          TEXT NOT NULL,                  -- PENDING | DELIVERED | FAILED
    attempts        INTEGER NOT NULL,               -- all attempts, numbering webhook_attempts
    round_attempts  INTEGER NOT NULL,               -- attempts since the last (re)delivery request
    next_attempt_at INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (target_id, dedupe_key)
);
CREATE INDEX webhook_messages_account ON webhook_messages(account_id, created_at DESC, id DESC);
CREATE INDEX webhook_messages_target ON webhook_messages(target_id, status, created_at);

CREATE TABLE webhook_attempts (
    message_id   TEXT NOT NULL REFERENCES webhook_messages(id),
    attempt      INTEGER NOT NULL,
    attempted_at INTEGER NOT NULL,
    status_code  INTEGER,
    duration_ms  INTEGER NOT NULL,
    response     TEXT,                              -- the first bytes of the answer
    error        TEXT,
    PRIMARY KEY (message_id, attempt)
);

-- Actions other than webhooks run at most once per evaluation and cause.
CREATE TABLE action_runs (
    action_id  TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    ran_at     INTEGER NOT NULL,
    PRIMARY KEY (action_id, dedupe_key)
);

-- How many QUEUE_EVALUATION actions led to this evaluation (chains stop at a limit).
ALTER TABLE evaluations ADD COLUMN action_depth INTEGER NOT NULL DEFAULT 0;
