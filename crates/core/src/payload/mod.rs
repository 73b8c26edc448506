//! The upload payload of `POST /api/v1/upload`, parsed into typed values at the edge
//! ("parse, don't validate"): once a [`UploadPayload`] exists, every field in it is valid.
//!
//! Rules that are not obvious from the types:
//! - The body must be a JSON object. Unknown top-level keys are ignored (forward
//!   compatibility), except `file`, `media` and `audio` holding a string: base64 media in JSON
//!   is rejected with `base64_media_not_supported`, pointing to multipart or `downloadUrl`.
//! - For every optional field, `null` is the same as leaving the key out.
//! - Fields are checked in a fixed order (the order of [`UploadPayload`]'s fields) and the first
//!   problem is reported, so the same bad request always gets the same answer.
//! - Size limits are in [`limits`].

mod email;
pub(crate) mod fields;
pub mod limits;
mod metadata;
mod participants;
pub mod shape;
mod timestamp;
pub mod transcript;
mod url;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::model::{
    Direction, EmailInput, InteractionType, MetadataValue, ParticipantInput, TranscriptInput,
    UploadTranscript,
};
use fields::{
    as_array, as_non_negative_int, as_object, as_str, check_max_chars, check_max_items, index,
    is_blank, optional, optional_enum, parse_enum, quote, required, required_text, wrong,
};
use limits::{MAX_SCORECARD_ID_CHARS, MAX_SOURCE_IDENTIFIER_CHARS, MAX_TAGS, MAX_TAG_CHARS};

pub use email::is_valid_email;
pub use metadata::{check_metadata_key, metadata_value_from_json};
pub use timestamp::parse_timestamp;
pub use url::check_download_url;

/// Top-level keys that, holding a string, mean someone tried to send base64 media in JSON.
pub const BASE64_MEDIA_FIELDS: [&str; 3] = ["file", "media", "audio"];

/// A validated upload. JSON names: `sourceIdentifier`, `direction`, `timestamp`,
/// `interactionType`, `duration`, `downloadUrl`, `agent`, `customer`, `tags`, `customMetadata`,
/// `transcript`, `email`, `evaluation.scorecardId`.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadPayload {
    /// The client's unique id for the interaction: not blank, at most 255 characters, kept
    /// exactly as given (no trimming: it is an idempotency key).
    pub source_identifier: String,
    pub direction: Direction,
    /// `timestamp`: when the interaction happened, normalised to UTC.
    pub occurred_at: OffsetDateTime,
    /// Explicit type, exact spelling; `None` means "infer" (see `inference`).
    pub interaction_type: Option<InteractionType>,
    /// `duration`, in milliseconds.
    pub duration_ms: Option<i64>,
    /// Syntactically valid http(s) URL; reachability and SSRF are checked later.
    pub download_url: Option<String>,
    pub agent: Option<ParticipantInput>,
    pub customer: Option<ParticipantInput>,
    /// Tag ids or names, duplicates removed (first occurrence kept), otherwise as given.
    pub tags: Vec<String>,
    /// In the parsed map's order (alphabetical by key unless serde_json's `preserve_order`).
    pub custom_metadata: Vec<(String, MetadataValue)>,
    /// Provided content, or hints only (valid with media only: `inference` checks that, since
    /// a multipart file is not part of the payload).
    pub transcript: Option<UploadTranscript>,
    pub email: Option<EmailInput>,
    /// `evaluation.scorecardId`.
    pub evaluation: Option<String>,
}

impl UploadPayload {
    /// The transcript content the client provided; `None` when absent or hints only.
    pub fn provided_transcript(&self) -> Option<&TranscriptInput> {
        self.transcript
            .as_ref()
            .and_then(UploadTranscript::provided)
    }
}

/// Reads an upload body (or `payload` part) from its bytes: only the fields [`shape::UPLOAD`]
/// names are built (see `crate::json`), every kept string passes the NUL rule. Then
/// [`parse_upload`] validates the result. `what` names the body in messages.
pub fn read_upload_json(bytes: &[u8], what: &str) -> Result<Value, ApiError> {
    crate::json::parse(bytes, &shape::UPLOAD, what)
}

