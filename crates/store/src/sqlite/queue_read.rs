//! Reads of the job queue on SQLite, on a read-pool connection: one job, an interaction's
//! jobs, counts per status, and the interaction a job works on.

use super::codec::json_col;
use super::interactions;
use crate::queue::JobState;
use crate::StoreResult;
use rusqlite::{Connection, OptionalExtension, Row};
use scorejar_core::cursor::from_micros;
use scorejar_core::model::InteractionRecord;
use std::collections::BTreeMap;

const JOB_COLUMNS: &str = "id, kind, interaction_id, payload, status, attempts, max_attempts,
    last_error, lease_owner, run_at";

fn job_state(row: &Row<'_>) -> rusqlite::Result<JobState> {
    Ok(JobState {
        id: row.get("id")?,
        kind: row.get("kind")?,
        interaction_id: row.get("interaction_id")?,
        payload: json_col(row, "payload")?.unwrap_or_default(),
        status: row.get("status")?,
        attempts: row.get("attempts")?,
        max_attempts: row.get("max_attempts")?,
        last_error: row.get("last_error")?,
        worker: row.get("lease_owner")?,
        run_at: from_micros(row.get("run_at")?),
    })
}

pub(super) fn job(conn: &Connection, job_id: &str) -> StoreResult<Option<JobState>> {
    let job = conn
        .prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"))?
        .query_row([job_id], job_state)
        .optional()?;
    Ok(job)
}

pub(super) fn interaction_jobs(
    conn: &Connection,
    interaction_id: &str,
) -> StoreResult<Vec<JobState>> {
    let jobs = conn
        .prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE interaction_id = ?1 ORDER BY created_at, rowid"
        ))?
        .query_map([interaction_id], job_state)?
        .collect::<Result<_, _>>()?;
    Ok(jobs)
}

pub(super) fn interaction_for_job(
    conn: &mut Connection,
    interaction_id: &str,
) -> StoreResult<Option<(String, InteractionRecord)>> {
    let account: Option<String> = conn
        .prepare_cached("SELECT account_id FROM interactions WHERE id = ?1")?
        .query_row([interaction_id], |row| row.get(0))
        .optional()?;
    let Some(account) = account else {
        return Ok(None);
    };
    let record = interactions::get(conn, &account, interaction_id)?;
    Ok(record.map(|record| (account, record)))
}

pub(super) fn job_counts(
    conn: &Connection,
    kind: Option<&str>,
) -> StoreResult<BTreeMap<String, i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT status, COUNT(*) FROM jobs WHERE ?1 IS NULL OR kind = ?1 GROUP BY status",
    )?;
    let counts = statement
        .query_map([kind], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(counts)
}
