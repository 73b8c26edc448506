//! The engine boundary: one mono channel in, timed segments out.

use async_trait::async_trait;
use scorejar_core::model::Segment;
use scorejar_media::PcmChannel;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
}

/// One channel to transcribe.
#[derive(Debug, Clone)]
pub struct ChannelRequest<'a> {
    /// 16 kHz mono samples.
    pub audio: &'a PcmChannel,
    /// Lower-case language hint (`en`, `es`); `None` lets the engine detect it.
    pub language: Option<&'a str>,
    /// The channels of the recording transcribed at the same time, this one included (a CPU
    /// engine divides its threads among those still running).
    pub siblings: Arc<Siblings>,
}

/// The channels of one recording being transcribed together. When one side of a call is
/// done, a CPU engine gives its threads to the sides still running from their next window
/// on, so a call whose agent talks twice as long as its customer still uses every core.
#[derive(Debug)]
pub struct Siblings {
    running: AtomicUsize,
}

impl Siblings {
    pub fn new(channels: usize) -> Arc<Self> {
        Arc::new(Self {
            running: AtomicUsize::new(channels.max(1)),
        })
    }

    /// A channel transcribed on its own.
    pub fn alone() -> Arc<Self> {
        Self::new(1)
    }

    /// Channels still being transcribed (at least 1: the one asking).
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire).max(1)
    }

    /// One channel is done.
    pub fn finished(&self) {
        let _ = self
            .running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }
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

#[cfg(test)]
mod tests {
    use super::Siblings;

    #[test]
    fn siblings_count_down_to_the_last_channel() {
        // (channels, finished, running): a channel asking always counts itself.
        for (channels, finished, want) in [
            (2, 0, 2),
            (2, 1, 1),
            (2, 2, 1),
            (3, 1, 2),
            (0, 0, 1),
            (1, 5, 1),
        ] {
            let siblings = Siblings::new(channels);
            for _ in 0..finished {
                siblings.finished();
            }
            assert_eq!(
                siblings.running(),
                want,
                "{channels} channels, {finished} finished"
            );
        }
    }
}
