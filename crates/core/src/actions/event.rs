//! The events scorejar sends to webhooks: `{"type", "id", "timestamp", "version", "data"}`,
//! `data` holding the interaction's summary and, for evaluation events, the evaluation with its
//! full result. Built from the records as the API renders them (`crate::render`), so a
//! webhook and `GET /api/v1/interactions/{id}` show the same fields the same way.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::model::{EvaluationRecord, InteractionRecord, NewJob};
use crate::render;

/// The version of the event format; a change that removes or renames a field makes a new one.
pub const EVENT_VERSION: u32 = 1;

pub const INTERACTION_CREATED: &str = "interaction.created";
pub const TRANSCRIPTION_COMPLETED: &str = "transcription.completed";
pub const TRANSCRIPTION_FAILED: &str = "transcription.failed";
pub const EVALUATION_COMPLETED: &str = "evaluation.completed";
pub const EVALUATION_FAILED: &str = "evaluation.failed";
pub const MESSAGE_ATTEMPT_EXHAUSTED: &str = "message.attempt.exhausted";

/// Every event type an endpoint may subscribe to.
pub const EVENT_TYPES: [&str; 6] = [
    INTERACTION_CREATED,
    TRANSCRIPTION_COMPLETED,
    TRANSCRIPTION_FAILED,
    EVALUATION_COMPLETED,
    EVALUATION_FAILED,
    MESSAGE_ATTEMPT_EXHAUSTED,
];

/// Why an evaluation event was sent: the evaluation finished, or a reviewer changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Completed,
    Override,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Completed => "completed",
            Reason::Override => "override",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "completed" => Some(Reason::Completed),
            "override" => Some(Reason::Override),
            _ => None,
        }
    }
}

/// The interaction as events carry it: who, what, when, tags and metadata — not the
/// transcript (added on request) nor the processing details.
pub fn interaction_summary(i: &InteractionRecord) -> Value {
    let full = render::interaction(i);
    let mut out = Map::new();
    for key in [
        "id",
        "sourceIdentifier",
        "interactionType",
        "direction",
        "timestamp",
        "duration",
        "agent",
        "customer",
        "tags",
        "customMetadata",
    ] {
        out.insert(key.to_owned(), full[key].clone());
    }
    Value::Object(out)
}

/// The transcript an action with `includeTranscript` adds: its text and segments.
pub fn transcript(i: &InteractionRecord) -> Value {
    match &i.transcript {
        Some(t) => json!({
            "text": t.text,
            "segments": t.segments,
            "language": t.language,
            "source": t.source.map(|s| s.as_str()),
        }),
        None => Value::Null,
    }
}

/// An event envelope around `data`.
pub fn envelope(event_type: &str, id: &str, at: OffsetDateTime, data: Value) -> Value {
    json!({
        "type": event_type,
        "id": id,
        "timestamp": render::rfc3339(at),
        "version": EVENT_VERSION,
        "data": data,
    })
}

/// The `data` of an evaluation event: the interaction's summary and the evaluation with its
/// full result (the model's raw replies left out), and why it was sent.
pub fn evaluation_data(
    interaction: &InteractionRecord,
    evaluation: &EvaluationRecord,
    reason: Reason,
) -> Value {
    json!({
        "interaction": interaction_summary(interaction),
        "evaluation": render::evaluation(evaluation, false),
        "reason": reason.as_str(),
    })
}

/// The `data` of a transcription or interaction event: the interaction's summary and the
/// transcript's state (its status and error, not its text).
pub fn interaction_data(interaction: &InteractionRecord) -> Value {
    let transcript = interaction.transcript.as_ref().map(|t| {
        json!({
            "status": t.status.as_str(),
            "error": t.error,
            "language": t.language,
        })
    });
    json!({
        "interaction": interaction_summary(interaction),
        "transcript": transcript,
    })
}

/// The `Dispatch` job that sends `event` about the interaction (and evaluation), queued in the
/// transaction of the change it reports.
pub fn dispatch_job(
    event: &str,
    interaction_id: &str,
    score_submission_id: Option<&str>,
    reason: Reason,
) -> NewJob {
    NewJob::new(
        crate::jobs::DISPATCH,
        None,
        json!({
            "event": event,
            "interactionId": interaction_id,
            "scoreSubmissionId": score_submission_id,
            "reason": reason.as_str(),
        }),
    )
}
