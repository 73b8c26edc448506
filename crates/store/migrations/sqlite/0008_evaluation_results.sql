-- Scorecard versions: every change of what scoring reads (sections, prompt, model, passing
-- score) makes a new immutable version, and an evaluation records the one it used.
ALTER TABLE scorecards ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- AI answers per question (majority wins); NULL = 1.
ALTER TABLE scorecards ADD COLUMN samples INTEGER;
CREATE TABLE scorecard_versions (
    scorecard_id  TEXT NOT NULL REFERENCES scorecards(id),
    version       INTEGER NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    name          TEXT NOT NULL,
    prompt        TEXT,
    model         TEXT,
    passing_score REAL,
    sections      TEXT NOT NULL,
    samples       INTEGER,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (scorecard_id, version)
);
INSERT INTO scorecard_versions
    (scorecard_id, version, account_id, name, prompt, model, passing_score, sections, created_at)
SELECT id, 1, account_id, name, prompt, model, passing_score, sections, updated_at FROM scorecards;

-- A finished evaluation's figures as columns, for listing filters; the whole result stays in
-- `result` (JSON).
ALTER TABLE evaluations ADD COLUMN scorecard_version INTEGER;
ALTER TABLE evaluations ADD COLUMN engine TEXT;
ALTER TABLE evaluations ADD COLUMN percentage REAL;
ALTER TABLE evaluations ADD COLUMN passed INTEGER;
ALTER TABLE evaluations ADD COLUMN needs_review INTEGER;
ALTER TABLE evaluations ADD COLUMN completed_at INTEGER;
-- When a reviewer last corrected it (the agreement report reads the reviewed ones).
ALTER TABLE evaluations ADD COLUMN reviewed_at INTEGER;
CREATE INDEX evaluations_account ON evaluations(account_id, created_at DESC, id DESC);
CREATE INDEX evaluations_reviewed ON evaluations(scorecard_id, reviewed_at) WHERE reviewed_at IS NOT NULL;
