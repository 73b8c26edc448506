//! The engine boundary: one mono channel in, timed segments out.

use async_trait::async_trait;
use scorejar_core::model::Segment;
use scorejar_media::PcmChannel;
use std::sync::Arc;

pub use crate::siblings::Siblings;

/// Why a transcription failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SttError {
    /// Worth another attempt (a remote engine's 5xx or timeout, a busy machine).
    #[error("{0}")]
    Retryable(String),
    /// Will fail the same way every time (undecodable audio, a language the model cannot
    /// transcribe, a rejected request).
    #[error("{0}")]
    Permanent(String),
    /// The engine cannot run until an operator acts (a model not installed while installing
    /// on first need is off): the job waits, spending no attempt.
    #[error("{0}")]
    NotReady(String),
}

/// One channel to transcribe.
#[derive(Debug, Clone)]
pub struct ChannelRequest<'a> {
    /// 16 kHz mono samples.
    pub audio: &'a PcmChannel,
    /// Lower-case language hint (`en`, `es`); `None` lets the engine detect it.
    pub language: Option<&'a str>,
    /// The channels of the recording transcribed at the same time, this one included (a CPU
    /// engine plans their windows together and shares its threads among them).
    pub siblings: Arc<Siblings>,
}

/// What an engine heard on one channel. Segment times are seconds from the channel's start;
/// `channel` and `speaker` are left `None` (the [`crate::Transcriber`] labels them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelTranscript {
    pub segments: Vec<Segment>,
    /// The language spoken (given or detected), lower-case.
    pub language: Option<String>,
}

#[async_trait]
pub trait SpeechEngine: Send + Sync {
    /// Engine name stored with the transcript (`whisper.cpp`, `openai-compatible`).
    fn engine(&self) -> &str;

    /// Model name stored with the transcript (`tiny.en`, `whisper-1`).
    fn model(&self) -> &str;

    /// Refuses a language hint the engine cannot honour (an English-only model asked for
    /// Spanish) before any work is done.
    fn check_language(&self, language: Option<&str>) -> Result<(), SttError>;

    /// Transcribes one channel.
    async fn transcribe_channel(
        &self,
        request: ChannelRequest<'_>,
    ) -> Result<ChannelTranscript, SttError>;
}
