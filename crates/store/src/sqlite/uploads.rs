//! Uploads and queued evaluations: everything one accepted upload writes, in one transaction.
//!
//! Runs on the writer thread, so the duplicate check and the inserts after it cannot race with
//! another upload of this process; another process waits for our `BEGIN IMMEDIATE`. The UNIQUE
//! (account_id, source_identifier) index stays as the backstop.
//!
//! A duplicate answers with the stored receipt (type, processing flags, score submission id) and
//! no warnings: warnings of the first call are not stored, and nothing of the repeat is kept.

use super::catalog::{find_tag_id, require_active_scorecard};
use super::codec::{encode_metadata, enum_col, now_micros, to_json_text};
use super::{credits, jobs, participants};
use crate::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use scorejar_core::cursor::to_micros;
use scorejar_core::model::*;

pub(super) fn find_upload(
    conn: &Connection,
    account_id: &str,
    source_identifier: &str,
) -> StoreResult<Option<UploadReceipt>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, interaction_type, processing_transcription, processing_evaluation,
                    score_submission_id
             FROM interactions WHERE account_id = ?1 AND source_identifier = ?2",
        )?
        .query_row(params![account_id, source_identifier], |row| {
            Ok(UploadReceipt {
                interaction_id: row.get("id")?,
                interaction_type: enum_col(row, "interaction_type", InteractionType::parse)?,
                processing: Processing {
                    transcription: row.get("processing_transcription")?,
                    evaluation: row.get("processing_evaluation")?,
                },
                score_submission_id: row.get("score_submission_id")?,
                warnings: Vec::new(),
            })
        })
        .optional()?)
}

pub(super) fn create_upload(conn: &Connection, upload: NewUpload) -> StoreResult<UploadOutcome> {
    let account_id = upload.account_id.as_str();
    if let Some(existing) = find_upload(conn, account_id, &upload.source_identifier)? {
        return Ok(UploadOutcome::Duplicate(existing));
    }
    if let Some(evaluation) = &upload.evaluation {
        require_active_scorecard(conn, account_id, &evaluation.scorecard_id)?;
    }
    let now = now_micros();
    // The debit comes first: when it does not fit, nothing else has been written.
    credits::debit(
        conn,
        account_id,
        upload.charge,
        &upload.charge_reason,
        &upload.interaction_id,
        now,
    )?;
    let mut warnings = upload.warnings.clone();
    let agent_id = participants::resolve(
        conn,
        account_id,
        ParticipantRole::Agent,
        upload.agent.as_ref(),
        &mut warnings,
    )?;
    let customer_id = participants::resolve(
        conn,
        account_id,
        ParticipantRole::Customer,
        upload.customer.as_ref(),
        &mut warnings,
    )?;
    insert_interaction(conn, &upload, agent_id, customer_id, now)?;
    link_tags(conn, &upload, &mut warnings)?;
    insert_metadata(conn, &upload)?;
    if let Some(evaluation) = &upload.evaluation {
        insert_evaluation(conn, account_id, &upload.interaction_id, evaluation, now)?;
    }
    jobs::enqueue(conn, &upload.jobs, now)?;
    Ok(UploadOutcome::Created(UploadReceipt {
        interaction_id: upload.interaction_id,
        interaction_type: upload.interaction_type,
        processing: upload.processing,
        score_submission_id: upload.evaluation.map(|e| e.score_submission_id),
        warnings,
    }))
}

/// Adds an evaluation to an existing interaction. The interaction's receipt (processing flags,
/// score submission id) stays that of its upload; only `credits_charged` grows.
pub(super) fn queue_evaluation(conn: &Connection, evaluation: NewEvaluation) -> StoreResult<()> {
    let account_id = evaluation.account_id.as_str();
    let exists = conn
        .prepare_cached("SELECT 1 FROM interactions WHERE id = ?1 AND account_id = ?2")?
        .query_row(params![evaluation.interaction_id, account_id], |_| Ok(()))
        .optional()?;
    exists.ok_or(StoreError::NotFound("interaction"))?;
    require_active_scorecard(conn, account_id, &evaluation.spec.scorecard_id)?;
    let now = now_micros();
    credits::debit(
        conn,
        account_id,
        evaluation.charge,
        &evaluation.charge_reason,
        &evaluation.interaction_id,
        now,
    )?;
    insert_evaluation(
        conn,
        account_id,
        &evaluation.interaction_id,
        &evaluation.spec,
        now,
    )?;
    conn.prepare_cached(
        "UPDATE interactions SET credits_charged = credits_charged + ?1 WHERE id = ?2",
    )?
    .execute(params![evaluation.charge, evaluation.interaction_id])?;
    jobs::enqueue(conn, std::slice::from_ref(&evaluation.job), now)
}

