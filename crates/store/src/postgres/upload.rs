//! Uploads: `create_upload` and `find_upload`.
//!
//! An upload is one transaction: the single write statement of `upload_sql.rs`, preceded by
//! the participant read when the upload names an agent or customer. The order of checks is the
//! trait's: duplicate, scorecard, credits; a failed check leaves nothing written. When a
//! concurrent upload wins a race on a participant (same new sourceIdentifier or e-mail) or
//! PostgreSQL breaks a deadlock, the whole upload runs again: the next attempt sees the
//! winner's committed rows and matches them.

use super::db::{sql_error, PgDb};
use super::upload_sql::CREATE_UPLOAD;
use crate::codec::{encode_metadata, metadata_row, now_micros, to_json};
use crate::ops::{credits, upload as shared};
use crate::rules::participants::{plan, ParticipantPlan, ParticipantRow};
use crate::rules::tags::{self, name_key, FoundTag};
use crate::sql::{SqlError, SqlErrorKind};
use crate::{StoreError, StoreResult};
use scorejar_core::ids::new_id;
use scorejar_core::jobs::max_attempts;
use scorejar_core::model::*;
use sqlx::{PgPool, Postgres, Row};

/// Attempts of one upload before a run of lost races becomes an error.
const MAX_ATTEMPTS: usize = 5;

/// Why one attempt did not finish.
enum AttemptError {
    /// Lost a race PostgreSQL detected; running the upload again resolves it.
    Race(SqlError),
    /// The debit found no room, which undid the statement.
    Unpaid,
    Failed(StoreError),
}

impl From<SqlError> for AttemptError {
    fn from(e: SqlError) -> Self {
        AttemptError::Failed(e.into())
    }
}

impl From<StoreError> for AttemptError {
    fn from(e: StoreError) -> Self {
        AttemptError::Failed(e)
    }
}

/// Everything derived from the upload once, before any attempt.
struct Encoded {
    segments: Option<String>,
    email: Option<String>,
    custom_metadata: Option<String>,
    metadata_keys: Vec<String>,
    metadata_types: Vec<&'static str>,
    metadata_texts: Vec<Option<String>>,
    metadata_numbers: Vec<Option<f64>>,
    metadata_ints: Vec<Option<i64>>,
    tag_refs_lower: Vec<String>,
    job_ids: Vec<String>,
    job_kinds: Vec<String>,
    job_interactions: Vec<Option<String>>,
    job_payloads: Vec<String>,
    job_max_attempts: Vec<i64>,
    ledger_id: String,
}

impl Encoded {
    fn new(upload: &NewUpload) -> StoreResult<Encoded> {
        // Hints only (a transcription still to run) keep the segments NULL, like the text.
        let segments = upload
            .transcript
            .as_ref()
            .and_then(UploadTranscript::provided)
            .map(|t| to_json(&t.segments))
            .transpose()?;
        let rows: Vec<_> = upload
            .custom_metadata
            .iter()
            .map(|(k, v)| metadata_row(k, v))
            .collect();
        Ok(Encoded {
            segments,
            email: upload.email.as_ref().map(to_json).transpose()?,
            custom_metadata: encode_metadata(&upload.custom_metadata)?,
            metadata_keys: rows.iter().map(|r| r.key.to_owned()).collect(),
            metadata_types: rows.iter().map(|r| r.value_type).collect(),
            metadata_texts: rows.iter().map(|r| r.text.clone()).collect(),
            metadata_numbers: rows.iter().map(|r| r.number).collect(),
            metadata_ints: rows.iter().map(|r| r.int).collect(),
            tag_refs_lower: upload.tags.iter().map(|t| name_key(t)).collect(),
            job_ids: upload.jobs.iter().map(|j| j.id.clone()).collect(),
            job_kinds: upload.jobs.iter().map(|j| j.kind.clone()).collect(),
            job_interactions: upload
                .jobs
                .iter()
                .map(|j| j.interaction_id.clone())
                .collect(),
            job_payloads: upload.jobs.iter().map(|j| j.payload.to_string()).collect(),
            job_max_attempts: upload.jobs.iter().map(|j| max_attempts(&j.kind)).collect(),
            ledger_id: new_id(),
        })
    }
}

