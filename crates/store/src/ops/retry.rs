//! Queuing an interaction's failed steps again (`POST /api/v1/interactions/{id}/retry`), in the
//! caller's transaction: the steps back to PENDING/QUEUED, the debit with its ledger row and the
//! interaction's `credits_charged`, the jobs. What to retry and its price are decided by
//! `scorejar_core::retry`.
//!
//! The interaction row is locked first (its `credits_charged` update, which also proves it
//! exists), then the account: the order a finishing job takes them in, so the two cannot
//! deadlock. Each step moves only if it is still FAILED: when a concurrent retry (or anything
//! else) got there first, `Conflict("retry")` rolls the whole transaction back.

use super::{credits, jobs};
use crate::codec::now_micros;
use crate::sql::{args, Db};
use crate::{StoreError, StoreResult};
use scorejar_core::model::{EvaluationStatus, StepStatus};
use scorejar_core::retry::RetryPlan;

pub(crate) async fn retry<D: Db>(
    db: &mut D,
    account_id: &str,
    plan: &RetryPlan,
) -> StoreResult<()> {
    let interaction_id = plan.interaction_id.as_str();
    let row = db
        .fetch_optional(
            "UPDATE interactions SET credits_charged = credits_charged + $1 WHERE id = $2 AND account_id = $3
             RETURNING media_status, transcript_status",
            args![plan.charge, interaction_id, account_id],
        )
        .await?
        .ok_or(StoreError::NotFound("interaction"))?;
    let failed = Some(StepStatus::Failed.as_str());
    let media_status: Option<String> = row.get("media_status")?;
    let transcript_status: Option<String> = row.get("transcript_status")?;
    if (plan.media && media_status.as_deref() != failed)
        || (plan.transcript && transcript_status.as_deref() != failed)
    {
        return Err(StoreError::Conflict("retry"));
    }
    let pending = StepStatus::Pending.as_str();
    if plan.media {
        db.execute(
            "UPDATE interactions SET media_status = $1, media_error = NULL WHERE id = $2",
            args![pending, interaction_id],
        )
        .await?;
    }
    if plan.transcript {
        db.execute(
            "UPDATE interactions SET transcript_status = $1, transcript_error = NULL WHERE id = $2",
            args![pending, interaction_id],
        )
        .await?;
    }
    let now = now_micros();
    for evaluation in &plan.evaluations {
        let moved = db
            .execute(
                "UPDATE evaluations SET status = $1, error = NULL, result = NULL, updated_at = $2
                 WHERE id = $3 AND interaction_id = $4 AND status = $5",
                args![
                    EvaluationStatus::Queued.as_str(),
                    now,
                    evaluation,
                    interaction_id,
                    EvaluationStatus::Failed.as_str()
                ],
            )
            .await?;
        if moved != 1 {
            return Err(StoreError::Conflict("retry"));
        }
    }
    credits::apply(
        db,
        account_id,
        -plan.charge,
        &plan.charge_reason,
        Some(interaction_id),
        now,
    )
    .await?;
    jobs::enqueue(db, &plan.jobs, now).await
}
