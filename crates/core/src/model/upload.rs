//! What the server hands the store to write — an accepted upload (`NewUpload`) or an evaluation
//! queued on an existing interaction (`NewEvaluation`) — and what the store answers.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    Direction, EmailInput, InteractionType, MediaInfo, MetadataValue, NewJob, ParticipantInput,
    StepStatus, TranscriptSource, UploadTranscript,
};

/// The `processing` flags of an upload response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processing {
    pub transcription: bool,
    pub evaluation: bool,
}

/// Everything one accepted upload writes, in one transaction. Built by the server from the
/// validated payload, the media probe and the price; the store only persists it.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub account_id: String,
    pub interaction_id: String,
    pub source_identifier: String,
    pub direction: Direction,
    pub interaction_type: InteractionType,
    /// Event time, normalised to UTC.
    pub occurred_at: OffsetDateTime,
    pub duration_ms: Option<i64>,
    pub download_url: Option<String>,
    /// `None` when the interaction has no media (chat, sms, email, transcript-only audio).
    pub media_status: Option<StepStatus>,
    pub media: MediaInfo,
    pub agent: Option<ParticipantInput>,
    pub customer: Option<ParticipantInput>,
    /// Tag references as uploaded (ids or names); unknown ones become warnings.
    pub tags: Vec<String>,
    /// In upload order; keys are unique.
    pub custom_metadata: Vec<(String, MetadataValue)>,
    /// `Provided` content is stored as given; `Hints` (or `None`) leave the text absent for the
    /// transcription to fill, keeping the hints' language and agent channel.
    pub transcript: Option<UploadTranscript>,
    /// Status of the transcript step: COMPLETED when provided, PENDING when queued (with or
    /// without hints), `None` when the interaction has no transcript and needs none (e-mail).
    pub transcript_status: Option<StepStatus>,
    pub transcript_source: Option<TranscriptSource>,
    pub email: Option<EmailInput>,
    pub evaluation: Option<NewEvaluationSpec>,
    pub processing: Processing,
    /// Credits to debit now (already priced). Zero means no ledger entry.
    pub charge: i64,
    /// Ledger reason for the debit, e.g. `upload: transcription 2 min + evaluation 2 min`.
    pub charge_reason: String,
    pub jobs: Vec<NewJob>,
    /// Warnings found before the store (passed through to the response).
    pub warnings: Vec<String>,
}

/// The evaluation part of an upload.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvaluationSpec {
    pub score_submission_id: String,
    pub scorecard_id: String,
}

/// What an upload answers with; the same for the first call and its duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadReceipt {
    pub interaction_id: String,
    pub interaction_type: InteractionType,
    pub processing: Processing,
    pub score_submission_id: Option<String>,
    pub warnings: Vec<String>,
}

/// Result of `Store::create_upload`.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadOutcome {
    Created(UploadReceipt),
    /// An interaction with this `sourceIdentifier` already existed: nothing was written or charged.
    Duplicate(UploadReceipt),
}

/// Queue an evaluation of an existing interaction (`POST /api/v1/ai/queue`).
#[derive(Debug, Clone)]
pub struct NewEvaluation {
    pub account_id: String,
    pub interaction_id: String,
    pub spec: NewEvaluationSpec,
    pub charge: i64,
    pub charge_reason: String,
    pub job: NewJob,
}
