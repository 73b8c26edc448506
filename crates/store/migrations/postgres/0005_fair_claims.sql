-- Fair claiming across accounts (docs/storage.md, "Claiming fairly"). Each job carries its
-- interaction's account, so a claim can take the oldest due job of every account, fewest running
-- first, before filling up with the oldest of all: one account's backlog no longer holds every
-- other account's work behind it. Jobs without an interaction keep a NULL account and are
-- claimed in plain run order. Migrations are only ever added, never edited.
ALTER TABLE jobs ADD COLUMN account_id TEXT COLLATE "C";
UPDATE jobs SET account_id =
    (SELECT i.account_id FROM interactions i WHERE i.id = jobs.interaction_id)
WHERE interaction_id IS NOT NULL;
-- Walked once per account with due work (a skip scan), then once more for that account's oldest.
CREATE INDEX jobs_due_account ON jobs (account_id, run_at, created_at) WHERE status = 'QUEUED';
-- Counts what each account already has running (few rows: at most every worker's slots).
CREATE INDEX jobs_running_account ON jobs (account_id) WHERE status = 'RUNNING';
