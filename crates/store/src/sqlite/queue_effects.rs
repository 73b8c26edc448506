//! What a job changes besides its own row, on SQLite: the step a job kind drives (PROCESSING
//! on claim, back to PENDING on retry or release) and the effects of a finished job.
//!
//! Credits go first: a charge that does not fit returns `InsufficientCredits` before anything
//! else is written, and the writer's savepoint undoes the job row update too.

use super::codec::to_json_text;
use super::credits;
use super::queue::no_interaction;
use crate::queue::{step_of, ClaimedJob, JobEffects};
use crate::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use scorejar_core::model::{InteractionType, StepStatus, TranscriptSource};

/// Where a claimed, retried or released job leaves its step.
#[derive(Debug, Clone, Copy)]
pub(super) enum StepState {
    Processing,
    Pending,
}

/// Sets the step `job.kind` drives; kinds without a step, and jobs without an interaction or
/// evaluation to point at, change nothing.
pub(super) fn set_step(
    conn: &Connection,
    job: &ClaimedJob,
    state: StepState,
    now: i64,
) -> StoreResult<()> {
    let Some(interaction_id) = job.interaction_id.as_deref() else {
        return Ok(());
    };
    let (step, evaluation) = match state {
        StepState::Processing => ("PROCESSING", "PROCESSING"),
        StepState::Pending => ("PENDING", "QUEUED"),
    };
    match step_of(&job.kind) {
        Some("media") => {
            conn.prepare_cached("UPDATE interactions SET media_status = ?1 WHERE id = ?2")?
                .execute(params![step, interaction_id])?;
        }
        Some("transcript") => {
            conn.prepare_cached("UPDATE interactions SET transcript_status = ?1 WHERE id = ?2")?
                .execute(params![step, interaction_id])?;
        }
        Some("evaluation") => {
            if let Some(evaluation_id) = score_submission_id(&job.payload) {
                conn.prepare_cached(
                    "UPDATE evaluations SET status = ?1, updated_at = ?2
                     WHERE id = ?3 AND interaction_id = ?4",
                )?
                .execute(params![
                    evaluation,
                    now,
                    evaluation_id,
                    interaction_id
                ])?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The evaluation an Evaluate job scores.
pub(super) fn score_submission_id(payload: &serde_json::Value) -> Option<&str> {
    payload.get("scoreSubmissionId").and_then(|v| v.as_str())
}

pub(super) fn apply_effects(
    conn: &Connection,
    job: &ClaimedJob,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    let touches_interaction = effects.media.is_some()
        || effects.interaction_type.is_some()
        || effects.duration_ms.is_some()
        || effects.transcript.is_some()
        || !effects.evaluations.is_empty()
        || !effects.credits.is_empty();
    if touches_interaction {
        let interaction_id = job
            .interaction_id
            .as_deref()
            .ok_or_else(|| no_interaction(job))?;
        apply_credits(conn, interaction_id, effects, now)?;
        apply_interaction_changes(conn, interaction_id, effects, now)?;
    }
    super::jobs::enqueue(conn, &effects.enqueue, now)
}

fn apply_credits(
    conn: &Connection,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    if effects.credits.is_empty() {
        return Ok(());
    }
    let account_id: String = conn
        .prepare_cached("SELECT account_id FROM interactions WHERE id = ?1")?
        .query_row([interaction_id], |row| row.get(0))
        .optional()?
        .ok_or(StoreError::NotFound("interaction"))?;
    for change in effects.credits.iter().filter(|c| c.amount != 0) {
        credits::apply(
            conn,
            &account_id,
            change.amount,
            &change.reason,
            Some(interaction_id),
            now,
        )?;
        conn.prepare_cached(
            "UPDATE interactions SET credits_charged = credits_charged - ?1 WHERE id = ?2",
        )?
        .execute(params![change.amount, interaction_id])?;
    }
    Ok(())
}

fn apply_interaction_changes(
    conn: &Connection,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> StoreResult<()> {
    if let Some(media) = &effects.media {
        let info = &media.info;
        conn.prepare_cached(
            "UPDATE interactions SET media_status = ?1,
                 media_object_key = COALESCE(?2, media_object_key),
                 media_content_type = COALESCE(?3, media_content_type),
                 media_size_bytes = COALESCE(?4, media_size_bytes),
                 media_duration_ms = COALESCE(?5, media_duration_ms),
                 media_channels = COALESCE(?6, media_channels),
                 media_sample_rate = COALESCE(?7, media_sample_rate),
                 media_codec = COALESCE(?8, media_codec),
                 media_container = COALESCE(?9, media_container),
                 media_error = ?10
             WHERE id = ?11",
        )?
        .execute(params![
            media.status.as_str(),
            info.object_key,
            info.content_type,
            info.size_bytes,
            info.duration_ms,
            info.channels,
            info.sample_rate,
            info.codec,
            info.container,
            media.error,
            interaction_id
        ])?;
    }
    if let Some(kind) = effects.interaction_type {
        conn.prepare_cached("UPDATE interactions SET interaction_type = ?1 WHERE id = ?2")?
            .execute(params![InteractionType::as_str(kind), interaction_id])?;
    }
    if let Some(duration_ms) = effects.duration_ms {
        conn.prepare_cached("UPDATE interactions SET duration_ms = ?1 WHERE id = ?2")?
            .execute(params![duration_ms, interaction_id])?;
    }
    if let Some(transcript) = &effects.transcript {
        let segments = transcript.segments.as_ref().map(to_json_text).transpose()?;
        conn.prepare_cached(
            "UPDATE interactions SET transcript_status = ?1,
                 transcript_source = COALESCE(?2, transcript_source),
                 transcript_text = COALESCE(?3, transcript_text),
                 transcript_language = COALESCE(?4, transcript_language),
                 transcript_segments = COALESCE(?5, transcript_segments),
                 transcript_error = ?6,
                 transcript_engine = COALESCE(?8, transcript_engine),
                 transcript_model = COALESCE(?9, transcript_model)
             WHERE id = ?7",
        )?
        .execute(params![
            StepStatus::as_str(transcript.status),
            transcript.source.map(TranscriptSource::as_str),
            transcript.text,
            transcript.language,
            segments,
            transcript.error,
            interaction_id,
            transcript.engine,
            transcript.model
        ])?;
    }
    for evaluation in &effects.evaluations {
        let result = evaluation.result.as_ref().map(to_json_text).transpose()?;
        conn.prepare_cached(
            "UPDATE evaluations SET status = ?1, result = ?2, error = ?3, updated_at = ?4
             WHERE id = ?5 AND interaction_id = ?6",
        )?
        .execute(params![
            evaluation.status.as_str(),
            result,
            evaluation.error,
            now,
            evaluation.score_submission_id,
            interaction_id
        ])?;
    }
    Ok(())
}
