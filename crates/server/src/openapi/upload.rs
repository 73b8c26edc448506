//! Schemas of `POST /api/v1/upload`: the payload as `scorejar_core::payload` parses it, and
//! the answer `routes/upload/accept.rs` builds. The parser reads untyped JSON (it has to report
//! the first bad field by its path), so these are mirrors: keep them in step with
//! `scorejar_core::payload` (limits from `payload::limits`, enums from `model`). The test
//! `tests/api/openapi_document.rs` uploads the documented example and checks real answers
//! against these schemas.

use utoipa::ToSchema;

/// The upload payload: a JSON body, or the `payload` part of a multipart upload. `null` is the
/// same as leaving an optional field out; unknown keys are ignored (except `file`, `media` and
/// `audio` holding a string: base64 media is refused).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = UploadPayload, rename_all = "camelCase", example = json!({
    "sourceIdentifier": "chat-12345",
    "direction": "INBOUND",
    "timestamp": "2026-06-23T14:30:00Z",
    "agent": { "name": "Jane", "email": "jane@example.com", "sourceIdentifier": "agent-7" },
    "customer": { "name": "Bob", "phone": "+15551234" },
    "customMetadata": { "disposition": "sale", "recordingConsent": true, "dealValue": 50000 },
    "transcript": { "text": "Agent: Hello\nCustomer: I need help with my order" }
}))]
pub struct UploadPayloadDoc {
    /// Your unique id for this interaction (the idempotency key), not blank, kept exactly as given.
    #[schema(
        example = "call-12345",
        min_length = 1,
        max_length = 255,
        pattern = r"\S"
    )]
    source_identifier: String,
    direction: DirectionDoc,
    /// When the interaction happened (RFC 3339 / ISO 8601; without an offset it is UTC).
    #[schema(value_type = String, format = DateTime, example = "2026-06-23T14:30:00Z")]
    timestamp: String,
    /// Omit to infer it (an `email` → EMAIL, media → AUDIO/VIDEO from the bytes, segments →
    /// AUDIO, short one-line text → SMS, other text → CHAT).
    interaction_type: Option<InteractionTypeDoc>,
    /// Milliseconds.
    #[schema(minimum = 0, format = Int64)]
    duration: Option<i64>,
    /// Public http(s) URL of the media (≤ 500 MB); private and internal hosts are refused.
    #[schema(
        format = "uri",
        max_length = 4096,
        example = "https://storage.example.com/calls/67890.mp4"
    )]
    download_url: Option<String>,
    agent: Option<ParticipantInputDoc>,
    customer: Option<ParticipantInputDoc>,
    /// Tag ids or names (each ≤ 255 characters) that already exist on the account; never created.
    #[schema(max_items = 100)]
    tags: Option<Vec<String>>,
    /// Filterable metadata: string (≤ 4,096 characters), boolean, integer or number values under
    /// keys of 1–64 characters; at most 100 keys.
    custom_metadata: Option<std::collections::BTreeMap<String, MetadataValueDoc>>,
    transcript: Option<TranscriptInputDoc>,
    email: Option<EmailInputDoc>,
    evaluation: Option<EvaluationInputDoc>,
}

#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
#[schema(as = Direction)]
pub enum DirectionDoc {
    INBOUND,
    OUTBOUND,
}

#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
#[schema(as = InteractionType)]
pub enum InteractionTypeDoc {
    AUDIO,
    VIDEO,
    CHAT,
    EMAIL,
    SMS,
}

/// A `customMetadata` value: its JSON type decides its stored type (STRING, BOOLEAN, INT, or
/// FLOAT for a non-integer number).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = MetadataValue)]
#[serde(untagged)]
pub enum MetadataValueDoc {
    String(String),
    Boolean(bool),
    Number(f64),
}

/// An agent or customer; matched to a stored participant by `sourceIdentifier`, then `email`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ParticipantInput, rename_all = "camelCase")]
pub struct ParticipantInputDoc {
    #[schema(max_length = 255)]
    name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    email: Option<String>,
    #[schema(max_length = 255)]
    phone: Option<String>,
    #[schema(max_length = 255)]
    source_identifier: Option<String>,
}

