//! The job queue on SQLite: claiming, leases and finishing, as synchronous functions over the
//! writer connection (reads are in `queue_read`).
//!
//! Every function that writes runs inside one writer request, i.e. one savepoint of a
//! group-commit transaction: an `Err` undoes all of it. Because the single writer serialises
//! them, "read the job, then update it" cannot race with another worker of this process, and
//! other processes wait on the file lock. A job belongs to a worker only while its row says
//! `status = 'RUNNING' AND lease_owner = worker`.

use super::codec::{json_col, now_micros};
use super::jobs;
use super::queue_effects::{apply_effects, set_step, StepState};
use crate::queue::{ClaimedJob, JobOutcome};
use crate::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use scorejar_core::model::NewJob;
use std::time::Duration;

/// Due jobs of the given kinds (a JSON array in ?2), oldest `run_at` first: queued ones whose
/// time has come and running ones whose lease has expired. Each branch walks its own index
/// and stops at the limit, so a long backlog costs nothing per claim.
const CLAIM: &str = "
UPDATE jobs SET status = 'RUNNING', lease_owner = ?4, lease_expires_at = ?5,
                attempts = attempts + 1, updated_at = ?1
WHERE id IN (
    SELECT id FROM (
        SELECT id, run_at, created_at FROM (
            SELECT id, run_at, created_at FROM jobs
            WHERE status = 'QUEUED' AND run_at <= ?1
              AND kind IN (SELECT value FROM json_each(?2))
            ORDER BY run_at, created_at LIMIT ?3)
        UNION ALL
        SELECT id, run_at, created_at FROM (
            SELECT id, run_at, created_at FROM jobs
            WHERE status = 'RUNNING' AND lease_expires_at < ?1
              AND kind IN (SELECT value FROM json_each(?2))
            ORDER BY lease_expires_at LIMIT ?3))
    ORDER BY run_at, created_at LIMIT ?3)
RETURNING id, kind, interaction_id, payload, attempts, max_attempts, run_at, created_at";

