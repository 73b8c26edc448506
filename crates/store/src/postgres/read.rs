//! Reading interactions back as [`InteractionRecord`]s: the interaction row with its two
//! participants (one query), then the tags and evaluations of a whole page at once (one query
//! each), so a page of 100 costs three queries, not 201.

use super::codec::{
    corrupt, decode_email, decode_json, decode_metadata, decode_segments, parse_enum,
};
use super::errors::db;
use crate::StoreResult;
use scorejar_core::cursor::from_micros;
use scorejar_core::model::*;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use std::collections::HashMap;

/// The interaction columns plus both participants; callers append WHERE/ORDER/LIMIT.
pub(crate) const SELECT_INTERACTIONS: &str = "
SELECT i.id, i.source_identifier, i.interaction_type, i.direction, i.occurred_at, i.duration_ms,
       i.download_url, i.media_status, i.media_object_key, i.media_content_type,
       i.media_size_bytes, i.media_duration_ms, i.media_channels, i.media_sample_rate,
       i.media_codec, i.media_container, i.media_error, i.transcript_status,
       i.transcript_source, i.transcript_text, i.transcript_language,
       i.transcript_agent_channel, i.transcript_segments, i.transcript_error,
       i.transcript_engine, i.transcript_model, i.email,
       i.custom_metadata, i.processing_transcription, i.processing_evaluation,
       i.credits_charged, i.created_at,
       a.id AS agent_id, a.name AS agent_name, a.email AS agent_email, a.phone AS agent_phone,
       a.source_identifier AS agent_source_identifier,
       c.id AS customer_id, c.name AS customer_name, c.email AS customer_email,
       c.phone AS customer_phone, c.source_identifier AS customer_source_identifier
FROM interactions i
LEFT JOIN participants a ON a.id = i.agent_id
LEFT JOIN participants c ON c.id = i.customer_id";

