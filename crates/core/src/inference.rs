//! Which kind of interaction an upload is, following the reference's order:
//!
//! 1. an `email` object → EMAIL;
//! 2. a media file or a `downloadUrl` → AUDIO or VIDEO from the sniffed bytes (a `downloadUrl`
//!    not sniffed yet → AUDIO);
//! 3. a provided transcript with segments → AUDIO;
//! 4. plain provided transcript text → SMS when it is at most 320 characters (Unicode scalar
//!    values, not bytes) and has no line break (`\n` or `\r`), otherwise CHAT — the text is
//!    taken as given, so a trailing newline makes it CHAT;
//! 5. nothing → 400 `undeterminable_type`.
//!
//! A transcript of hints only (`language`/`agentChannel`) is not content: it never decides the
//! type, and without a media file or `downloadUrl` to transcribe it is refused first, as
//! `transcript` without text or segments (400 `invalid_field` on `transcript`, whatever the type).
//!
//! An explicit `interactionType` is honoured as given (explicit AUDIO with a video file stays
//! AUDIO, and the reverse), but its content must be there, else 400 `missing_content`:
//! CHAT/SMS need a provided transcript (text or segments), AUDIO/VIDEO a file, a `downloadUrl`
//! or a provided transcript, EMAIL an `email` object.
//! CHAT, SMS and EMAIL cannot carry media: a media file or `downloadUrl` with one of them —
//! explicit, or EMAIL inferred from an `email` object — is a 400 `conflicting_content`.

use crate::error::ApiError;
use crate::model::{InteractionType, UploadTranscript};
use crate::payload::transcript::missing_content;
use crate::payload::UploadPayload;

/// Longest text (in characters) that is still an SMS.
pub const SMS_MAX_CHARS: usize = 320;

/// What the media's bytes showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Audio,
    Video,
}

impl MediaKind {
    pub fn interaction_type(self) -> InteractionType {
        match self {
            MediaKind::Audio => InteractionType::Audio,
            MediaKind::Video => InteractionType::Video,
        }
    }
}

/// The interaction type of `payload`. `media` is what the uploaded file's bytes (or the first
/// bytes behind `downloadUrl`) showed; `None` when there is no file and the URL (if any) has
/// not been looked at.
pub fn infer_type(
    payload: &UploadPayload,
    media: Option<MediaKind>,
) -> Result<InteractionType, ApiError> {
    let has_media = media.is_some() || payload.download_url.is_some();
    if matches!(payload.transcript, Some(UploadTranscript::Hints(_))) && !has_media {
        return Err(missing_content("transcript"));
    }
    match payload.interaction_type {
        Some(explicit) => {
            check_no_conflict(explicit, has_media, true)?;
            check_content(explicit, payload, has_media)?;
            Ok(explicit)
        }
        None => {
            let inferred = infer(payload, media)?;
            check_no_conflict(inferred, has_media, false)?;
            Ok(inferred)
        }
    }
}

/// True when `text` counts as an SMS: at most [`SMS_MAX_CHARS`] characters, one line.
pub fn is_sms_text(text: &str) -> bool {
    text.chars().take(SMS_MAX_CHARS + 1).count() <= SMS_MAX_CHARS && !text.contains(['\n', '\r'])
}

fn infer(payload: &UploadPayload, media: Option<MediaKind>) -> Result<InteractionType, ApiError> {
    if payload.email.is_some() {
        return Ok(InteractionType::Email);
    }
    if let Some(kind) = media {
        return Ok(kind.interaction_type());
    }
    if payload.download_url.is_some() {
        return Ok(InteractionType::Audio);
    }
    match payload.provided_transcript() {
        Some(t) if !t.segments.is_empty() => Ok(InteractionType::Audio),
        Some(t) if is_sms_text(&t.text) => Ok(InteractionType::Sms),
        Some(_) => Ok(InteractionType::Chat),
        None => Err(ApiError::bad_request(
            "undeterminable_type",
            "cannot determine the interaction type: the upload has no `email` object, media \
             file, `downloadUrl` or `transcript`; set `interactionType` explicitly \
             (AUDIO, VIDEO, CHAT, EMAIL or SMS)",
        )
        .with_field("interactionType")),
    }
}

fn check_no_conflict(
    kind: InteractionType,
    has_media: bool,
    explicit: bool,
) -> Result<(), ApiError> {
    let textual = matches!(
        kind,
        InteractionType::Chat | InteractionType::Sms | InteractionType::Email
    );
    if !(textual && has_media) {
        return Ok(());
    }
    let (field, what) = if explicit {
        (
            "interactionType",
            format!("`interactionType` is \"{kind}\""),
        )
    } else {
        ("email", "the upload has an `email` object".to_string())
    };
    Err(ApiError::bad_request(
        "conflicting_content",
        format!(
            "{what} but also a media file or `downloadUrl`; CHAT, SMS and EMAIL interactions \
             cannot carry audio or video (use AUDIO or VIDEO, or drop the media)"
        ),
    )
    .with_field(field))
}

fn check_content(
    kind: InteractionType,
    payload: &UploadPayload,
    has_media: bool,
) -> Result<(), ApiError> {
    let (present, needs) = match kind {
        InteractionType::Chat | InteractionType::Sms => (
            payload.provided_transcript().is_some(),
            "a `transcript` with `text` (or `segments`)",
        ),
        InteractionType::Audio | InteractionType::Video => (
            has_media || payload.provided_transcript().is_some(),
            "a media file, a `downloadUrl` or a `transcript`",
        ),
        InteractionType::Email => (payload.email.is_some(), "an `email` object"),
    };
    if present {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "missing_content",
        format!("`interactionType` is \"{kind}\", which needs {needs}, but the upload has none"),
    )
    .with_field("interactionType"))
}

#[cfg(test)]
#[path = "inference_tests.rs"]
mod tests;
