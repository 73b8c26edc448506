//! The `Dispatch` jobs that follow a change someone listens to: an evaluation COMPLETED or
//! FAILED, a transcript COMPLETED or FAILED, a reviewer's override. Enqueued in the caller's
//! transaction, so an event is never lost between the change and its webhooks; only when the
//! account has an enabled endpoint (or, for a completed evaluation, its scorecard an enabled
//! action), so accounts without webhooks pay one indexed lookup and no job.

use super::jobs;
use crate::queue::JobEffects;
use crate::sql::{args, Db};
use crate::StoreResult;
pub(crate) use scorejar_core::actions::event::dispatch_job;
use scorejar_core::actions::event::{
    Reason, EVALUATION_COMPLETED, EVALUATION_FAILED, TRANSCRIPTION_COMPLETED, TRANSCRIPTION_FAILED,
};
use scorejar_core::model::{EvaluationStatus, StepStatus};

/// Whether anything listens to an event of this evaluation: an enabled endpoint of its
/// account, or (`with_actions`) an enabled action of its scorecard.
pub(crate) async fn evaluation_listened<D: Db>(
    db: &mut D,
    score_submission_id: &str,
    with_actions: bool,
) -> StoreResult<bool> {
    let row = db
        .fetch_optional(
            "SELECT e.id FROM evaluations e WHERE e.id = $1 AND (
                 ($3 AND EXISTS (SELECT 1 FROM scorecard_actions a
                                 WHERE a.scorecard_id = e.scorecard_id AND a.enabled = $2))
                 OR EXISTS (SELECT 1 FROM webhook_targets t
                            WHERE t.account_id = e.account_id AND t.kind = 'ENDPOINT'
                              AND t.enabled = $2))",
            args![score_submission_id, true, with_actions],
        )
        .await?;
    Ok(row.is_some())
}

async fn interaction_listened<D: Db>(db: &mut D, interaction_id: &str) -> StoreResult<bool> {
    let row = db
        .fetch_optional(
            "SELECT i.id FROM interactions i WHERE i.id = $1 AND EXISTS (
                 SELECT 1 FROM webhook_targets t
                 WHERE t.account_id = i.account_id AND t.kind = 'ENDPOINT' AND t.enabled = $2)",
            args![interaction_id, true],
        )
        .await?;
    Ok(row.is_some())
}

/// Enqueues the `Dispatch` jobs of a finished job's effects.
pub(crate) async fn of_effects<D: Db>(
    db: &mut D,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    let mut dispatches = Vec::new();
    if let Some(transcript) = &effects.transcript {
        let event = match transcript.status {
            StepStatus::Completed => Some(TRANSCRIPTION_COMPLETED),
            StepStatus::Failed => Some(TRANSCRIPTION_FAILED),
            _ => None,
        };
        if let Some(event) = event {
            if interaction_listened(db, interaction_id).await? {
                dispatches.push(dispatch_job(event, interaction_id, None, Reason::Completed));
            }
        }
    }
    for evaluation in &effects.evaluations {
        let (event, with_actions) = match evaluation.status {
            EvaluationStatus::Completed => (EVALUATION_COMPLETED, true),
            EvaluationStatus::Failed => (EVALUATION_FAILED, false),
            _ => continue,
        };
        let id = evaluation.score_submission_id.as_str();
        if evaluation_listened(db, id, with_actions).await? {
            dispatches.push(dispatch_job(
                event,
                interaction_id,
                Some(id),
                Reason::Completed,
            ));
        }
    }
    jobs::enqueue(db, &dispatches, now).await
}
