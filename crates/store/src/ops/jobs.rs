//! Job rows: enqueued (QUEUED, due now, with their kind's retry budget, listeners notified),
//! leases extended, outcomes recorded while the caller holds the lease, and read back.
//! A job belongs to a worker only while its row says `status = 'RUNNING' AND lease_owner =
//! worker`; every write here checks it. Claiming is each backend's own SQL (`crate::backend`).

use super::effects;
use crate::codec::{from_json, now_micros, to_json};
use crate::queue::{ClaimedJob, JobOutcome, JobState};
use crate::rules::outcome::{job_row_change, step_change, StepState};
use crate::sql::{args, Arg, Db, Param, Query, Row, Sql, SqlError};
use crate::StoreResult;
use scorejar_core::cursor::from_micros;
use scorejar_core::jobs::{max_attempts, QUEUED};
use scorejar_core::model::NewJob;
use std::collections::BTreeMap;

/// Rows per multi-row INSERT: well under both databases' parameter limits.
const ENQUEUE_CHUNK: usize = 500;

/// Inserts `jobs` with one statement per chunk and notifies listeners.
pub(crate) async fn enqueue<D: Db>(db: &mut D, jobs: &[NewJob], now: i64) -> StoreResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    for chunk in jobs.chunks(ENQUEUE_CHUNK) {
        let mut q = Query::new(
            "INSERT INTO jobs (id, kind, interaction_id, account_id, payload, status, attempts, max_attempts, run_at, created_at, updated_at) VALUES ",
        );
        let status = q.param(Param::Text(QUEUED.into()));
        let at = q.param(Param::Int(now));
        for (i, job) in chunk.iter().enumerate() {
            let id = q.param(Param::Text(job.id.clone()));
            let kind = q.param(Param::Text(job.kind.clone()));
            let interaction = q.param(Param::OptText(job.interaction_id.clone()));
            let payload = q.param(Param::Text(to_json(&job.payload)?));
            let budget = q.param(Param::Int(max_attempts(&job.kind)));
            let sep = if i > 0 { ", " } else { "" };
            // The job's account (for fair claims) is its interaction's, looked up by primary key.
            q.push(&format!("{sep}({id}, {kind}, {interaction}, (SELECT account_id FROM interactions WHERE id = {interaction}), {payload}, {status}, 0, {budget}, {at}, {at}, {at})"));
        }
        db.execute(&q.sql, &q.args()).await?;
    }
    db.notify_jobs().await?;
    Ok(())
}

const EXTEND_LEASES: Sql = Sql {
    sqlite: "UPDATE jobs SET lease_expires_at = $1, updated_at = $2
             WHERE id IN (SELECT value FROM json_each($3)) AND lease_owner = $4 AND status = 'RUNNING'",
    postgres: "UPDATE jobs SET lease_expires_at = $1, updated_at = $2
               WHERE id = ANY($3) AND lease_owner = $4 AND status = 'RUNNING'",
};

/// Extends the leases `worker_id` still holds; returns how many.
pub(crate) async fn extend_leases<D: Db>(
    db: &mut D,
    worker_id: &str,
    job_ids: &[String],
    lease_micros: i64,
) -> StoreResult<u64> {
    if job_ids.is_empty() {
        return Ok(0);
    }
    let now = now_micros();
    let sql = EXTEND_LEASES.text(db.dialect());
    let args = [
        Arg::from(now.saturating_add(lease_micros)),
        Arg::from(now),
        Arg::TextList(job_ids),
        Arg::from(worker_id),
    ];
    Ok(db.execute(sql, &args).await?)
}

const FINISH_DONE: Sql = Sql {
    sqlite: "UPDATE jobs SET status = 'DONE', lease_expires_at = NULL, updated_at = $1
             WHERE id IN (SELECT value FROM json_each($2)) AND lease_owner = $3 AND status = 'RUNNING'",
    postgres: "UPDATE jobs SET status = 'DONE', lease_expires_at = NULL, updated_at = $1
               WHERE id = ANY($2) AND lease_owner = $3 AND status = 'RUNNING'",
};

/// Marks the jobs DONE (no effects) where `worker_id` still holds them; returns how many.
/// The owner stays on the row: it names the worker that ran the job.
pub(crate) async fn finish_done<D: Db>(
    db: &mut D,
    worker_id: &str,
    job_ids: &[String],
) -> StoreResult<u64> {
    if job_ids.is_empty() {
        return Ok(0);
    }
    let sql = FINISH_DONE.text(db.dialect());
    Ok(db
        .execute(
            sql,
            &[
                Arg::from(now_micros()),
                Arg::TextList(job_ids),
                Arg::from(worker_id),
            ],
        )
        .await?)
}