fn insert_interaction(
    conn: &Connection,
    upload: &NewUpload,
    agent_id: Option<String>,
    customer_id: Option<String>,
    now: i64,
) -> StoreResult<()> {
    let media = &upload.media;
    // Hints only (a transcription still to run) keep text and segments NULL, not empty.
    let transcript = upload.transcript.as_ref();
    let provided = transcript.and_then(UploadTranscript::provided);
    let segments = provided.map(|t| to_json_text(&t.segments)).transpose()?;
    let email = upload.email.as_ref().map(to_json_text).transpose()?;
    conn.prepare_cached(
        "INSERT INTO interactions (
             id, account_id, source_identifier, interaction_type, direction, occurred_at,
             duration_ms, download_url, agent_id, customer_id,
             media_status, media_object_key, media_content_type, media_size_bytes,
             media_duration_ms, media_channels, media_sample_rate, media_codec, media_container,
             transcript_status, transcript_source, transcript_text, transcript_language,
             transcript_agent_channel, transcript_segments,
             email, custom_metadata, processing_transcription, processing_evaluation,
             score_submission_id, credits_charged, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)",
    )?
    .execute(params![
        upload.interaction_id,
        upload.account_id,
        upload.source_identifier,
        upload.interaction_type.as_str(),
        upload.direction.as_str(),
        to_micros(upload.occurred_at),
        upload.duration_ms,
        upload.download_url,
        agent_id,
        customer_id,
        upload.media_status.map(StepStatus::as_str),
        media.object_key,
        media.content_type,
        media.size_bytes,
        media.duration_ms,
        media.channels,
        media.sample_rate,
        media.codec,
        media.container,
        upload.transcript_status.map(StepStatus::as_str),
        upload.transcript_source.map(TranscriptSource::as_str),
        provided.map(|t| t.text.as_str()),
        transcript.and_then(UploadTranscript::language),
        transcript.and_then(UploadTranscript::agent_channel),
        segments,
        email,
        encode_metadata(&upload.custom_metadata)?,
        upload.processing.transcription,
        upload.processing.evaluation,
        upload
            .evaluation
            .as_ref()
            .map(|e| e.score_submission_id.as_str()),
        upload.charge,
        now
    ])?;
    Ok(())
}

fn link_tags(conn: &Connection, upload: &NewUpload, warnings: &mut Vec<String>) -> StoreResult<()> {
    let mut linked: Vec<String> = Vec::with_capacity(upload.tags.len());
    for (index, reference) in upload.tags.iter().enumerate() {
        match find_tag_id(conn, &upload.account_id, reference)? {
            Some(tag_id) if linked.contains(&tag_id) => {}
            Some(tag_id) => {
                conn.prepare_cached(
                    "INSERT INTO interaction_tags (interaction_id, tag_id) VALUES (?1, ?2)",
                )?
                .execute(params![upload.interaction_id, tag_id])?;
                linked.push(tag_id);
            }
            None => warnings.push(format!(
                "tags[{index}]: unknown tag \"{reference}\" was ignored"
            )),
        }
    }
    Ok(())
}

/// The typed copy used by filters: text for STRING/BOOLEAN, a number for INT/FLOAT.
fn insert_metadata(conn: &Connection, upload: &NewUpload) -> StoreResult<()> {
    if upload.custom_metadata.is_empty() {
        return Ok(());
    }
    let mut statement = conn.prepare_cached(
        "INSERT INTO interaction_metadata
             (interaction_id, account_id, key, value_type, value_text, value_number)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (key, value) in &upload.custom_metadata {
        let (text, number) = match value {
            MetadataValue::String(s) => (Some(s.clone()), None),
            MetadataValue::Boolean(b) => (Some(b.to_string()), None),
            MetadataValue::Int(i) => (None, Some(*i as f64)),
            MetadataValue::Float(f) => (None, Some(*f)),
        };
        statement.execute(params![
            upload.interaction_id,
            upload.account_id,
            key,
            value.kind().as_str(),
            text,
            number
        ])?;
    }
    Ok(())
}

fn insert_evaluation(
    conn: &Connection,
    account_id: &str,
    interaction_id: &str,
    spec: &NewEvaluationSpec,
    now: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO evaluations
             (id, account_id, interaction_id, scorecard_id, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        spec.score_submission_id,
        account_id,
        interaction_id,
        spec.scorecard_id,
        EvaluationStatus::Queued.as_str(),
        now
    ])?;
    Ok(())
}
