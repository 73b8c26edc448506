//! An interaction as the store hands it back (`InteractionRecord`), with its media and its
//! evaluations; the transcript record is in `transcript.rs`.

use time::OffsetDateTime;

use super::{
    Direction, EmailInput, EvaluationStatus, InteractionType, MetadataValue, Participant,
    Processing, StepStatus, Tag, TranscriptRecord,
};

/// Facts about a stored media object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaInfo {
    /// Key in the object store (`media/<account>/<interaction>`).
    pub object_key: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub duration_ms: Option<i64>,
    pub channels: Option<i64>,
    pub sample_rate: Option<i64>,
    pub codec: Option<String>,
    pub container: Option<String>,
}

/// A stored evaluation (score submission).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRecord {
    pub score_submission_id: String,
    pub interaction_id: String,
    pub scorecard_id: String,
    /// The scorecard version it was scored against; `None` until it has run.
    pub scorecard_version: Option<i64>,
    pub status: EvaluationStatus,
    /// The stored `evaluation::result::EvaluationResult`, when COMPLETED.
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    /// Changes with every write: a reviewer's override names the state it corrects.
    pub updated_at: OffsetDateTime,
}

/// Media as stored on an interaction.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRecord {
    pub status: StepStatus,
    pub info: MediaInfo,
    pub error: Option<String>,
    /// When the account's retention deleted the recording (its details stay).
    pub removed_at: Option<OffsetDateTime>,
}

/// Everything stored about one interaction, as `GET /api/v1/interactions/{id}` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionRecord {
    pub id: String,
    pub source_identifier: String,
    pub interaction_type: InteractionType,
    pub direction: Direction,
    pub occurred_at: OffsetDateTime,
    pub duration_ms: Option<i64>,
    pub download_url: Option<String>,
    pub agent: Option<Participant>,
    pub customer: Option<Participant>,
    pub tags: Vec<Tag>,
    pub custom_metadata: Vec<(String, MetadataValue)>,
    pub media: Option<MediaRecord>,
    pub transcript: Option<TranscriptRecord>,
    pub email: Option<EmailInput>,
    pub evaluations: Vec<EvaluationRecord>,
    pub processing: Processing,
    pub credits_charged: i64,
    pub created_at: OffsetDateTime,
}
