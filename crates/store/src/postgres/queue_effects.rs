//! What a job changes besides its own row, on PostgreSQL: the step a job kind drives (back to
//! PENDING on retry or release; PROCESSING on claim is part of the claim statement) and the
//! effects of a finished job, as statements inside the caller's transaction.
//!
//! Lock order: the interaction row first (the `credits_charged` update, or the first effect on
//! it), then the account — the order `queue_evaluation` takes them in, so the two cannot
//! deadlock. A charge that does not fit returns `InsufficientCredits`; the caller rolls back.

use super::codec::encode_segments;
use super::queue::{enqueue, Failure};
use super::queue_sql::{MOVE_CREDITS, UPDATE_MEDIA, UPDATE_TRANSCRIPT};
use crate::queue::{step_of, ClaimedJob, JobEffects};
use crate::StoreError;
use scorejar_core::ids::new_id;
use sqlx::PgConnection;

/// Puts the step of a retried or released job back to PENDING (an evaluation to QUEUED).
pub(crate) async fn reset_step(
    conn: &mut PgConnection,
    job: &ClaimedJob,
    now: i64,
) -> Result<(), Failure> {
    let Some(interaction_id) = job.interaction_id.as_deref() else {
        return Ok(());
    };
    let (step, evaluation) = ("PENDING", "QUEUED");
    let sql = match step_of(&job.kind) {
        Some("media") => "UPDATE interactions SET media_status = $1 WHERE id = $2",
        Some("transcript") => "UPDATE interactions SET transcript_status = $1 WHERE id = $2",
        Some("evaluation") => {
            let Some(evaluation_id) = job
                .payload
                .get("scoreSubmissionId")
                .and_then(|v| v.as_str())
            else {
                return Ok(());
            };
            sqlx::query(
                "UPDATE evaluations SET status = $1, updated_at = $2
                 WHERE id = $3 AND interaction_id = $4",
            )
            .bind(evaluation)
            .bind(now)
            .bind(evaluation_id)
            .bind(interaction_id)
            .execute(&mut *conn)
            .await?;
            return Ok(());
        }
        _ => return Ok(()),
    };
    sqlx::query(sql)
        .bind(step)
        .bind(interaction_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn apply_effects(
    conn: &mut PgConnection,
    job: &ClaimedJob,
    effects: &JobEffects,
    now: i64,
) -> Result<(), Failure> {
    let touches_interaction = effects.media.is_some()
        || effects.interaction_type.is_some()
        || effects.duration_ms.is_some()
        || effects.transcript.is_some()
        || !effects.evaluations.is_empty()
        || !effects.credits.is_empty();
    if touches_interaction {
        let Some(interaction_id) = job.interaction_id.as_deref() else {
            return Err(StoreError::Internal(anyhow::anyhow!(
                "job {} ({}) has effects on an interaction but names none",
                job.id,
                job.kind
            ))
            .into());
        };
        apply_credits(conn, interaction_id, effects, now).await?;
        apply_interaction_changes(conn, interaction_id, effects).await?;
        apply_evaluations(conn, interaction_id, effects, now).await?;
    }
    enqueue(conn, &effects.enqueue).await?;
    Ok(())
}

async fn apply_credits(
    conn: &mut PgConnection,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> Result<(), Failure> {
    let changes: Vec<_> = effects.credits.iter().filter(|c| c.amount != 0).collect();
    if changes.is_empty() {
        return Ok(());
    }
    let total: i64 = changes.iter().map(|c| c.amount).sum();
    let account_id: Option<String> = sqlx::query_scalar(
        "UPDATE interactions SET credits_charged = credits_charged - $1 WHERE id = $2
         RETURNING account_id",
    )
    .bind(total)
    .bind(interaction_id)
    .fetch_optional(&mut *conn)
    .await?;
    let account_id = account_id.ok_or(StoreError::NotFound("interaction"))?;
    for change in changes {
        let (moved, before): (Option<i64>, Option<i64>) = sqlx::query_as(MOVE_CREDITS)
            .bind(&account_id)
            .bind(change.amount)
            .bind(new_id())
            .bind(&change.reason)
            .bind(interaction_id)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
        match (moved, before) {
            (Some(_), _) => {}
            (None, None) => return Err(StoreError::NotFound("account").into()),
            (None, Some(balance)) => {
                return Err(StoreError::InsufficientCredits {
                    required: -change.amount,
                    balance,
                }
                .into())
            }
        }
    }
    Ok(())
}

async fn apply_interaction_changes(
    conn: &mut PgConnection,
    interaction_id: &str,
    effects: &JobEffects,
) -> Result<(), Failure> {
    if let Some(media) = &effects.media {
        let info = &media.info;
        sqlx::query(UPDATE_MEDIA)
            .bind(media.status.as_str())
            .bind(&info.object_key)
            .bind(&info.content_type)
            .bind(info.size_bytes)
            .bind(info.duration_ms)
            .bind(info.channels)
            .bind(info.sample_rate)
            .bind(&info.codec)
            .bind(&info.container)
            .bind(&media.error)
            .bind(interaction_id)
            .execute(&mut *conn)
            .await?;
    }
    if effects.interaction_type.is_some() || effects.duration_ms.is_some() {
        sqlx::query(
            "UPDATE interactions SET interaction_type = COALESCE($1, interaction_type),
                 duration_ms = COALESCE($2, duration_ms)
             WHERE id = $3",
        )
        .bind(effects.interaction_type.map(|t| t.as_str()))
        .bind(effects.duration_ms)
        .bind(interaction_id)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(transcript) = &effects.transcript {
        let segments = transcript
            .segments
            .as_deref()
            .map(encode_segments)
            .transpose()?;
        sqlx::query(UPDATE_TRANSCRIPT)
            .bind(transcript.status.as_str())
            .bind(transcript.source.map(|s| s.as_str()))
            .bind(&transcript.text)
            .bind(&transcript.language)
            .bind(segments)
            .bind(&transcript.error)
            .bind(interaction_id)
            .bind(&transcript.engine)
            .bind(&transcript.model)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn apply_evaluations(
    conn: &mut PgConnection,
    interaction_id: &str,
    effects: &JobEffects,
    now: i64,
) -> Result<(), Failure> {
    for evaluation in &effects.evaluations {
        sqlx::query(
            "UPDATE evaluations SET status = $1, result = $2, error = $3, updated_at = $4
             WHERE id = $5 AND interaction_id = $6",
        )
        .bind(evaluation.status.as_str())
        .bind(evaluation.result.as_ref().map(|r| r.to_string()))
        .bind(&evaluation.error)
        .bind(now)
        .bind(&evaluation.score_submission_id)
        .bind(interaction_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
