//! Evaluations queued on existing interactions, and the jobs of an interaction.
//!
//! `queue_evaluation` is one transaction around one statement (`upload_sql::QUEUE_EVALUATION`)
//! that writes the evaluation, its job, the debit, the ledger entry and the interaction's
//! `credits_charged`; its checks come in the trait's order: interaction, scorecard, credits.

use super::codec::now_us;
use super::errors::db;
use super::upload_sql::QUEUE_EVALUATION;
use crate::{StoreError, StoreResult};
use scorejar_core::ids::new_id;
use scorejar_core::jobs::max_attempts;
use scorejar_core::model::{JobRecord, NewEvaluation};
use sqlx::PgPool;

pub(crate) async fn queue_evaluation(pool: &PgPool, ev: NewEvaluation) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let (found, scorecard_active, balance_after, _notified): (bool, bool, Option<i64>, i64) =
        sqlx::query_as(QUEUE_EVALUATION)
            .bind(&ev.interaction_id)
            .bind(&ev.account_id)
            .bind(&ev.spec.scorecard_id)
            .bind(&ev.spec.score_submission_id)
            .bind(now_us())
            .bind(&ev.job.id)
            .bind(&ev.job.kind)
            .bind(&ev.job.interaction_id)
            .bind(ev.job.payload.to_string())
            .bind(max_attempts(&ev.job.kind))
            .bind(ev.charge)
            .bind(new_id())
            .bind(&ev.charge_reason)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
    let failure = if !found {
        Some(StoreError::NotFound("interaction"))
    } else if !scorecard_active {
        Some(StoreError::ScorecardNotActive)
    } else if ev.charge > 0 && balance_after.is_none() {
        let balance: i64 = sqlx::query_scalar("SELECT credits FROM accounts WHERE id = $1")
            .bind(&ev.account_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        Some(StoreError::InsufficientCredits {
            required: ev.charge,
            balance,
        })
    } else {
        None
    };
    match failure {
        Some(e) => {
            tx.rollback().await.map_err(db)?;
            Err(e)
        }
        None => tx.commit().await.map_err(db),
    }
}

pub(crate) async fn jobs_for_interaction(
    pool: &PgPool,
    interaction_id: &str,
) -> StoreResult<Vec<JobRecord>> {
    let rows: Vec<(String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, kind, status, attempts, last_error FROM jobs WHERE interaction_id = $1
         ORDER BY created_at, id COLLATE \"C\"",
    )
    .bind(interaction_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, status, attempts, last_error)| JobRecord {
            id,
            kind,
            status,
            attempts,
            last_error,
        })
        .collect())
}
