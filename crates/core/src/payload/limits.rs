//! Size limits of an upload payload, in one place so `docs/api.md` can list them. They are
//! generous on purpose: they exist to bound memory and storage per request, not to shape usage.
//! Character limits count Unicode scalar values; byte limits count UTF-8 bytes.

/// `sourceIdentifier`, in characters.
pub const MAX_SOURCE_IDENTIFIER_CHARS: usize = 255;
/// Entries of `tags`.
pub const MAX_TAGS: usize = 100;
/// One tag reference (an id or a name), in characters.
pub const MAX_TAG_CHARS: usize = 255;
/// Keys of `customMetadata`.
pub const MAX_METADATA_KEYS: usize = 100;
/// One `customMetadata` key, in characters (at least 1).
pub const MAX_METADATA_KEY_CHARS: usize = 64;
/// One string value of `customMetadata`, in characters.
pub const MAX_METADATA_STRING_CHARS: usize = 4096;
/// `name`, `phone` and `sourceIdentifier` of `agent`/`customer`, in characters.
pub const MAX_PARTICIPANT_FIELD_CHARS: usize = 255;
/// An e-mail address, in characters (RFC 5321 path limit).
pub const MAX_EMAIL_ADDRESS_CHARS: usize = 254;
/// `transcript.text` (given or derived), and separately the sum of all segment and word texts,
/// in bytes: 2 MiB, about 20 hours of speech.
pub const MAX_TRANSCRIPT_TEXT_BYTES: usize = 2 * 1024 * 1024;
/// Entries of `transcript.segments`.
pub const MAX_SEGMENTS: usize = 100_000;
/// Words over all segments of one transcript.
pub const MAX_WORDS: usize = 1_000_000;
/// A segment's `speaker`, in characters.
pub const MAX_SPEAKER_CHARS: usize = 64;
/// Addresses in each of `email.to`, `email.cc`, `email.bcc`.
pub const MAX_EMAIL_RECIPIENTS: usize = 1000;
/// `email.subject`, in characters.
pub const MAX_EMAIL_SUBJECT_CHARS: usize = 1000;
/// `email.threadId` and `email.sourceId`, in characters (a Message-ID fits).
pub const MAX_EMAIL_ID_CHARS: usize = 1000;
/// `email.body`, in bytes.
pub const MAX_EMAIL_BODY_BYTES: usize = 2 * 1024 * 1024;
/// `evaluation.scorecardId`, in characters.
pub const MAX_SCORECARD_ID_CHARS: usize = 255;
pub use super::url::{MAX_DOWNLOAD_URL_LEN, MAX_HOST_LEN};
