//! Domain types shared by the store and the server: the enums of the API (serialised exactly as
//! the reference spells them), what an upload becomes once validated (`NewUpload`, the store's
//! input), and what the store hands back (`InteractionRecord`, `UploadReceipt`, ...).
//!
//! These are plain data. Rules about them live in their own modules (payload, inference,
//! pricing, scorecard); storage lives in scorejar-store.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

macro_rules! api_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The API (and database) spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the exact API spelling; anything else is `None`.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

api_enum!(
    /// Who started the interaction.
    Direction { Inbound => "INBOUND", Outbound => "OUTBOUND" }
);
api_enum!(
    /// What kind of interaction this is; inferred when the upload omits it.
    InteractionType { Audio => "AUDIO", Video => "VIDEO", Chat => "CHAT", Email => "EMAIL", Sms => "SMS" }
);
api_enum!(
    /// The status of one processing step (media, transcript, each evaluation).
    StepStatus { Pending => "PENDING", Processing => "PROCESSING", Completed => "COMPLETED", Failed => "FAILED" }
);
api_enum!(
    /// Where a transcript came from.
    TranscriptSource { Provided => "PROVIDED", Engine => "ENGINE" }
);
api_enum!(
    /// The stored type of one custom-metadata value.
    MetadataType { String => "STRING", Boolean => "BOOLEAN", Int => "INT", Float => "FLOAT" }
);
api_enum!(
    /// Lifecycle of a scorecard; only ACTIVE ones can be used for evaluations.
    ScorecardStatus { Draft => "DRAFT", Active => "ACTIVE", Archived => "ARCHIVED" }
);
api_enum!(
    /// Status of an evaluation (score submission).
    EvaluationStatus { Queued => "QUEUED", Processing => "PROCESSING", Completed => "COMPLETED", Failed => "FAILED" }
);

/// One typed custom-metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataValue {
    String(String),
    Boolean(bool),
    Int(i64),
    Float(f64),
}

impl MetadataValue {
    pub fn kind(&self) -> MetadataType {
        match self {
            MetadataValue::String(_) => MetadataType::String,
            MetadataValue::Boolean(_) => MetadataType::Boolean,
            MetadataValue::Int(_) => MetadataType::Int,
            MetadataValue::Float(_) => MetadataType::Float,
        }
    }

    /// The value as JSON, exactly as it was uploaded.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            MetadataValue::String(s) => serde_json::Value::from(s.as_str()),
            MetadataValue::Boolean(b) => serde_json::Value::from(*b),
            MetadataValue::Int(i) => serde_json::Value::from(*i),
            MetadataValue::Float(f) => serde_json::Value::from(*f),
        }
    }

    /// Numeric view used for range filters (INT and FLOAT compare with each other).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetadataValue::Int(i) => Some(*i as f64),
            MetadataValue::Float(f) => Some(*f),
            _ => None,
        }
    }
}

/// An `agent` or `customer` object of an upload. At least one field is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source_identifier: Option<String>,
}

/// Which side of the conversation a participant is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantRole {
    Agent,
    Customer,
}

impl ParticipantRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantRole::Agent => "AGENT",
            ParticipantRole::Customer => "CUSTOMER",
        }
    }
}

/// A stored participant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source_identifier: Option<String>,
}

/// One word with timings, Whisper style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub word: String,
    pub start: f64,
    pub end: f64,
}

/// One transcript segment, Whisper `verbose_json` style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<Word>>,
}

/// A validated transcript. `text` is always set: given, or derived from the segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptInput {
    pub text: String,
    pub language: Option<String>,
    pub agent_channel: Option<i64>,
    pub segments: Vec<Segment>,
}

/// What an upload may say about a transcription it still needs: the `language` (a lower-case
/// primary subtag such as `en`) and which channel is the agent's. At least one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptHints {
    pub language: Option<String>,
    pub agent_channel: Option<i64>,
}

/// An upload's `transcript` object. A transcript either is content the client already has, or
/// only steers the transcription of the upload's media — never both, never an empty text.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadTranscript {
    /// Text and/or segments were given: stored COMPLETED, nothing is transcribed or billed for
    /// transcription.
    Provided(TranscriptInput),
    /// Only `language` and/or `agentChannel`: the media is transcribed (the transcript stays
    /// PENDING, without text) and the engine reads these hints. Valid only with media.
    Hints(TranscriptHints),
}

