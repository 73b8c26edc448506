//! Reading interactions: one row of `interactions` plus its participants, tags and evaluations
//! assembled into an [`InteractionRecord`]. Shared by `get_interaction` and the listing.
//!
//! Tags come back sorted by name (case-insensitive): the link table keeps no upload order.

use super::codec::{enum_col, json_col, metadata_col, opt_enum_col};
use super::participants;
use crate::StoreResult;
use rusqlite::{params, Connection, OptionalExtension, Row};
use scorejar_core::cursor::from_micros;
use scorejar_core::model::*;

/// The columns [`from_row`] reads, for `SELECT {COLUMNS} FROM interactions i ...`.
pub(super) const COLUMNS: &str = "i.id, i.source_identifier, i.interaction_type, i.direction, \
     i.occurred_at, i.duration_ms, i.download_url, i.agent_id, i.customer_id, \
     i.media_status, i.media_object_key, i.media_content_type, i.media_size_bytes, \
     i.media_duration_ms, i.media_channels, i.media_sample_rate, i.media_codec, \
     i.media_container, i.media_error, i.transcript_status, i.transcript_source, \
     i.transcript_text, i.transcript_language, i.transcript_agent_channel, \
     i.transcript_segments, i.transcript_error, i.transcript_engine, i.transcript_model, i.email, i.custom_metadata, \
     i.processing_transcription, i.processing_evaluation, i.credits_charged, i.created_at";

/// An interaction row before its related rows are loaded.
pub(super) struct InteractionRow {
    pub record: InteractionRecord,
    pub agent_id: Option<String>,
    pub customer_id: Option<String>,
}

pub(super) fn get(
    conn: &mut Connection,
    account_id: &str,
    interaction_id: &str,
) -> StoreResult<Option<InteractionRecord>> {
    // One read transaction: the row and its related rows come from the same snapshot.
    let tx = conn.transaction()?;
    let row = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM interactions i WHERE i.id = ?1 AND i.account_id = ?2"
        ))?
        .query_row(params![interaction_id, account_id], from_row)
        .optional()?;
    let record = row.map(|row| assemble(&tx, row)).transpose()?;
    tx.finish()?;
    Ok(record)
}

pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<InteractionRow> {
    let media = opt_enum_col(row, "media_status", StepStatus::parse)?
        .map(|status| -> rusqlite::Result<MediaRecord> {
            Ok(MediaRecord {
                status,
                info: MediaInfo {
                    object_key: row.get("media_object_key")?,
                    content_type: row.get("media_content_type")?,
                    size_bytes: row.get("media_size_bytes")?,
                    duration_ms: row.get("media_duration_ms")?,
                    channels: row.get("media_channels")?,
                    sample_rate: row.get("media_sample_rate")?,
                    codec: row.get("media_codec")?,
                    container: row.get("media_container")?,
                },
                error: row.get("media_error")?,
            })
        })
        .transpose()?;
    let transcript = opt_enum_col(row, "transcript_status", StepStatus::parse)?
        .map(|status| -> rusqlite::Result<TranscriptRecord> {
            Ok(TranscriptRecord {
                status,
                source: opt_enum_col(row, "transcript_source", TranscriptSource::parse)?,
                text: row.get("transcript_text")?,
                language: row.get("transcript_language")?,
                agent_channel: row.get("transcript_agent_channel")?,
                segments: json_col(row, "transcript_segments")?.unwrap_or_default(),
                error: row.get("transcript_error")?,
                engine: row.get("transcript_engine")?,
                model: row.get("transcript_model")?,
            })
        })
        .transpose()?;
    let record = InteractionRecord {
        id: row.get("id")?,
        source_identifier: row.get("source_identifier")?,
        interaction_type: enum_col(row, "interaction_type", InteractionType::parse)?,
        direction: enum_col(row, "direction", Direction::parse)?,
        occurred_at: from_micros(row.get("occurred_at")?),
        duration_ms: row.get("duration_ms")?,
        download_url: row.get("download_url")?,
        agent: None,
        customer: None,
        tags: Vec::new(),
        custom_metadata: metadata_col(row, "custom_metadata")?,
        media,
        transcript,
        email: json_col(row, "email")?,
        evaluations: Vec::new(),
        processing: Processing {
            transcription: row.get("processing_transcription")?,
            evaluation: row.get("processing_evaluation")?,
        },
        credits_charged: row.get("credits_charged")?,
        created_at: from_micros(row.get("created_at")?),
    };
    Ok(InteractionRow {
        record,
        agent_id: row.get("agent_id")?,
        customer_id: row.get("customer_id")?,
    })
}

/// Loads the related rows (participants, tags, evaluations) into the record.
pub(super) fn assemble(conn: &Connection, row: InteractionRow) -> StoreResult<InteractionRecord> {
    let mut record = row.record;
    if let Some(id) = &row.agent_id {
        record.agent = participants::get(conn, id)?;
    }
    if let Some(id) = &row.customer_id {
        record.customer = participants::get(conn, id)?;
    }
    record.tags = tags(conn, &record.id)?;
    record.evaluations = evaluations(conn, &record.id)?;
    Ok(record)
}

fn tags(conn: &Connection, interaction_id: &str) -> StoreResult<Vec<Tag>> {
    let mut statement = conn.prepare_cached(
        "SELECT t.id, t.name FROM interaction_tags it JOIN tags t ON t.id = it.tag_id
         WHERE it.interaction_id = ?1 ORDER BY t.name_lower, t.name, t.id",
    )?;
    let tags = statement
        .query_map([interaction_id], |row| {
            Ok(Tag {
                id: row.get("id")?,
                name: row.get("name")?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(tags)
}

fn evaluations(conn: &Connection, interaction_id: &str) -> StoreResult<Vec<EvaluationRecord>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, scorecard_id, status, result, error, created_at FROM evaluations
         WHERE interaction_id = ?1 ORDER BY created_at, rowid",
    )?;
    let evaluations = statement
        .query_map([interaction_id], |row| {
            Ok(EvaluationRecord {
                score_submission_id: row.get("id")?,
                scorecard_id: row.get("scorecard_id")?,
                status: enum_col(row, "status", EvaluationStatus::parse)?,
                result: json_col(row, "result")?,
                error: row.get("error")?,
                created_at: from_micros(row.get("created_at")?),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(evaluations)
}
