-- Scorecard versions: every change of what scoring reads (sections, prompt, model, passing
-- score) makes a new immutable version, and an evaluation records the one it used.
ALTER TABLE scorecards ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- AI answers per question (majority wins); NULL = 1.
ALTER TABLE scorecards ADD COLUMN samples BIGINT;
CREATE TABLE scorecard_versions (
    scorecard_id  TEXT NOT NULL CONSTRAINT scorecard_versions_scorecard_fk REFERENCES scorecards(id),
    version       BIGINT NOT NULL,
    account_id    TEXT NOT NULL CONSTRAINT scorecard_versions_account_fk REFERENCES accounts(id),
    name          TEXT NOT NULL,
    prompt        TEXT,
    model         TEXT,
    passing_score DOUBLE PRECISION,
    sections      TEXT NOT NULL,
    samples       BIGINT,
    created_at    BIGINT NOT NULL,
    CONSTRAINT scorecard_versions_pkey PRIMARY KEY (scorecard_id, version)
);
INSERT INTO scorecard_versions
    (scorecard_id, version, account_id, name, prompt, model, passing_score, sections, created_at)
SELECT id, 1, account_id, name, prompt, model, passing_score, sections, updated_at FROM scorecards;

-- A finished evaluation's figures as columns, for listing filters; the whole result stays in
-- `result` (JSON).
ALTER TABLE evaluations ADD COLUMN scorecard_version BIGINT;
ALTER TABLE evaluations ADD COLUMN engine TEXT;
ALTER TABLE evaluations ADD COLUMN percentage DOUBLE PRECISION;
ALTER TABLE evaluations ADD COLUMN passed BOOLEAN;
ALTER TABLE evaluations ADD COLUMN needs_review BOOLEAN;
ALTER TABLE evaluations ADD COLUMN completed_at BIGINT;
-- When a reviewer last corrected it (the agreement report reads the reviewed ones).
ALTER TABLE evaluations ADD COLUMN reviewed_at BIGINT;
CREATE INDEX evaluations_account ON evaluations(account_id, created_at DESC, id DESC);
CREATE INDEX evaluations_reviewed ON evaluations(scorecard_id, reviewed_at) WHERE reviewed_at IS NOT NULL;