impl UploadTranscript {
    /// The transcript content, when the client provided it.
    pub fn provided(&self) -> Option<&TranscriptInput> {
        match self {
            UploadTranscript::Provided(t) => Some(t),
            UploadTranscript::Hints(_) => None,
        }
    }

    pub fn language(&self) -> Option<&str> {
        match self {
            UploadTranscript::Provided(t) => t.language.as_deref(),
            UploadTranscript::Hints(h) => h.language.as_deref(),
        }
    }

    pub fn agent_channel(&self) -> Option<i64> {
        match self {
            UploadTranscript::Provided(t) => t.agent_channel,
            UploadTranscript::Hints(h) => h.agent_channel,
        }
    }
}

/// A validated `email` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailInput {
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub thread_id: Option<String>,
    pub source_id: Option<String>,
    pub time_to_reply: Option<i64>,
    pub is_reply: Option<bool>,
}

/// The `processing` flags of an upload response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processing {
    pub transcription: bool,
    pub evaluation: bool,
}

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

/// A background job to enqueue in the same transaction as the upload.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub id: String,
    /// Imperative noun: `FetchMedia`, `Transcribe`, `Evaluate`, ...
    pub kind: String,
    pub interaction_id: Option<String>,
    pub payload: serde_json::Value,
}

impl NewJob {
    /// A job with a fresh id.
    pub fn new(
        kind: impl Into<String>,
        interaction_id: Option<String>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            id: crate::ids::new_id(),
            kind: kind.into(),
            interaction_id,
            payload,
        }
    }
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub credits: i64,
    pub created_at: OffsetDateTime,
}

/// An API token as listed: never the secret.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A user as needed for login and JWT checks.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub password_hash: String,
}

/// A session access token (stored by hash).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub user_id: String,
    pub account_id: String,
    pub expires_at: OffsetDateTime,
}

/// A scorecard's editable fields. `sections` is validated JSON (see `scorecard` module).
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardFields {
    pub name: String,
    pub description: Option<String>,
    pub status: ScorecardStatus,
    pub prompt: Option<String>,
    pub model: Option<String>,
    pub passing_score: Option<f64>,
    pub sections: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub id: String,
    pub fields: ScorecardFields,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One row of the credit ledger. `amount` is signed: grants positive, charges negative.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    pub id: String,
    pub amount: i64,
    pub balance_after: i64,
    pub reason: String,
    pub interaction_id: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A stored evaluation (score submission).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRecord {
    pub score_submission_id: String,
    pub scorecard_id: String,
    pub status: EvaluationStatus,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
}

/// Media as stored on an interaction.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRecord {
    pub status: StepStatus,
    pub info: MediaInfo,
    pub error: Option<String>,
}

/// Transcript as stored on an interaction.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptRecord {
    pub status: StepStatus,
    pub source: Option<TranscriptSource>,
    pub text: Option<String>,
    pub language: Option<String>,
    pub agent_channel: Option<i64>,
    pub segments: Vec<Segment>,
    pub error: Option<String>,
    /// Engine and model that made an ENGINE transcript (`whisper.cpp` / `tiny.en`).
    pub engine: Option<String>,
    pub model: Option<String>,
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

/// Comparison for a metadata filter. Ordering comparisons apply to INT/FLOAT values only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetadataFilter {
    pub key: String,
    pub op: Comparison,
    pub value: MetadataValue,
}

/// Filters of `GET /api/v1/interactions`; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InteractionFilter {
    pub interaction_type: Option<InteractionType>,
    pub direction: Option<Direction>,
    /// Inclusive lower bound on the event time.
    pub from: Option<OffsetDateTime>,
    /// Exclusive upper bound on the event time.
    pub to: Option<OffsetDateTime>,
    /// Agent participant: its id or its sourceIdentifier.
    pub agent: Option<String>,
    /// Tag id or name (case-insensitive).
    pub tag: Option<String>,
    pub metadata: Vec<MetadataFilter>,
    /// Opaque cursor from a previous page (`nextCursor`).
    pub cursor: Option<String>,
    /// Page size, 1..=100.
    pub limit: u32,
}

/// One page of interactions, newest event first (ties broken by id, descending).
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionPage {
    pub data: Vec<InteractionRecord>,
    pub next_cursor: Option<String>,
}

/// A queued job, as the status endpoint and tests see it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}
