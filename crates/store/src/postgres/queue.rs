//! The job queue on PostgreSQL: claiming, leases and finishing (reads are in `queue_read`).
//!
//! Rules: a job belongs to a worker only while its row says `status = 'RUNNING' AND
//! lease_owner = worker`, and every write checks it. `finish_job` is one transaction whose
//! first statement is that check-and-update; if it matches nothing, nothing else runs. A
//! transaction that inserts or re-queues jobs also NOTIFYs `scorejar_jobs`. Deadlocks that
//! PostgreSQL breaks (a finish and an upload locking the same rows) are retried whole.

use super::codec::{decode_json, now_us};
use super::errors::{db, is_transient};
use super::listener::NOTIFY_JOBS;
use super::queue_effects::{apply_effects, reset_step};
use super::queue_sql::{CLAIM, CLAIM_PLAN, ENQUEUE, FINISH_JOB_ROW};
use crate::queue::{ClaimedJob, JobOutcome};
use crate::StoreResult;
use scorejar_core::jobs::{max_attempts, EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use scorejar_core::model::NewJob;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use std::time::Duration;

/// Runs of a statement or transaction that PostgreSQL aborted to break a deadlock.
const MAX_ATTEMPTS: usize = 3;

pub(crate) async fn claim(
    pool: &PgPool,
    worker_id: &str,
    kinds: &[String],
    limit: u32,
    lease: Duration,
) -> StoreResult<Vec<ClaimedJob>> {
    if kinds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match claim_once(pool, worker_id, kinds, limit, lease).await {
            Ok(rows) => return rows.iter().map(claimed_job).collect(),
            Err(e) if is_transient(&e) && attempt < MAX_ATTEMPTS => continue,
            Err(e) => return Err(db(e)),
        }
    }
}

/// One claim in its own transaction, planned with sorting disabled (`CLAIM_PLAN`).
async fn claim_once(
    pool: &PgPool,
    worker_id: &str,
    kinds: &[String],
    limit: u32,
    lease: Duration,
) -> Result<Vec<PgRow>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(CLAIM_PLAN).execute(&mut *tx).await?;
    let now = now_us();
    let rows = sqlx::query(CLAIM)
        .bind(now)
        .bind(kinds)
        .bind(i64::from(limit))
        .bind(worker_id)
        .bind(now.saturating_add(lease_micros(lease)))
        .bind(FETCH_MEDIA)
        .bind(TRANSCRIBE)
        .bind(EVALUATE)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

pub(crate) fn claimed_job(row: &PgRow) -> StoreResult<ClaimedJob> {
    let payload: String = row.try_get("payload").map_err(db)?;
    Ok(ClaimedJob {
        id: row.try_get("id").map_err(db)?,
        kind: row.try_get("kind").map_err(db)?,
        interaction_id: row.try_get("interaction_id").map_err(db)?,
        payload: decode_json(&payload, "jobs.payload")?,
        attempt: row.try_get("attempts").map_err(db)?,
        max_attempts: row.try_get("max_attempts").map_err(db)?,
    })
}

pub(crate) async fn extend_leases(
    pool: &PgPool,
    worker_id: &str,
    job_ids: &[String],
    lease: Duration,
) -> StoreResult<u64> {
    if job_ids.is_empty() {
        return Ok(0);
    }
    let now = now_us();
    let done = sqlx::query(
        "UPDATE jobs SET lease_expires_at = $1, updated_at = $2
         WHERE id = ANY($3) AND lease_owner = $4 AND status = 'RUNNING'",
    )
    .bind(now.saturating_add(lease_micros(lease)))
    .bind(now)
    .bind(job_ids)
    .bind(worker_id)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected())
}

pub(crate) async fn finish(
    pool: &PgPool,
    job_id: &str,
    worker_id: &str,
    outcome: &JobOutcome,
) -> StoreResult<bool> {
    if let JobOutcome::Done(effects) = outcome {
        if *effects == Default::default() {
            // Nothing but the job row: one statement is its own transaction.
            let ids = [job_id.to_owned()];
            return Ok(finish_done(pool, worker_id, &ids).await? == 1);
        }
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = pool.begin().await.map_err(db)?;
        match finish_in(&mut tx, job_id, worker_id, outcome).await {
            Ok(true) => match tx.commit().await {
                Ok(()) => return Ok(true),
                Err(e) if is_transient(&e) && attempt < MAX_ATTEMPTS => continue,
                Err(e) => return Err(db(e)),
            },
            Ok(false) => {
                tx.rollback().await.map_err(db)?;
                return Ok(false);
            }
            Err(Failure::Transient(_)) if attempt < MAX_ATTEMPTS => {
                tx.rollback().await.map_err(db)?;
            }
            Err(failure) => {
                tx.rollback().await.map_err(db)?;
                return Err(failure.into());
            }
        }
    }
}

