//! Uploads, statement by statement: everything one accepted upload writes, in the caller's
//! transaction, in the trait's order of checks — duplicate, scorecard, credits — so a failed
//! check has written nothing. SQLite runs this on its single writer, where the duplicate check
//! cannot race; PostgreSQL runs the same rules as one statement (`postgres/upload.rs`).
//!
//! A duplicate answers with the stored receipt (type, processing flags, score submission id)
//! and no warnings: warnings of the first call are not stored, nothing of the repeat is kept.

use super::{catalog, credits, evaluations, jobs};
use crate::codec::{encode_metadata, metadata_row, now_micros, parse_enum, to_json};
use crate::rules::participants::{lookup_keys, plan, ParticipantRow};
use crate::rules::tags;
use crate::sql::{args, Db, Dialect};
use crate::StoreResult;
use scorejar_core::cursor::to_micros;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;

pub(crate) async fn find<D: Db>(
    db: &mut D,
    account_id: &str,
    source_identifier: &str,
) -> StoreResult<Option<UploadReceipt>> {
    let row = db
        .fetch_optional(
            "SELECT id, interaction_type, processing_transcription, processing_evaluation, score_submission_id
             FROM interactions WHERE account_id = $1 AND source_identifier = $2",
            args![account_id, source_identifier],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(UploadReceipt {
        interaction_id: r.get("id")?,
        interaction_type: parse_enum(
            &r.get::<String>("interaction_type")?,
            InteractionType::parse,
            "interactions.interaction_type",
        )?,
        processing: Processing {
            transcription: r.get("processing_transcription")?,
            evaluation: r.get("processing_evaluation")?,
        },
        score_submission_id: r.get("score_submission_id")?,
        warnings: Vec::new(),
    }))
}

pub(crate) async fn create<D: Db>(db: &mut D, upload: &NewUpload) -> StoreResult<UploadOutcome> {
    let account_id = upload.account_id.as_str();
    if let Some(existing) = find(db, account_id, &upload.source_identifier).await? {
        return Ok(UploadOutcome::Duplicate(existing));
    }
    if let Some(evaluation) = &upload.evaluation {
        catalog::require_active_scorecard(db, account_id, &evaluation.scorecard_id).await?;
    }
    let now = now_micros();
    // The debit comes first: when it does not fit, nothing else has been written.
    credits::apply(
        db,
        account_id,
        -upload.charge,
        &upload.charge_reason,
        Some(&upload.interaction_id),
        now,
    )
    .await?;
    let mut warnings = upload.warnings.clone();
    let people = resolve_participants(db, upload, now).await?;
    warnings.extend(people.warnings);
    insert_interaction(
        db,
        upload,
        people.agent_id.as_deref(),
        people.customer_id.as_deref(),
        now,
    )
    .await?;
    let found = catalog::find_tags(db, account_id, &upload.tags).await?;
    for tag in &found {
        db.execute(
            "INSERT INTO interaction_tags (interaction_id, tag_id) VALUES ($1, $2)",
            args![&upload.interaction_id, &tag.id],
        )
        .await?;
    }
    warnings.extend(tags::warnings(&upload.tags, &found));
    for (key, value) in &upload.custom_metadata {
        let row = metadata_row(key, value);
        db.execute(
            "INSERT INTO interaction_metadata
                 (interaction_id, account_id, key, value_type, value_text, value_number, value_int)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![
                &upload.interaction_id,
                account_id,
                row.key,
                row.value_type,
                &row.text,
                row.number,
                row.int
            ],
        )
        .await?;
    }
    if let Some(evaluation) = &upload.evaluation {
        evaluations::insert(db, account_id, &upload.interaction_id, evaluation, now).await?;
    }
    jobs::enqueue(db, &upload.jobs, now).await?;
    Ok(created(upload, warnings))
}

/// The answer to an upload this call created: its receipt with every warning.
pub(crate) fn created(upload: &NewUpload, warnings: Vec<String>) -> UploadOutcome {
    UploadOutcome::Created(UploadReceipt {
        interaction_id: upload.interaction_id.clone(),
        interaction_type: upload.interaction_type,
        processing: upload.processing,
        score_submission_id: upload
            .evaluation
            .as_ref()
            .map(|e| e.score_submission_id.clone()),
        warnings,
    })
}