/// Applies `outcome` when `worker_id` holds the job; `Ok(false)` and nothing written otherwise.
/// A finished job keeps its owner (who ran it); a re-queued one loses it.
pub(crate) async fn finish<D: Db>(
    db: &mut D,
    job_id: &str,
    worker_id: &str,
    outcome: &JobOutcome,
) -> StoreResult<bool> {
    let now = now_micros();
    let change = job_row_change(outcome, now);
    let row = db
        .fetch_optional(
            "UPDATE jobs SET status = $3, run_at = COALESCE($4, run_at),
                    last_error = COALESCE($5, last_error), attempts = attempts + $6,
                    lease_owner = CASE WHEN $3 = 'QUEUED' THEN NULL ELSE lease_owner END,
                    lease_expires_at = NULL, updated_at = $7
             WHERE id = $1 AND lease_owner = $2 AND status = 'RUNNING'
             RETURNING id, kind, interaction_id, payload, attempts, max_attempts, run_at",
            args![
                job_id,
                worker_id,
                change.status,
                change.run_at,
                change.last_error,
                change.attempts_delta,
                now
            ],
        )
        .await?;
    let Some(row) = row else { return Ok(false) };
    let job = claimed_job(&row)?;
    match outcome {
        JobOutcome::Done(effects) | JobOutcome::Failed { effects, .. } => {
            effects::apply(db, &job, effects, now).await?;
        }
        JobOutcome::Retry { .. } | JobOutcome::Wait { .. } | JobOutcome::Release => {
            set_step(db, &job, StepState::Pending, now).await?;
            db.notify_jobs().await?;
        }
    }
    Ok(true)
}

/// Sets the step `job` drives (see `rules::outcome::step_change`).
pub(crate) async fn set_step<D: Db>(
    db: &mut D,
    job: &ClaimedJob,
    state: StepState,
    now: i64,
) -> StoreResult<()> {
    use crate::rules::outcome::StepChange;
    let (Some(change), Some(interaction_id)) =
        (step_change(job, state), job.interaction_id.as_deref())
    else {
        return Ok(());
    };
    match change {
        StepChange::Media(status) => {
            db.execute("UPDATE interactions SET media_status = $1 WHERE id = $2", args![status, interaction_id]).await?
        }
        StepChange::Transcript(status) => {
            db.execute("UPDATE interactions SET transcript_status = $1 WHERE id = $2", args![status, interaction_id])
                .await?
        }
        StepChange::Evaluation { id, status } => {
            db.execute(
                "UPDATE evaluations SET status = $1, updated_at = $2 WHERE id = $3 AND interaction_id = $4",
                args![status, now, id, interaction_id],
            )
            .await?
        }
    };
    Ok(())
}

/// A job as a worker holds it, from a row with its columns.
pub(crate) fn claimed_job(r: &Row) -> StoreResult<ClaimedJob> {
    Ok(ClaimedJob {
        id: r.get("id")?,
        kind: r.get("kind")?,
        interaction_id: r.get("interaction_id")?,
        payload: from_json(r.get("payload")?, "jobs.payload")?.unwrap_or_default(),
        attempt: r.get("attempts")?,
        max_attempts: r.get("max_attempts")?,
        due_at: from_micros(r.get("run_at")?),
    })
}

const SELECT_JOBS: &str =
    "SELECT id, kind, interaction_id, payload, status, attempts, max_attempts, last_error, lease_owner, run_at FROM jobs";

fn job_state(r: Row) -> StoreResult<JobState> {
    Ok(JobState {
        id: r.get("id")?,
        kind: r.get("kind")?,
        interaction_id: r.get("interaction_id")?,
        payload: from_json(r.get("payload")?, "jobs.payload")?.unwrap_or_default(),
        status: r.get("status")?,
        attempts: r.get("attempts")?,
        max_attempts: r.get("max_attempts")?,
        last_error: r.get("last_error")?,
        worker: r.get("lease_owner")?,
        run_at: from_micros(r.get("run_at")?),
    })
}

pub(crate) async fn job<D: Db>(db: &mut D, job_id: &str) -> StoreResult<Option<JobState>> {
    let sql = format!("{SELECT_JOBS} WHERE id = $1");
    db.fetch_optional(&sql, args![job_id])
        .await?
        .map(job_state)
        .transpose()
}

/// Oldest first.
pub(crate) async fn interaction_jobs<D: Db>(
    db: &mut D,
    interaction_id: &str,
) -> StoreResult<Vec<JobState>> {
    let sql = format!("{SELECT_JOBS} WHERE interaction_id = $1 ORDER BY created_at, id");
    db.fetch_all(&sql, args![interaction_id])
        .await?
        .into_iter()
        .map(job_state)
        .collect()
}

/// Jobs not DONE, by kind and status.
pub(crate) async fn backlog<D: Db>(db: &mut D) -> StoreResult<BTreeMap<(String, String), i64>> {
    let rows = db
        .fetch_all(
            "SELECT kind, status, COUNT(*) AS n FROM jobs WHERE status <> 'DONE' GROUP BY kind, status",
            args![],
        )
        .await?;
    rows.into_iter()
        .map(|r| Ok::<_, SqlError>(((r.get("kind")?, r.get("status")?), r.get("n")?)))
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

pub(crate) async fn counts<D: Db>(
    db: &mut D,
    kind: Option<&str>,
) -> StoreResult<BTreeMap<String, i64>> {
    let rows = db
        .fetch_all(
            "SELECT status, COUNT(*) AS n FROM jobs WHERE CAST($1 AS TEXT) IS NULL OR kind = $1 GROUP BY status",
            args![kind],
        )
        .await?;
    rows.into_iter()
        .map(|r| Ok::<_, SqlError>((r.get("status")?, r.get("n")?)))
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}