pub(crate) async fn get_interaction(
    pool: &PgPool,
    account_id: &str,
    interaction_id: &str,
) -> StoreResult<Option<InteractionRecord>> {
    let row = sqlx::query(&format!(
        "{SELECT_INTERACTIONS} WHERE i.id = $1 AND i.account_id = $2"
    ))
    .bind(interaction_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    let Some(row) = row else { return Ok(None) };
    let mut records = vec![record_from_row(&row)?];
    attach_tags_and_evaluations(pool, &mut records).await?;
    Ok(records.pop())
}

/// Fills `tags` (by name, case-insensitively) and `evaluations` (oldest first) of every record.
pub(crate) async fn attach_tags_and_evaluations(
    pool: &PgPool,
    records: &mut [InteractionRecord],
) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let position: HashMap<String, usize> = ids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();

    let tags: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT it.interaction_id, t.id, t.name
         FROM interaction_tags it JOIN tags t ON t.id = it.tag_id
         WHERE it.interaction_id = ANY($1)
         ORDER BY t.name_lower COLLATE \"C\", t.name COLLATE \"C\", t.id COLLATE \"C\"",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    for (interaction_id, id, name) in tags {
        if let Some(&i) = position.get(&interaction_id) {
            records[i].tags.push(Tag { id, name });
        }
    }

    let evaluations = sqlx::query(
        "SELECT interaction_id, id, scorecard_id, status, result, error, created_at
         FROM evaluations WHERE interaction_id = ANY($1)
         ORDER BY created_at, id COLLATE \"C\"",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    for row in &evaluations {
        let interaction_id: String = row.try_get("interaction_id").map_err(db)?;
        let status: String = row.try_get("status").map_err(db)?;
        let result: Option<String> = row.try_get("result").map_err(db)?;
        let evaluation = EvaluationRecord {
            score_submission_id: row.try_get("id").map_err(db)?,
            scorecard_id: row.try_get("scorecard_id").map_err(db)?,
            status: parse_enum(&status, EvaluationStatus::parse, "evaluations.status")?,
            result: result
                .map(|r| decode_json(&r, "evaluations.result"))
                .transpose()?,
            error: row.try_get("error").map_err(db)?,
            created_at: from_micros(row.try_get("created_at").map_err(db)?),
        };
        if let Some(&i) = position.get(&interaction_id) {
            records[i].evaluations.push(evaluation);
        }
    }
    Ok(())
}

/// The record of one row of [`SELECT_INTERACTIONS`], without tags and evaluations.
pub(crate) fn record_from_row(row: &PgRow) -> StoreResult<InteractionRecord> {
    let text = |column: &str| -> StoreResult<Option<String>> { row.try_get(column).map_err(db) };
    let int = |column: &str| -> StoreResult<Option<i64>> { row.try_get(column).map_err(db) };
    let required = |column: &str| -> StoreResult<String> {
        text(column)?.ok_or_else(|| corrupt(column, "unexpected NULL"))
    };

    let media = match text("media_status")? {
        None => None,
        Some(status) => Some(MediaRecord {
            status: parse_enum(&status, StepStatus::parse, "interactions.media_status")?,
            info: MediaInfo {
                object_key: text("media_object_key")?,
                content_type: text("media_content_type")?,
                size_bytes: int("media_size_bytes")?,
                duration_ms: int("media_duration_ms")?,
                channels: int("media_channels")?,
                sample_rate: int("media_sample_rate")?,
                codec: text("media_codec")?,
                container: text("media_container")?,
            },
            error: text("media_error")?,
        }),
    };
    let transcript = match text("transcript_status")? {
        None => None,
        Some(status) => Some(TranscriptRecord {
            status: parse_enum(&status, StepStatus::parse, "interactions.transcript_status")?,
            source: text("transcript_source")?
                .map(|s| {
                    parse_enum(
                        &s,
                        TranscriptSource::parse,
                        "interactions.transcript_source",
                    )
                })
                .transpose()?,
            text: text("transcript_text")?,
            language: text("transcript_language")?,
            agent_channel: int("transcript_agent_channel")?,
            segments: decode_segments(text("transcript_segments")?.as_deref())?,
            error: text("transcript_error")?,
            engine: text("transcript_engine")?,
            model: text("transcript_model")?,
        }),
    };
    let participant = |prefix: &str| -> StoreResult<Option<Participant>> {
        Ok(match text(&format!("{prefix}_id"))? {
            None => None,
            Some(id) => Some(Participant {
                id,
                name: text(&format!("{prefix}_name"))?,
                email: text(&format!("{prefix}_email"))?,
                phone: text(&format!("{prefix}_phone"))?,
                source_identifier: text(&format!("{prefix}_source_identifier"))?,
            }),
        })
    };
    let custom_metadata = match text("custom_metadata")? {
        None => Vec::new(),
        Some(t) => decode_metadata(&t)?,
    };

    Ok(InteractionRecord {
        id: required("id")?,
        source_identifier: required("source_identifier")?,
        interaction_type: parse_enum(
            &required("interaction_type")?,
            InteractionType::parse,
            "interactions.interaction_type",
        )?,
        direction: parse_enum(
            &required("direction")?,
            Direction::parse,
            "interactions.direction",
        )?,
        occurred_at: from_micros(row.try_get("occurred_at").map_err(db)?),
        duration_ms: int("duration_ms")?,
        download_url: text("download_url")?,
        agent: participant("agent")?,
        customer: participant("customer")?,
        tags: Vec::new(),
        custom_metadata,
        media,
        transcript,
        email: decode_email(text("email")?.as_deref())?,
        evaluations: Vec::new(),
        processing: Processing {
            transcription: row.try_get("processing_transcription").map_err(db)?,
            evaluation: row.try_get("processing_evaluation").map_err(db)?,
        },
        credits_charged: row.try_get("credits_charged").map_err(db)?,
        created_at: from_micros(row.try_get("created_at").map_err(db)?),
    })
}