/// Every participant of the account whose sourceIdentifier or e-mail the upload's agent or
/// customer carries: what `rules::participants::plan` decides on.
pub(crate) async fn candidates<D: Db>(
    db: &mut D,
    upload: &NewUpload,
) -> StoreResult<Vec<ParticipantRow>> {
    let (sids, emails) = lookup_keys([upload.agent.as_ref(), upload.customer.as_ref()]);
    let account_id = upload.account_id.as_str();
    let rows = match db.dialect() {
        // One point lookup per key: a statement costs no round trip on SQLite, and the
        // one-statement form (IN lists under a UNION) builds three temporary b-trees per upload
        // on the single writer (measured in docs/storage.md).
        Dialect::Sqlite => {
            let mut rows = Vec::new();
            for (sql, keys) in [(PARTICIPANT_BY_SID, &sids), (PARTICIPANT_BY_EMAIL, &emails)] {
                for key in keys {
                    rows.extend(db.fetch_all(sql, args![account_id, key]).await?);
                }
            }
            rows
        }
        // One statement: on PostgreSQL each statement is a round trip.
        Dialect::Postgres => {
            let key = |keys: &[String], i: usize| keys.get(i).cloned();
            db.fetch_all(
                // Two indexed lookups: with one OR of both, the planner scanned every
                // participant of the account.
                "SELECT id, name, email, email_lower, phone, source_identifier FROM participants
                 WHERE account_id = $1 AND source_identifier IN ($2, $3)
                 UNION
                 SELECT id, name, email, email_lower, phone, source_identifier FROM participants
                 WHERE account_id = $1 AND email_lower IN ($4, $5)",
                args![
                    account_id,
                    &key(&sids, 0),
                    &key(&sids, 1),
                    &key(&emails, 0),
                    &key(&emails, 1)
                ],
            )
            .await?
        }
    };
    let mut found: Vec<ParticipantRow> = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.get("id")?;
        // The same participant can be found by both of its keys.
        if found.iter().any(|p| p.id == id) {
            continue;
        }
        found.push(ParticipantRow {
            id,
            name: r.get("name")?,
            email: r.get("email")?,
            email_lower: r.get("email_lower")?,
            phone: r.get("phone")?,
            source_identifier: r.get("source_identifier")?,
        });
    }
    Ok(found)
}

const PARTICIPANT_BY_SID: &str =
    "SELECT id, name, email, email_lower, phone, source_identifier FROM participants
     WHERE account_id = $1 AND source_identifier = $2";
const PARTICIPANT_BY_EMAIL: &str =
    "SELECT id, name, email, email_lower, phone, source_identifier FROM participants
     WHERE account_id = $1 AND email_lower = $2";

/// The agent's and customer's ids after matching (`rules::participants`), with the rows
/// created or filled in written.
struct People {
    agent_id: Option<String>,
    customer_id: Option<String>,
    warnings: Vec<String>,
}

async fn resolve_participants<D: Db>(
    db: &mut D,
    upload: &NewUpload,
    now: i64,
) -> StoreResult<People> {
    let (agent, customer) = (upload.agent.as_ref(), upload.customer.as_ref());
    if agent.is_none() && customer.is_none() {
        return Ok(People {
            agent_id: None,
            customer_id: None,
            warnings: Vec::new(),
        });
    }
    let people = plan(candidates(db, upload).await?, agent, customer, new_id);
    for p in &people.inserts {
        db.execute(
            "INSERT INTO participants (id, account_id, name, email, email_lower, phone, source_identifier, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![&p.id, upload.account_id.as_str(), &p.name, &p.email, &p.email_lower, &p.phone, &p.source_identifier, now],
        )
        .await?;
    }
    for p in &people.fills {
        db.execute(
            "UPDATE participants SET name = $2, email = $3, email_lower = $4, phone = $5, source_identifier = $6
             WHERE id = $1",
            args![&p.id, &p.name, &p.email, &p.email_lower, &p.phone, &p.source_identifier],
        )
        .await?;
    }
    Ok(People {
        agent_id: people.agent_id,
        customer_id: people.customer_id,
        warnings: people.warnings,
    })
}

async fn insert_interaction<D: Db>(
    db: &mut D,
    upload: &NewUpload,
    agent_id: Option<&str>,
    customer_id: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    let media = &upload.media;
    // Hints only (a transcription still to run) keep text and segments NULL, not empty.
    let transcript = upload.transcript.as_ref();
    let provided = transcript.and_then(UploadTranscript::provided);
    let segments = provided.map(|t| to_json(&t.segments)).transpose()?;
    let email = upload.email.as_ref().map(to_json).transpose()?;
    db.execute(
        "INSERT INTO interactions (
             id, account_id, source_identifier, interaction_type, direction, occurred_at,
             duration_ms, download_url, agent_id, customer_id,
             media_status, media_object_key, media_content_type, media_size_bytes,
             media_duration_ms, media_channels, media_sample_rate, media_codec, media_container,
             transcript_status, transcript_source, transcript_text, transcript_language,
             transcript_agent_channel, transcript_segments,
             email, custom_metadata, processing_transcription, processing_evaluation,
             score_submission_id, credits_charged, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)",
        args![
            &upload.interaction_id,
            &upload.account_id,
            &upload.source_identifier,
            upload.interaction_type.as_str(),
            upload.direction.as_str(),
            to_micros(upload.occurred_at),
            upload.duration_ms,
            &upload.download_url,
            agent_id,
            customer_id,
            upload.media_status.map(StepStatus::as_str),
            &media.object_key,
            &media.content_type,
            media.size_bytes,
            media.duration_ms,
            media.channels,
            media.sample_rate,
            &media.codec,
            &media.container,
            upload.transcript_status.map(StepStatus::as_str),
            upload.transcript_source.map(TranscriptSource::as_str),
            provided.map(|t| t.text.as_str()),
            transcript.and_then(UploadTranscript::language),
            transcript.and_then(UploadTranscript::agent_channel),
            &segments,
            &email,
            &encode_metadata(&upload.custom_metadata)?,
            upload.processing.transcription,
            upload.processing.evaluation,
            upload
                .evaluation
                .as_ref()
                .map(|e| e.score_submission_id.as_str()),
            upload.charge,
            now
        ],
    )
    .await?;
    Ok(())
}
