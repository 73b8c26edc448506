//! Claiming jobs on PostgreSQL, in its own SQL: one statement whose branches (each account's
//! oldest due job, the oldest due jobs of all, expired leases) each walk their own index in order
//! with `FOR UPDATE SKIP LOCKED`, so concurrent claimers — in this process or another — pass over
//! each other's rows instead of waiting or taking the same job; the claimed rows then set their
//! step to PROCESSING in the same statement.

use super::db::PgDb;
use crate::codec::{duration_micros, now_micros};
use crate::ops::jobs::claimed_job;
use crate::queue::ClaimedJob;
use crate::sql::{Arg, Db};
use crate::StoreResult;
use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use std::time::Duration;

/// Run before [`CLAIM`] in its transaction. Each branch must walk its index in order and stop
/// at the limit; the alternative, fetching every due row and sorting, costs the whole backlog on
/// every claim. The planner picks that alternative whenever its statistics believe few jobs are
/// due — exactly during a burst, before autovacuum has analysed the table again (measured over
/// 20,000 fresh jobs: 16–56 ms per claim, 0.6 ms once analysed). With sorting disabled the
/// ordered index scans are the only plans without a sort; the sorts that remain (of the claimed
/// rows) have no alternative and run as usual. JIT goes off with it: the penalty that disabling
/// adds to the plan's cost would otherwise trigger a JIT compilation of about a second per claim.
/// `set_config(…, true)` is `SET LOCAL`, in one statement.
pub(super) const CLAIM_PLAN: &str =
    "SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true)";

/// $1 now, $2 kinds, $3 limit, $4 worker, $5 lease expiry, $6–$8 the FetchMedia, Transcribe and
/// Evaluate kinds. Fair across accounts (docs/storage.md, "Claiming fairly"): the oldest due job
/// of every account with queued work (found by a skip scan, one index seek per account), fewest
/// running first, then the oldest due jobs of all and expired leases.
pub(super) const CLAIM: &str = r#"
WITH RECURSIVE
queued_accounts AS (
    (SELECT account_id AS id FROM jobs
     WHERE status = 'QUEUED' AND account_id IS NOT NULL ORDER BY account_id LIMIT 1)
    UNION ALL
    SELECT (SELECT account_id FROM jobs
            WHERE status = 'QUEUED' AND account_id > q.id ORDER BY account_id LIMIT 1)
    FROM queued_accounts q WHERE q.id IS NOT NULL
),
heads AS (
    SELECT h.id, h.run_at, h.created_at,
           (SELECT count(*) FROM jobs r WHERE r.status = 'RUNNING' AND r.account_id = q.id)
               AS running
    FROM queued_accounts q,
         LATERAL (SELECT id, run_at, created_at FROM jobs
                  WHERE status = 'QUEUED' AND account_id = q.id AND run_at <= $1
                    AND kind = ANY($2::text[])
                  ORDER BY run_at, created_at LIMIT 1
                  FOR UPDATE SKIP LOCKED) h
    WHERE q.id IS NOT NULL
),
due AS (
    SELECT id, run_at, created_at FROM jobs
    WHERE status = 'QUEUED' AND run_at <= $1 AND kind = ANY($2::text[])
    ORDER BY run_at, created_at LIMIT $3
    FOR UPDATE SKIP LOCKED
),
expired AS (
    SELECT id, run_at, created_at FROM jobs
    WHERE status = 'RUNNING' AND lease_expires_at < $1 AND kind = ANY($2::text[])
    ORDER BY lease_expires_at LIMIT $3
    FOR UPDATE SKIP LOCKED
),
-- A head may also be among the oldest of all: grouped by id, it keeps its tier and running
-- count (min() passes over the NULL of the other branches).
picked AS (
    SELECT id FROM (
        SELECT id, 0 AS tier, running, run_at, created_at FROM heads
        UNION ALL SELECT id, 1, NULL::bigint, run_at, created_at FROM due
        UNION ALL SELECT id, 1, NULL::bigint, run_at, created_at FROM expired) AS c
    GROUP BY id, run_at, created_at
    ORDER BY min(tier), min(running), run_at, created_at LIMIT $3
),
claimed AS (
    UPDATE jobs j SET status = 'RUNNING', lease_owner = $4, lease_expires_at = $5,
                      attempts = j.attempts + 1, updated_at = $1
    FROM picked WHERE j.id = picked.id
    RETURNING j.id, j.kind, j.interaction_id, j.payload, j.attempts, j.max_attempts,
              j.run_at, j.created_at
),
steps AS (
    SELECT interaction_id, bool_or(kind = $6) AS media, bool_or(kind = $7) AS transcript
    FROM claimed WHERE interaction_id IS NOT NULL GROUP BY interaction_id
),
step_rows AS (
    UPDATE interactions i SET
        media_status = CASE WHEN s.media THEN 'PROCESSING' ELSE i.media_status END,
        transcript_status = CASE WHEN s.transcript THEN 'PROCESSING' ELSE i.transcript_status END
    FROM steps s WHERE i.id = s.interaction_id AND (s.media OR s.transcript)
),
evaluation_rows AS (
    UPDATE evaluations e SET status = 'PROCESSING', updated_at = $1
    FROM claimed c
    WHERE c.kind = $8 AND e.interaction_id = c.interaction_id
      AND e.id = (c.payload::jsonb ->> 'scoreSubmissionId')
)
SELECT id, kind, interaction_id, payload, attempts, max_attempts, run_at FROM claimed
ORDER BY run_at, created_at, id COLLATE "C"
"#;

/// Claims in its own transaction, planned with sorting disabled (`CLAIM_PLAN`).
pub(super) async fn claim(
    db: &mut PgDb,
    worker_id: &str,
    kinds: &[String],
    limit: u32,
    lease: Duration,
) -> StoreResult<Vec<ClaimedJob>> {
    db.execute(CLAIM_PLAN, &[]).await?;
    let now = now_micros();
    let args = [
        Arg::from(now),
        Arg::TextList(kinds),
        Arg::from(i64::from(limit)),
        Arg::from(worker_id),
        Arg::from(now.saturating_add(duration_micros(lease))),
        Arg::from(FETCH_MEDIA),
        Arg::from(TRANSCRIBE),
        Arg::from(EVALUATE),
    ];
    let rows = db.fetch_all(CLAIM, &args).await?;
    rows.iter().map(claimed_job).collect()
}