/// Parses and validates an upload body (or the `payload` part of a multipart upload).
pub fn parse_upload(value: &Value) -> Result<UploadPayload, ApiError> {
    let Some(obj) = value.as_object() else {
        return Err(ApiError::bad_request(
            "invalid_json",
            format!(
                "the upload payload must be a JSON object, got {}",
                fields::describe(value)
            ),
        ));
    };
    reject_base64_media(obj)?;

    let source_identifier = required_text(
        obj,
        "sourceIdentifier",
        "sourceIdentifier",
        MAX_SOURCE_IDENTIFIER_CHARS,
    )?;
    let direction = parse_enum(
        required(obj, "direction", "direction")?,
        "direction",
        Direction::ALL,
        Direction::as_str,
    )?;
    let occurred_at = parse_occurred_at(required(obj, "timestamp", "timestamp")?)?;
    let interaction_type = optional_enum(
        obj,
        "interactionType",
        "interactionType",
        InteractionType::ALL,
        InteractionType::as_str,
    )?;
    let duration_ms = optional(obj, "duration")
        .map(|v| as_non_negative_int(v, "duration"))
        .transpose()?;
    let download_url = optional(obj, "downloadUrl")
        .map(parse_download_url)
        .transpose()?;
    let agent = participant(obj, "agent")?;
    let customer = participant(obj, "customer")?;
    let tags = match optional(obj, "tags") {
        Some(v) => parse_tags(v)?,
        None => Vec::new(),
    };
    let custom_metadata = match optional(obj, "customMetadata") {
        Some(v) => metadata::parse_custom_metadata(v, "customMetadata")?,
        None => Vec::new(),
    };
    let transcript = optional(obj, "transcript")
        .map(|v| transcript::parse_transcript(v, "transcript"))
        .transpose()?;
    let email = optional(obj, "email")
        .map(|v| email::parse_email(v, "email"))
        .transpose()?;
    let evaluation = optional(obj, "evaluation")
        .map(parse_evaluation)
        .transpose()?;

    Ok(UploadPayload {
        source_identifier,
        direction,
        occurred_at,
        interaction_type,
        duration_ms,
        download_url,
        agent,
        customer,
        tags,
        custom_metadata,
        transcript,
        email,
        evaluation,
    })
}

fn reject_base64_media(obj: &Map<String, Value>) -> Result<(), ApiError> {
    for key in BASE64_MEDIA_FIELDS {
        if matches!(obj.get(key), Some(Value::String(_))) {
            return Err(ApiError::bad_request(
                "base64_media_not_supported",
                format!(
                    "`{key}`: base64-encoded media in the JSON body is not supported; send the \
                     file as multipart/form-data (parts `file` and `payload`) or pass a `downloadUrl`"
                ),
            )
            .with_field(key));
        }
    }
    Ok(())
}

fn parse_occurred_at(value: &Value) -> Result<OffsetDateTime, ApiError> {
    value.as_str().and_then(parse_timestamp).ok_or_else(|| {
        wrong(
            "timestamp",
            "an ISO 8601 date-time string such as \"2026-06-23T14:30:00Z\"",
            value,
        )
    })
}

fn parse_download_url(value: &Value) -> Result<String, ApiError> {
    let url = as_str(value, "downloadUrl")?;
    check_download_url(url).map_err(|reason| {
        ApiError::invalid(
            "downloadUrl",
            format!("`downloadUrl` {reason}, got {}", quote(url)),
        )
    })?;
    Ok(url.to_string())
}

fn participant(obj: &Map<String, Value>, key: &str) -> Result<Option<ParticipantInput>, ApiError> {
    match optional(obj, key) {
        Some(v) => participants::parse_participant(v, key),
        None => Ok(None),
    }
}

fn parse_tags(value: &Value) -> Result<Vec<String>, ApiError> {
    let items = as_array(value, "tags")?;
    check_max_items(items, MAX_TAGS, "tags")?;
    let mut tags: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = index("tags", i);
        let tag = as_str(item, &path)?;
        if is_blank(tag) {
            return Err(ApiError::invalid(
                &path,
                format!("`{path}` must not be empty"),
            ));
        }
        check_max_chars(tag, MAX_TAG_CHARS, &path)?;
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    Ok(tags)
}

fn parse_evaluation(value: &Value) -> Result<String, ApiError> {
    let obj = as_object(value, "evaluation")?;
    if let Some(other) = obj.keys().find(|k| k.as_str() != "scorecardId") {
        let path = format!("evaluation.{other}");
        return Err(ApiError::invalid(
            &path,
            format!(
                "`{path}` is not supported: `evaluation` only accepts `scorecardId` \
                 (AI evaluations; human-evaluator assignment is not available)"
            ),
        ));
    }
    required_text(
        obj,
        "scorecardId",
        "evaluation.scorecardId",
        MAX_SCORECARD_ID_CHARS,
    )
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
