//! Evaluations queued on an existing interaction (`POST /api/v1/ai/queue`): the evaluation,
//! its job, the debit with its ledger row and the interaction's `credits_charged`, in the
//! caller's transaction. The interaction's receipt (processing flags, score submission id)
//! stays that of its upload.
//!
//! The interaction row is locked first (its `credits_charged` update, which also proves it
//! exists), then the account: the order a finishing job takes them in, so the two cannot
//! deadlock. Failed checks come in the trait's order: interaction, scorecard, credits.

use super::{catalog, credits, jobs};
use crate::codec::now_micros;
use crate::sql::{args, Db};
use crate::{StoreError, StoreResult};
use scorejar_core::model::{EvaluationStatus, NewEvaluation, NewEvaluationSpec};

pub(crate) async fn queue<D: Db>(db: &mut D, evaluation: &NewEvaluation) -> StoreResult<()> {
    let account_id = evaluation.account_id.as_str();
    let interaction_id = evaluation.interaction_id.as_str();
    let found = db
        .execute(
            "UPDATE interactions SET credits_charged = credits_charged + $1 WHERE id = $2 AND account_id = $3",
            args![evaluation.charge, interaction_id, account_id],
        )
        .await?;
    if found == 0 {
        return Err(StoreError::NotFound("interaction"));
    }
    catalog::require_active_scorecard(db, account_id, &evaluation.spec.scorecard_id).await?;
    let now = now_micros();
    credits::apply(
        db,
        account_id,
        -evaluation.charge,
        &evaluation.charge_reason,
        Some(interaction_id),
        now,
    )
    .await?;
    insert(db, account_id, interaction_id, &evaluation.spec, now).await?;
    jobs::enqueue(db, std::slice::from_ref(&evaluation.job), now).await
}

/// A QUEUED evaluation row.
pub(crate) async fn insert<D: Db>(
    db: &mut D,
    account_id: &str,
    interaction_id: &str,
    spec: &NewEvaluationSpec,
    now: i64,
) -> StoreResult<()> {
    db.execute(
        "INSERT INTO evaluations (id, account_id, interaction_id, scorecard_id, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
        args![
            &spec.score_submission_id,
            account_id,
            interaction_id,
            &spec.scorecard_id,
            EvaluationStatus::Queued.as_str(),
            now
        ],
    )
    .await?;
    Ok(())
}