/// A transcript you already have (the transcript is then COMPLETED and not billed), or only
/// hints for the transcription of the media (`language`, `agentChannel`).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = TranscriptInput, rename_all = "camelCase")]
pub struct TranscriptInputDoc {
    /// Plain-text view, ≤ 2 MiB; derived from `segments` when absent.
    text: Option<String>,
    /// A language code such as `en` or `es` (or `english`, `spanish`).
    #[schema(example = "en")]
    language: Option<String>,
    /// The channel of the agent in a multi-channel recording.
    #[schema(minimum = 0)]
    agent_channel: Option<i64>,
    /// Whisper-style segments (at most 100,000; at most 1,000,000 words in all).
    #[schema(max_items = 100000)]
    segments: Option<Vec<SegmentInputDoc>>,
}

/// One segment; `start`/`end` in seconds, `end` ≥ `start` ≥ 0.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = SegmentInput)]
pub struct SegmentInputDoc {
    #[schema(minimum = 0)]
    start: f64,
    #[schema(minimum = 0)]
    end: f64,
    /// Used when `words` is absent.
    text: Option<String>,
    #[schema(minimum = 0)]
    channel: Option<i64>,
    #[schema(max_length = 64)]
    speaker: Option<String>,
    words: Option<Vec<WordInputDoc>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = WordInput)]
pub struct WordInputDoc {
    word: String,
    #[schema(minimum = 0)]
    start: f64,
    #[schema(minimum = 0)]
    end: f64,
}

/// An e-mail: `from` and at least one `to` address are required.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = EmailInput, rename_all = "camelCase")]
pub struct EmailInputDoc {
    #[schema(format = Email, max_length = 254)]
    from: String,
    #[schema(min_items = 1, max_items = 1000)]
    to: Vec<EmailAddressDoc>,
    #[schema(max_items = 1000)]
    cc: Option<Vec<EmailAddressDoc>>,
    #[schema(max_items = 1000)]
    bcc: Option<Vec<EmailAddressDoc>>,
    #[schema(max_length = 1000)]
    subject: Option<String>,
    /// ≤ 2 MiB.
    body: Option<String>,
    #[schema(max_length = 1000)]
    thread_id: Option<String>,
    #[schema(max_length = 1000)]
    source_id: Option<String>,
    /// Seconds.
    #[schema(minimum = 0)]
    time_to_reply: Option<i64>,
    is_reply: Option<bool>,
}

/// An e-mail address (`local@domain`, ≤ 254 characters).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = EmailAddress, format = Email, pattern = r".@.")]
pub struct EmailAddressDoc(String);

/// Queue an AI evaluation against an ACTIVE scorecard of the account.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = EvaluationInput, rename_all = "camelCase")]
pub struct EvaluationInputDoc {
    #[schema(min_length = 1, max_length = 255)]
    scorecard_id: String,
}

/// The answer to an upload (also to a repeated `sourceIdentifier`, then with `duplicate`).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = UploadResponse, rename_all = "camelCase")]
pub struct UploadResponseDoc {
    success: bool,
    interaction_id: String,
    interaction_type: InteractionTypeDoc,
    /// `/api/v1/interactions/{interactionId}`: poll it for the results.
    status_url: String,
    processing: UploadProcessingDoc,
    /// Set when an evaluation was queued.
    score_submission_id: Option<String>,
    warnings: Vec<String>,
    /// True when this `sourceIdentifier` was uploaded before: the original answer, nothing written.
    duplicate: bool,
}

/// Which work the upload queued.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = UploadProcessing)]
pub struct UploadProcessingDoc {
    transcription: bool,
    evaluation: bool,
}

/// A multipart upload: the media file and the payload.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = UploadMultipart)]
pub struct UploadMultipartDoc {
    /// The raw audio or video bytes (≤ the request limit, 32 MiB by default).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The `UploadPayload` as a JSON string.
    payload: String,
}