/// Why a finish did not complete: a deadlock worth running again, or a final error.
pub(crate) enum Failure {
    Transient(sqlx::Error),
    Final(crate::StoreError),
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        if is_transient(&e) {
            Failure::Transient(e)
        } else {
            Failure::Final(db(e))
        }
    }
}

impl From<crate::StoreError> for Failure {
    fn from(e: crate::StoreError) -> Self {
        Failure::Final(e)
    }
}

impl From<Failure> for crate::StoreError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Transient(e) => db(e),
            Failure::Final(e) => e,
        }
    }
}

async fn finish_in(
    conn: &mut PgConnection,
    job_id: &str,
    worker_id: &str,
    outcome: &JobOutcome,
) -> Result<bool, Failure> {
    let now = now_us();
    let (status, run_at, error, attempts_delta): (&str, Option<i64>, Option<&str>, i64) =
        match outcome {
            JobOutcome::Done(_) => ("DONE", None, None, 0),
            JobOutcome::Retry { error, run_at } => (
                "QUEUED",
                Some(scorejar_core::cursor::to_micros(*run_at)),
                Some(error),
                0,
            ),
            JobOutcome::Failed { error, .. } => ("FAILED", None, Some(error), 0),
            JobOutcome::Release => ("QUEUED", Some(now), None, -1),
        };
    let row = sqlx::query(FINISH_JOB_ROW)
        .bind(job_id)
        .bind(worker_id)
        .bind(status)
        .bind(run_at)
        .bind(error)
        .bind(attempts_delta)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(false) };
    let job = claimed_job(&row)?;
    match outcome {
        // Follow-up jobs notify with their own insert.
        JobOutcome::Done(effects) | JobOutcome::Failed { effects, .. } => {
            apply_effects(conn, &job, effects, now).await?;
        }
        JobOutcome::Retry { .. } | JobOutcome::Release => {
            reset_step(conn, &job, now).await?;
            sqlx::query(NOTIFY_JOBS).execute(&mut *conn).await?;
        }
    }
    Ok(true)
}

pub(crate) async fn finish_done(
    pool: &PgPool,
    worker_id: &str,
    job_ids: &[String],
) -> StoreResult<u64> {
    if job_ids.is_empty() {
        return Ok(0);
    }
    // The owner stays on the row: it names the worker that ran the job.
    let done = sqlx::query(
        "UPDATE jobs SET status = 'DONE', lease_expires_at = NULL, updated_at = $1
         WHERE id = ANY($2) AND lease_owner = $3 AND status = 'RUNNING'",
    )
    .bind(now_us())
    .bind(job_ids)
    .bind(worker_id)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected())
}

/// Inserts `jobs` (QUEUED, due now) and notifies listeners, on any connection or transaction.
pub(crate) async fn enqueue(conn: &mut PgConnection, jobs: &[NewJob]) -> StoreResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    let kinds: Vec<&str> = jobs.iter().map(|j| j.kind.as_str()).collect();
    let interactions: Vec<Option<&str>> =
        jobs.iter().map(|j| j.interaction_id.as_deref()).collect();
    let payloads: Vec<String> = jobs.iter().map(|j| j.payload.to_string()).collect();
    let budgets: Vec<i64> = jobs.iter().map(|j| max_attempts(&j.kind)).collect();
    sqlx::query(ENQUEUE)
        .bind(ids)
        .bind(kinds)
        .bind(interactions)
        .bind(payloads)
        .bind(budgets)
        .bind(now_us())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// A lease in the storage unit, saturating rather than overflowing on absurd durations.
fn lease_micros(lease: Duration) -> i64 {
    i64::try_from(lease.as_micros()).unwrap_or(i64::MAX / 2)
}