pub(super) fn claim(
    conn: &Connection,
    worker_id: &str,
    kinds: &[String],
    limit: u32,
    lease: Duration,
) -> StoreResult<Vec<ClaimedJob>> {
    if kinds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let now = now_micros();
    let kinds_json = serde_json::to_string(kinds).map_err(anyhow::Error::new)?;
    let mut statement = conn.prepare_cached(CLAIM)?;
    let mut claimed = statement
        .query_map(
            params![now, kinds_json, limit, worker_id, now + lease_micros(lease)],
            |row| {
                Ok((
                    (
                        row.get::<_, i64>("run_at")?,
                        row.get::<_, i64>("created_at")?,
                    ),
                    ClaimedJob {
                        id: row.get("id")?,
                        kind: row.get("kind")?,
                        interaction_id: row.get("interaction_id")?,
                        payload: json_col(row, "payload")?.unwrap_or_default(),
                        attempt: row.get("attempts")?,
                        max_attempts: row.get("max_attempts")?,
                    },
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    // RETURNING has no defined order; workers get the jobs in the order they were due.
    claimed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let claimed: Vec<ClaimedJob> = claimed.into_iter().map(|(_, job)| job).collect();
    for job in &claimed {
        set_step(conn, job, StepState::Processing, now)?;
    }
    Ok(claimed)
}

pub(super) fn extend_leases(
    conn: &Connection,
    worker_id: &str,
    job_ids: &[String],
    lease: Duration,
) -> StoreResult<u64> {
    if job_ids.is_empty() {
        return Ok(0);
    }
    let now = now_micros();
    let ids_json = serde_json::to_string(job_ids).map_err(anyhow::Error::new)?;
    let changed = conn
        .prepare_cached(
            "UPDATE jobs SET lease_expires_at = ?1, updated_at = ?2
             WHERE id IN (SELECT value FROM json_each(?3))
               AND lease_owner = ?4 AND status = 'RUNNING'",
        )?
        .execute(params![now + lease_micros(lease), now, ids_json, worker_id])?;
    Ok(changed as u64)
}

/// The job row's new state for each outcome: (status, run_at, last_error, attempts delta).
fn job_row_change(
    outcome: &JobOutcome,
    now: i64,
) -> (&'static str, Option<i64>, Option<&str>, i64) {
    match outcome {
        JobOutcome::Done(_) => ("DONE", None, None, 0),
        JobOutcome::Retry { error, run_at } => (
            "QUEUED",
            Some(scorejar_core::cursor::to_micros(*run_at)),
            Some(error.as_str()),
            0,
        ),
        JobOutcome::Failed { error, .. } => ("FAILED", None, Some(error.as_str()), 0),
        JobOutcome::Release => ("QUEUED", Some(now), None, -1),
    }
}

/// Applies `outcome` when `worker_id` holds the job; `Ok(false)` and nothing written otherwise.
/// A finished job keeps its owner (who ran it); a re-queued one loses it.
pub(super) fn finish(
    conn: &Connection,
    job_id: &str,
    worker_id: &str,
    outcome: &JobOutcome,
) -> StoreResult<bool> {
    let now = now_micros();
    let (status, run_at, error, attempts_delta) = job_row_change(outcome, now);
    let job = conn
        .prepare_cached(
            "UPDATE jobs SET status = ?3, run_at = COALESCE(?4, run_at),
                    last_error = COALESCE(?5, last_error), attempts = attempts + ?6,
                    lease_owner = CASE WHEN ?3 = 'QUEUED' THEN NULL ELSE lease_owner END,
                    lease_expires_at = NULL, updated_at = ?7
             WHERE id = ?1 AND lease_owner = ?2 AND status = 'RUNNING'
             RETURNING id, kind, interaction_id, payload, attempts, max_attempts",
        )?
        .query_row(
            params![
                job_id,
                worker_id,
                status,
                run_at,
                error,
                attempts_delta,
                now
            ],
            |row| {
                Ok(ClaimedJob {
                    id: row.get("id")?,
                    kind: row.get("kind")?,
                    interaction_id: row.get("interaction_id")?,
                    payload: json_col(row, "payload")?.unwrap_or_default(),
                    attempt: row.get("attempts")?,
                    max_attempts: row.get("max_attempts")?,
                })
            },
        )
        .optional()?;
    let Some(job) = job else { return Ok(false) };
    match outcome {
        JobOutcome::Done(effects) | JobOutcome::Failed { effects, .. } => {
            apply_effects(conn, &job, effects, now)?
        }
        JobOutcome::Retry { .. } | JobOutcome::Release => {
            set_step(conn, &job, StepState::Pending, now)?
        }
    }
    Ok(true)
}

/// Marks the jobs DONE (no effects) where `worker_id` still holds them; returns how many.
/// The owner stays on the row: it names the worker that ran the job.
pub(super) fn finish_done(
    conn: &Connection,
    worker_id: &str,
    job_ids: &[String],
) -> StoreResult<u64> {
    if job_ids.is_empty() {
        return Ok(0);
    }
    let ids_json = serde_json::to_string(job_ids).map_err(anyhow::Error::new)?;
    let changed = conn
        .prepare_cached(
            "UPDATE jobs SET status = 'DONE', lease_expires_at = NULL, updated_at = ?1
             WHERE id IN (SELECT value FROM json_each(?2))
               AND lease_owner = ?3 AND status = 'RUNNING'",
        )?
        .execute(params![now_micros(), ids_json, worker_id])?;
    Ok(changed as u64)
}

pub(super) fn enqueue(conn: &Connection, new_jobs: &[NewJob]) -> StoreResult<()> {
    jobs::enqueue(conn, new_jobs, now_micros())
}

/// A lease in the storage unit, saturating rather than overflowing on absurd durations.
pub(super) fn lease_micros(lease: Duration) -> i64 {
    i64::try_from(lease.as_micros()).unwrap_or(i64::MAX / 2)
}

/// The error for effects that need an interaction on a job without one.
pub(super) fn no_interaction(job: &ClaimedJob) -> StoreError {
    StoreError::Internal(anyhow::anyhow!(
        "job {} ({}) has effects on an interaction but names none",
        job.id,
        job.kind
    ))
}
