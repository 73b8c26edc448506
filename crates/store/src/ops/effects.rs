//! What a finished job changes besides its own row, inside the caller's transaction: credits,
//! media, type, duration, transcript, evaluations, follow-up jobs, and the `Dispatch` jobs of
//! the events they cause (`events.rs`).
//!
//! The interaction row is locked first (its `credits_charged` update), then the account: the
//! order `queue_evaluation` takes them in, so the two cannot deadlock. A charge that does not
//! fit returns `InsufficientCredits`; the caller's transaction then writes nothing at all.

use super::{credits, events, jobs};
use crate::codec::to_json;
use crate::queue::{ClaimedJob, JobEffects};
use crate::rules::outcome::{credit_moves, evaluations_to_start, touches_interaction};
use crate::sql::{args, Db};
use crate::{StoreError, StoreResult};
use scorejar_core::model::{EvaluationStatus, StepStatus};

pub(crate) async fn apply<D: Db>(
    db: &mut D,
    job: &ClaimedJob,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    if touches_interaction(effects) {
        let interaction_id = job.interaction_id.as_deref().ok_or_else(|| {
            StoreError::Internal(anyhow::anyhow!(
                "job {} ({}) has effects on an interaction but names none",
                job.id,
                job.kind
            ))
        })?;
        apply_credits(db, interaction_id, effects, now).await?;
        apply_interaction_changes(db, interaction_id, effects, now).await?;
        start_waiting_evaluations(db, interaction_id, effects, now).await?;
        events::of_effects(db, interaction_id, effects, now).await?;
    }
    if let Some(trial) = &effects.trial {
        super::trials::finish_trial(db, trial, now).await?;
    }
    jobs::enqueue(db, &effects.enqueue, now).await
}

/// A transcript that completes starts the evaluations waiting on it — read here, after the
/// interaction row is locked, so one queued while the transcription ran is not missed.
async fn start_waiting_evaluations<D: Db>(
    db: &mut D,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    let completes = effects
        .transcript
        .as_ref()
        .is_some_and(|t| t.status == StepStatus::Completed);
    if !completes {
        return Ok(());
    }
    let waiting: Vec<String> = db
        .fetch_all(
            "SELECT id FROM evaluations WHERE interaction_id = $1 AND status = $2 ORDER BY created_at, id",
            args![interaction_id, EvaluationStatus::Queued.as_str()],
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<Result<_, _>>()?;
    jobs::enqueue(
        db,
        &evaluations_to_start(interaction_id, &waiting, effects),
        now,
    )
    .await
}

async fn apply_credits<D: Db>(
    db: &mut D,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    let moves = credit_moves(effects);
    if moves.is_empty() {
        return Ok(());
    }
    let total: i64 = moves.iter().map(|c| c.amount).sum();
    let row = db
        .fetch_optional(
            "UPDATE interactions SET credits_charged = credits_charged - $1 WHERE id = $2 RETURNING account_id",
            args![total, interaction_id],
        )
        .await?;
    let account_id: String = row
        .ok_or(StoreError::NotFound("interaction"))?
        .get("account_id")?;
    for change in moves {
        credits::apply(
            db,
            &account_id,
            change.amount,
            &change.reason,
            Some(interaction_id),
            now,
        )
        .await?;
    }
    Ok(())
}

async fn apply_interaction_changes<D: Db>(
    db: &mut D,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    if let Some(media) = &effects.media {
        let info = &media.info;
        db.execute(
            "UPDATE interactions SET media_status = $1,
                 media_object_key = COALESCE($2, media_object_key),
                 media_content_type = COALESCE($3, media_content_type),
                 media_size_bytes = COALESCE($4, media_size_bytes),
                 media_duration_ms = COALESCE($5, media_duration_ms),
                 media_channels = COALESCE($6, media_channels),
                 media_sample_rate = COALESCE($7, media_sample_rate),
                 media_codec = COALESCE($8, media_codec),
                 media_container = COALESCE($9, media_container),
                 media_error = $10
             WHERE id = $11",
            args![
                media.status.as_str(),
                &info.object_key,
                &info.content_type,
                info.size_bytes,
                info.duration_ms,
                info.channels,
                info.sample_rate,
                &info.codec,
                &info.container,
                &media.error,
                interaction_id
            ],
        )
        .await?;
    }
    if effects.interaction_type.is_some() || effects.duration_ms.is_some() {
        db.execute(
            "UPDATE interactions SET interaction_type = COALESCE($1, interaction_type),
                 duration_ms = COALESCE($2, duration_ms) WHERE id = $3",
            args![
                effects.interaction_type.map(|t| t.as_str()),
                effects.duration_ms,
                interaction_id
            ],
        )
        .await?;
    }
    if let Some(transcript) = &effects.transcript {
        let segments = transcript.segments.as_ref().map(to_json).transpose()?;
        db.execute(
            "UPDATE interactions SET transcript_status = $1,
                 transcript_source = COALESCE($2, transcript_source),
                 transcript_text = COALESCE($3, transcript_text),
                 transcript_language = COALESCE($4, transcript_language),
                 transcript_segments = COALESCE($5, transcript_segments),
                 transcript_error = $6,
                 transcript_engine = COALESCE($8, transcript_engine),
                 transcript_model = COALESCE($9, transcript_model)
             WHERE id = $7",
            args![
                transcript.status.as_str(),
                transcript.source.map(|s| s.as_str()),
                &transcript.text,
                &transcript.language,
                &segments,
                &transcript.error,
                interaction_id,
                &transcript.engine,
                &transcript.model
            ],
        )
        .await?;
    }
    for evaluation in &effects.evaluations {
        let result = evaluation.result.as_ref().map(to_json).transpose()?;
        db.execute(
            "UPDATE evaluations SET status = $1, result = $2, error = $3, updated_at = $4
             WHERE id = $5 AND interaction_id = $6",
            args![
                evaluation.status.as_str(),
                &result,
                &evaluation.error,
                now,
                &evaluation.score_submission_id,
                interaction_id
            ],
        )
        .await?;
        if let Some(summary) = &evaluation.summary {
            db.execute(
                "UPDATE evaluations SET scorecard_version = $1, engine = $2, percentage = $3,
                        passed = $4, needs_review = $5, completed_at = $6
                 WHERE id = $7 AND interaction_id = $8",
                args![
                    summary.scorecard_version,
                    summary.engine.as_str(),
                    summary.percentage,
                    summary.passed,
                    summary.needs_review,
                    now,
                    &evaluation.score_submission_id,
                    interaction_id
                ],
            )
            .await?;
        }
    }
    Ok(())
}
