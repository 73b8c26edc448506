//! JSON views of stored records, camelCase as the API speaks. One place, so the single-item
//! and list endpoints and the webhook events show an interaction the same way — the list as a
//! summary: previews instead of a transcript's text and segments and an e-mail's body.

use crate::model::*;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn participant(p: &Option<Participant>) -> Value {
    match p {
        None => Value::Null,
        Some(p) => json!({
            "id": p.id, "name": p.name, "email": p.email, "phone": p.phone,
            "sourceIdentifier": p.source_identifier,
        }),
    }
}

fn media(m: &Option<MediaRecord>) -> Value {
    match m {
        None => Value::Null,
        Some(m) => json!({
            "status": m.status.as_str(),
            "contentType": m.info.content_type,
            "sizeBytes": m.info.size_bytes,
            "durationMs": m.info.duration_ms,
            "channels": m.info.channels,
            "sampleRate": m.info.sample_rate,
            "codec": m.info.codec,
            "container": m.info.container,
            "error": m.error,
            "removedAt": m.removed_at.map(rfc3339),
        }),
    }
}

fn transcript(t: &Option<TranscriptRecord>) -> Value {
    match t {
        None => Value::Null,
        Some(t) => json!({
            "status": t.status.as_str(),
            "source": t.source.map(|s| s.as_str()),
            "text": t.text,
            "segments": t.segments,
            "language": t.language,
            "agentChannel": t.agent_channel,
            "engine": t.engine,
            "model": t.model,
            "error": t.error,
        }),
    }
}

/// An evaluation as the interaction's `evaluations` and `GET /api/v1/score-submissions/{id}`
/// show it: its state, and once COMPLETED the stored result's fields (engine, model, score,
/// passed, autoFailed, needsReview, sections, answers, usage, promptSha256). The model's raw
/// replies only with `audit` (the single-evaluation endpoint).
pub fn evaluation(e: &EvaluationRecord, audit: bool) -> Value {
    let mut out = json!({
        "id": e.score_submission_id,
        "scoreSubmissionId": e.score_submission_id,
        "interactionId": e.interaction_id,
        "scorecardId": e.scorecard_id,
        "scorecardVersion": e.scorecard_version,
        "status": e.status.as_str(),
        "error": e.error,
        "createdAt": rfc3339(e.created_at),
        "completedAt": e.completed_at.map(rfc3339),
    });
    if let (Some(Value::Object(result)), Value::Object(map)) = (&e.result, &mut out) {
        for (key, value) in result {
            if key == "rawOutput" && !audit {
                continue;
            }
            map.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    out
}

/// True when no step of the interaction is still waiting or running.
pub fn processing_complete(i: &InteractionRecord) -> bool {
    let step_done = |s: StepStatus| matches!(s, StepStatus::Completed | StepStatus::Failed);
    i.media.as_ref().is_none_or(|m| step_done(m.status))
        && i.transcript.as_ref().is_none_or(|t| step_done(t.status))
        && i.evaluations.iter().all(|e| {
            matches!(
                e.status,
                EvaluationStatus::Completed | EvaluationStatus::Failed
            )
        })
}

pub fn interaction(i: &InteractionRecord) -> Value {
    let mut metadata = Map::new();
    let mut metadata_types = Map::new();
    for (key, value) in &i.custom_metadata {
        metadata.insert(key.clone(), value.to_json());
        metadata_types.insert(key.clone(), Value::from(value.kind().as_str()));
    }
    json!({
        "id": i.id,
        "sourceIdentifier": i.source_identifier,
        "interactionType": i.interaction_type.as_str(),
        "direction": i.direction.as_str(),
        "timestamp": rfc3339(i.occurred_at),
        "duration": i.duration_ms,
        "downloadUrl": i.download_url,
        "agent": participant(&i.agent),
        "customer": participant(&i.customer),
        "tags": i.tags,
        "customMetadata": metadata,
        "customMetadataTypes": metadata_types,
        "media": media(&i.media),
        "transcript": transcript(&i.transcript),
        "email": i.email,
        "evaluations": i.evaluations.iter().map(|e| evaluation(e, false)).collect::<Vec<_>>(),
        "processing": {
            "transcription": i.processing.transcription,
            "evaluation": i.processing.evaluation,
            "complete": processing_complete(i),
        },
        "creditsCharged": i.credits_charged,
        "createdAt": rfc3339(i.created_at),
    })
}

/// A list row: [`interaction`] with `transcript.preview` (the first
/// [`SUMMARY_TEXT_CHARS`] characters, as the store read them) in place of `text` and `segments`,
/// and `email.bodyPreview` in place of `body`. The detail endpoint has the whole.
pub fn interaction_summary(i: &InteractionRecord) -> Value {
    let mut view = interaction(i);
    if let Some(t) = view["transcript"].as_object_mut() {
        let preview = t.remove("text").unwrap_or(Value::Null);
        t.remove("segments");
        t.insert("preview".into(), preview);
    }
    if let Some(e) = view["email"].as_object_mut() {
        let preview = e
            .remove("body")
            .and_then(|b| {
                b.as_str()
                    .map(|b| b.chars().take(SUMMARY_TEXT_CHARS).collect::<String>())
            })
            .map_or(Value::Null, Value::from);
        e.insert("bodyPreview".into(), preview);
    }
    view
}
