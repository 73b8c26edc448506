//! The [`Shape`] of an upload payload: what `parse_upload` reads. Everything else in the body
//! is skipped while parsing (`crate::json`), so unknown fields cost no memory, and the arrays
//! and maps are cut off at their limits (`limits.rs`) before they are built.
//!
//! Keep this in step with the parsers beside it: a key they read that is missing here would be
//! dropped before they see it (`tests.rs` has a payload using every field).

use super::limits::{MAX_EMAIL_RECIPIENTS, MAX_METADATA_KEYS, MAX_SEGMENTS, MAX_TAGS, MAX_WORDS};
use super::metadata::too_many_keys;
use crate::json::{Shape, Unknown};

const S: Shape = Shape::Scalar;

const PARTICIPANT: Shape = Shape::Object {
    fields: &[
        ("name", S),
        ("email", S),
        ("phone", S),
        ("sourceIdentifier", S),
    ],
    unknown: Unknown::Skip,
};

const WORD: Shape = Shape::Object {
    fields: &[("word", S), ("start", S), ("end", S)],
    unknown: Unknown::Skip,
};

const SEGMENT: Shape = Shape::Object {
    fields: &[
        ("channel", S),
        ("speaker", S),
        ("text", S),
        ("start", S),
        ("end", S),
        (
            "words",
            Shape::Array {
                items: &WORD,
                max: MAX_WORDS,
            },
        ),
    ],
    unknown: Unknown::Skip,
};

const TRANSCRIPT: Shape = Shape::Object {
    fields: &[
        ("text", S),
        ("language", S),
        ("agentChannel", S),
        (
            "segments",
            Shape::Array {
                items: &SEGMENT,
                max: MAX_SEGMENTS,
            },
        ),
    ],
    unknown: Unknown::Skip,
};

const ADDRESSES: Shape = Shape::Array {
    items: &S,
    max: MAX_EMAIL_RECIPIENTS,
};

const EMAIL: Shape = Shape::Object {
    fields: &[
        ("from", S),
        ("to", ADDRESSES),
        ("cc", ADDRESSES),
        ("bcc", ADDRESSES),
        ("subject", S),
        ("body", S),
        ("threadId", S),
        ("sourceId", S),
        ("timeToReply", S),
        ("isReply", S),
    ],
    unknown: Unknown::Skip,
};

/// `evaluation` names its unknown keys in the error, so they are kept (their values are not).
const EVALUATION: Shape = Shape::Object {
    fields: &[("scorecardId", S)],
    unknown: Unknown::KeepKey,
};

/// The whole upload payload.
pub const UPLOAD: Shape = Shape::Object {
    fields: &[
        ("sourceIdentifier", S),
        ("direction", S),
        ("timestamp", S),
        ("interactionType", S),
        ("duration", S),
        ("downloadUrl", S),
        ("agent", PARTICIPANT),
        ("customer", PARTICIPANT),
        (
            "tags",
            Shape::Array {
                items: &S,
                max: MAX_TAGS,
            },
        ),
        (
            "customMetadata",
            Shape::Map {
                values: &S,
                max_keys: MAX_METADATA_KEYS,
                too_many: too_many_keys,
            },
        ),
        ("transcript", TRANSCRIPT),
        ("email", EMAIL),
        ("evaluation", EVALUATION),
        // Only to refuse base64 media with a clear message (`reject_base64_media`).
        ("file", S),
        ("media", S),
        ("audio", S),
    ],
    unknown: Unknown::Skip,
};
