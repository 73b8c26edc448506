-- Tries of a scorecard that ask the AI (the web app's "Try it", docs/web.md): each runs as one
-- job (kind `TryScorecard`), is never billed and is never an evaluation — nothing lists or
-- counts it but its own page.
CREATE TABLE scorecard_trials (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    scorecard_id   TEXT NOT NULL REFERENCES scorecards(id),
    version        INTEGER NOT NULL,
    interaction_id TEXT NOT NULL REFERENCES interactions(id),
    status         TEXT NOT NULL,             -- QUEUED | COMPLETED | FAILED
    result         TEXT,                      -- the EvaluationResult, JSON, when COMPLETED
    error          TEXT,                      -- why, when FAILED
    created_at     INTEGER NOT NULL,
    finished_at    INTEGER
);
CREATE INDEX scorecard_trials_account_status ON scorecard_trials(account_id, status);