pub(super) async fn create_upload(pool: &PgPool, upload: &NewUpload) -> StoreResult<UploadOutcome> {
    let encoded = Encoded::new(upload)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_create_upload(pool, upload, &encoded).await {
            Ok(outcome) => return Ok(outcome),
            Err(AttemptError::Failed(e)) => return Err(e),
            Err(AttemptError::Unpaid) => {
                let mut db = PgDb::Pooled(pool.acquire().await.map_err(sql_error)?);
                let balance = credits::balance(&mut db, &upload.account_id).await?;
                // Credits added since the debit failed make it worth another attempt.
                if balance < upload.charge || attempt >= MAX_ATTEMPTS {
                    return Err(StoreError::InsufficientCredits {
                        required: upload.charge,
                        balance,
                    });
                }
            }
            Err(AttemptError::Race(e)) if attempt >= MAX_ATTEMPTS => return Err(e.into()),
            Err(AttemptError::Race(e)) => {
                tracing::debug!(attempt, error = %e, "upload lost a race; running it again");
            }
        }
    }
}

async fn try_create_upload(
    pool: &PgPool,
    upload: &NewUpload,
    encoded: &Encoded,
) -> Result<UploadOutcome, AttemptError> {
    // One connection for both statements; no BEGIN/COMMIT: the write is a single statement.
    let mut db = PgDb::Pooled(pool.acquire().await.map_err(sql_error)?);
    let people = if upload.agent.is_none() && upload.customer.is_none() {
        ParticipantPlan::default()
    } else {
        plan(
            shared::candidates(&mut db, upload).await?,
            upload.agent.as_ref(),
            upload.customer.as_ref(),
            new_id,
        )
    };
    let row = bind_upload(sqlx::query(CREATE_UPLOAD), upload, encoded, &people)
        .fetch_one(db.connection())
        .await
        .map_err(|e| classify_upload_error(sql_error(e)))?;
    let scorecard_active: bool = row.try_get("scorecard_active").map_err(sql_error)?;
    let inserted: bool = row.try_get("inserted").map_err(sql_error)?;

    if !inserted {
        let existing = shared::find(&mut db, &upload.account_id, &upload.source_identifier).await?;
        return match existing {
            Some(receipt) => Ok(UploadOutcome::Duplicate(receipt)),
            None if !scorecard_active => Err(StoreError::ScorecardNotActive.into()),
            // The conflicting row is gone again (its transaction cannot have rolled back, or
            // ours would have inserted): treat it as a lost race and look again.
            None => Err(AttemptError::Race(SqlError::new(
                SqlErrorKind::Transient,
                "the duplicate vanished",
            ))),
        };
    }

    let tag_ids: Vec<String> = row.try_get("tag_ids").map_err(sql_error)?;
    let tag_names: Vec<String> = row.try_get("tag_names").map_err(sql_error)?;
    let found: Vec<FoundTag> = tag_ids
        .into_iter()
        .zip(tag_names)
        .map(|(id, name_lower)| FoundTag { id, name_lower })
        .collect();
    let mut warnings = upload.warnings.clone();
    warnings.extend(people.warnings);
    warnings.extend(tags::warnings(&upload.tags, &found));
    Ok(shared::created(upload, warnings))
}

/// Participant rows as the parallel arrays one `UNNEST` takes.
struct ParticipantColumns {
    ids: Vec<String>,
    names: Vec<Option<String>>,
    emails: Vec<Option<String>>,
    email_lowers: Vec<Option<String>>,
    phones: Vec<Option<String>>,
    sids: Vec<Option<String>>,
}

