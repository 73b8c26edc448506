//! Job rows: enqueued QUEUED, runnable now, in the same transaction as the change they follow,
//! with the retry budget of their kind. Claiming and leases come with the pipeline.

use super::codec::to_json_text;
use crate::StoreResult;
use rusqlite::{params, Connection};
use scorejar_core::jobs::{max_attempts, QUEUED};
use scorejar_core::model::{JobRecord, NewJob};

pub(super) fn enqueue(conn: &Connection, jobs: &[NewJob], now: i64) -> StoreResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let mut statement = conn.prepare_cached(
        "INSERT INTO jobs (id, kind, interaction_id, payload, status, attempts, max_attempts,
                           run_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7, ?7)",
    )?;
    for job in jobs {
        statement.execute(params![
            job.id,
            job.kind,
            job.interaction_id,
            to_json_text(&job.payload)?,
            QUEUED,
            max_attempts(&job.kind),
            now
        ])?;
    }
    Ok(())
}

/// The interaction's jobs in the order they were enqueued.
pub(super) fn for_interaction(
    conn: &Connection,
    interaction_id: &str,
) -> StoreResult<Vec<JobRecord>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, kind, status, attempts, last_error FROM jobs
         WHERE interaction_id = ?1 ORDER BY created_at, rowid",
    )?;
    let jobs = statement
        .query_map([interaction_id], |row| {
            Ok(JobRecord {
                id: row.get("id")?,
                kind: row.get("kind")?,
                status: row.get("status")?,
                attempts: row.get("attempts")?,
                last_error: row.get("last_error")?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(jobs)
}
