//! Reads of the job queue on PostgreSQL: one job, an interaction's jobs, counts per status, and
//! the interaction a job works on.

use super::codec::decode_json;
use super::errors::db;
use super::read;
use crate::queue::JobState;
use crate::StoreResult;
use scorejar_core::cursor::from_micros;
use scorejar_core::model::InteractionRecord;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use std::collections::BTreeMap;

const SELECT_JOBS: &str = "SELECT id, kind, interaction_id, payload, status, attempts,
    max_attempts, last_error, lease_owner, run_at FROM jobs";

fn job_state(row: &PgRow) -> StoreResult<JobState> {
    let payload: String = row.try_get("payload").map_err(db)?;
    Ok(JobState {
        id: row.try_get("id").map_err(db)?,
        kind: row.try_get("kind").map_err(db)?,
        interaction_id: row.try_get("interaction_id").map_err(db)?,
        payload: decode_json(&payload, "jobs.payload")?,
        status: row.try_get("status").map_err(db)?,
        attempts: row.try_get("attempts").map_err(db)?,
        max_attempts: row.try_get("max_attempts").map_err(db)?,
        last_error: row.try_get("last_error").map_err(db)?,
        worker: row.try_get("lease_owner").map_err(db)?,
        run_at: from_micros(row.try_get("run_at").map_err(db)?),
    })
}

pub(crate) async fn job(pool: &PgPool, job_id: &str) -> StoreResult<Option<JobState>> {
    let row = sqlx::query(&format!("{SELECT_JOBS} WHERE id = $1"))
        .bind(job_id)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    row.as_ref().map(job_state).transpose()
}

pub(crate) async fn interaction_jobs(
    pool: &PgPool,
    interaction_id: &str,
) -> StoreResult<Vec<JobState>> {
    let rows = sqlx::query(&format!(
        "{SELECT_JOBS} WHERE interaction_id = $1 ORDER BY created_at, id COLLATE \"C\""
    ))
    .bind(interaction_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(job_state).collect()
}

pub(crate) async fn interaction_for_job(
    pool: &PgPool,
    interaction_id: &str,
) -> StoreResult<Option<(String, InteractionRecord)>> {
    let account: Option<String> =
        sqlx::query_scalar("SELECT account_id FROM interactions WHERE id = $1")
            .bind(interaction_id)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    let Some(account) = account else {
        return Ok(None);
    };
    let record = read::get_interaction(pool, &account, interaction_id).await?;
    Ok(record.map(|record| (account, record)))
}

pub(crate) async fn job_counts(
    pool: &PgPool,
    kind: Option<&str>,
) -> StoreResult<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, count(*) FROM jobs WHERE $1::text IS NULL OR kind = $1 GROUP BY status",
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows.into_iter().collect())
}