impl ParticipantColumns {
    fn of(rows: &[ParticipantRow]) -> Self {
        ParticipantColumns {
            ids: rows.iter().map(|r| r.id.clone()).collect(),
            names: rows.iter().map(|r| r.name.clone()).collect(),
            emails: rows.iter().map(|r| r.email.clone()).collect(),
            email_lowers: rows.iter().map(|r| r.email_lower.clone()).collect(),
            phones: rows.iter().map(|r| r.phone.clone()).collect(),
            sids: rows.iter().map(|r| r.source_identifier.clone()).collect(),
        }
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

fn bind_upload<'q>(
    query: PgQuery<'q>,
    u: &'q NewUpload,
    e: &'q Encoded,
    people: &ParticipantPlan,
) -> PgQuery<'q> {
    let transcript = u.transcript.as_ref();
    let provided = transcript.and_then(UploadTranscript::provided);
    let media = &u.media;
    let new = ParticipantColumns::of(&people.inserts);
    let filled = ParticipantColumns::of(&people.fills);
    query
        .bind(&u.interaction_id) // $1
        .bind(&u.account_id)
        .bind(&u.source_identifier)
        .bind(u.interaction_type.as_str())
        .bind(u.direction.as_str()) // $5
        .bind(scorejar_core::cursor::to_micros(u.occurred_at))
        .bind(u.duration_ms)
        .bind(&u.download_url)
        .bind(people.agent_id.clone())
        .bind(people.customer_id.clone()) // $10
        .bind(u.media_status.map(StepStatus::as_str))
        .bind(&media.object_key)
        .bind(&media.content_type)
        .bind(media.size_bytes)
        .bind(media.duration_ms) // $15
        .bind(media.channels)
        .bind(media.sample_rate)
        .bind(&media.codec)
        .bind(&media.container)
        .bind(u.transcript_status.map(StepStatus::as_str)) // $20
        .bind(u.transcript_source.map(TranscriptSource::as_str))
        .bind(provided.map(|t| t.text.as_str()))
        .bind(transcript.and_then(UploadTranscript::language))
        .bind(transcript.and_then(UploadTranscript::agent_channel))
        .bind(e.segments.as_deref()) // $25
        .bind(e.email.as_deref())
        .bind(e.custom_metadata.as_deref())
        .bind(u.processing.transcription)
        .bind(u.processing.evaluation)
        .bind(
            u.evaluation
                .as_ref()
                .map(|ev| ev.score_submission_id.as_str()),
        ) // $30
        .bind(u.charge)
        .bind(now_micros())
        .bind(u.evaluation.as_ref().map(|ev| ev.scorecard_id.as_str()))
        .bind(new.ids)
        .bind(new.names) // $35
        .bind(new.emails)
        .bind(new.email_lowers)
        .bind(new.phones)
        .bind(new.sids)
        .bind(filled.ids) // $40
        .bind(filled.names)
        .bind(filled.emails)
        .bind(filled.email_lowers)
        .bind(filled.phones)
        .bind(filled.sids) // $45
        .bind(people.referenced.clone())
        .bind(&u.tags)
        .bind(&e.tag_refs_lower)
        .bind(&e.metadata_keys)
        .bind(&e.metadata_types) // $50
        .bind(&e.metadata_texts)
        .bind(&e.metadata_numbers)
        .bind(&e.job_ids)
        .bind(&e.job_kinds)
        .bind(&e.job_interactions) // $55
        .bind(&e.job_payloads)
        .bind(&e.job_max_attempts)
        .bind(&e.ledger_id)
        .bind(&u.charge_reason) // $59
        .bind(&e.metadata_ints)
}

/// Errors of the upload statement: lost participant races and deadlocks are retried; the
/// ledger's CHECK means the debit found no room; an unknown account is `NotFound`.
fn classify_upload_error(err: SqlError) -> AttemptError {
    if err.kind == SqlErrorKind::Transient {
        return AttemptError::Race(err);
    }
    match err.constraint.as_deref() {
        Some("credit_ledger_balance_not_negative") => AttemptError::Unpaid,
        Some(
            "interactions_agent_fk"
            | "interactions_customer_fk"
            | "participants_source_identifier_unique"
            | "participants_email_unique",
        ) => AttemptError::Race(err),
        Some("interactions_account_fk") => StoreError::NotFound("account").into(),
        _ => AttemptError::Failed(err.into()),
    }
}
