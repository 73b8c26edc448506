-- Job queue indexes for claiming (SQLite). Migrations are only ever added, never edited.
-- Claims read due jobs in run order from the first index and expired leases from the second;
-- both are partial so finished jobs (most of the table, eventually) cost nothing to skip.

CREATE INDEX jobs_due ON jobs(run_at, created_at) WHERE status = 'QUEUED';
CREATE INDEX jobs_lease ON jobs(status, lease_expires_at);
