//! Transcripts: words and segments (Whisper style), an upload's `transcript` object (provided
//! content or hints), and the transcript as stored on an interaction.

use serde::{Deserialize, Serialize};

use super::{StepStatus, TranscriptSource};

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
