//! The statements of the PostgreSQL job queue, kept apart from the Rust that drives them.
//!
//! Claiming is one statement: each branch (due queued jobs, expired leases) walks its own
//! index in order with `FOR UPDATE SKIP LOCKED`, so concurrent claimers — in this process or
//! another — pass over each other's rows instead of waiting or taking the same job; the claimed
//! rows then set their step to PROCESSING in the same statement.

/// Run before [`CLAIM`] in its transaction. Each branch must walk its index in order and stop
/// at the limit; the alternative, fetching every due row and sorting, costs the whole backlog on
/// every claim. The planner picks that alternative whenever its statistics believe few jobs are
/// due — exactly during a burst, before autovacuum has analysed the table again (measured over
/// 20,000 fresh jobs: 16–56 ms per claim, 0.6 ms once analysed). With sorting disabled the
/// ordered index scans are the only plans without a sort; the sorts that remain (of the claimed
/// rows) have no alternative and run as usual. JIT goes off with it: the penalty that disabling
/// adds to the plan's cost would otherwise trigger a JIT compilation of about a second per claim.
/// `set_config(…, true)` is `SET LOCAL`, in one statement.
pub(crate) const CLAIM_PLAN: &str =
    "SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true)";

/// $1 now, $2 kinds, $3 limit, $4 worker, $5 lease expiry, $6–$8 the FetchMedia, Transcribe and
/// Evaluate kinds.
pub(crate) const CLAIM: &str = r#"
WITH
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
picked AS (
    SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS p
    ORDER BY run_at, created_at LIMIT $3
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
SELECT id, kind, interaction_id, payload, attempts, max_attempts FROM claimed
ORDER BY run_at, created_at, id COLLATE "C"
"#;

/// The job row's new state while the caller holds it. $1 job, $2 worker, $3 status, $4 run_at
/// (NULL: unchanged), $5 last_error (NULL: unchanged), $6 attempts delta, $7 now. A finished
/// job keeps its owner (who ran it); a re-queued one loses it.
pub(crate) const FINISH_JOB_ROW: &str = "
UPDATE jobs SET status = $3, run_at = COALESCE($4, run_at),
       last_error = COALESCE($5, last_error), attempts = attempts + $6,
       lease_owner = CASE WHEN $3 = 'QUEUED' THEN NULL ELSE lease_owner END,
       lease_expires_at = NULL, updated_at = $7
WHERE id = $1 AND lease_owner = $2 AND status = 'RUNNING'
RETURNING id, kind, interaction_id, payload, attempts, max_attempts";

/// One credit movement of a finished job on the (already locked) interaction's account:
/// a guarded update, its ledger row, and the balance before for the error message.
/// $1 account, $2 amount, $3 ledger id, $4 reason, $5 interaction, $6 now.
pub(crate) const MOVE_CREDITS: &str = "
WITH moved AS (
    UPDATE accounts SET credits = credits + $2
    WHERE id = $1 AND credits + $2 >= 0
    RETURNING credits
),
entry AS (
    INSERT INTO credit_ledger
        (id, account_id, amount, balance_after, reason, interaction_id, created_at)
    SELECT $3, $1, $2, moved.credits, $4, $5, $6 FROM moved
)
SELECT (SELECT credits FROM moved), (SELECT credits FROM accounts WHERE id = $1)";

/// $1 status, $2–$9 media info (NULL: unchanged), $10 error, $11 interaction.
pub(crate) const UPDATE_MEDIA: &str = "
UPDATE interactions SET media_status = $1,
    media_object_key = COALESCE($2, media_object_key),
    media_content_type = COALESCE($3, media_content_type),
    media_size_bytes = COALESCE($4, media_size_bytes),
    media_duration_ms = COALESCE($5, media_duration_ms),
    media_channels = COALESCE($6, media_channels),
    media_sample_rate = COALESCE($7, media_sample_rate),
    media_codec = COALESCE($8, media_codec),
    media_container = COALESCE($9, media_container),
    media_error = $10
WHERE id = $11";

/// $1 status, $2–$5 source, text, language, segments (NULL: unchanged), $6 error, $7 interaction,
/// $8–$9 engine, model (NULL: unchanged).
pub(crate) const UPDATE_TRANSCRIPT: &str = "
UPDATE interactions SET transcript_status = $1,
    transcript_source = COALESCE($2, transcript_source),
    transcript_text = COALESCE($3, transcript_text),
    transcript_language = COALESCE($4, transcript_language),
    transcript_segments = COALESCE($5, transcript_segments),
    transcript_error = $6,
    transcript_engine = COALESCE($8, transcript_engine),
    transcript_model = COALESCE($9, transcript_model)
WHERE id = $7";

/// Inserts jobs (parallel arrays) and notifies listeners when any was inserted.
/// $1–$5 ids, kinds, interaction ids, payloads, max attempts; $6 now.
pub(crate) const ENQUEUE: &str = "
WITH inserted AS (
    INSERT INTO jobs (id, kind, interaction_id, payload, status, attempts, max_attempts, run_at,
                      created_at, updated_at)
    SELECT j.id, j.kind, j.interaction_id, j.payload, 'QUEUED', 0, j.max_attempts, $6, $6, $6
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[])
        AS j(id, kind, interaction_id, payload, max_attempts)
    RETURNING 1
)
SELECT count(*) FROM (SELECT pg_notify('scorejar_jobs', '') FROM (SELECT 1) AS one
                      WHERE EXISTS (SELECT 1 FROM inserted)) AS notified";
