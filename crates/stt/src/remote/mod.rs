//! The remote engine: any OpenAI-compatible `/v1/audio/transcriptions` endpoint (OpenAI, Groq,
//! a self-hosted faster-whisper or whisper.cpp server).
//!
//! A channel is sent as 16 kHz mono 16-bit WAV with `response_format=verbose_json` and segment
//! and word timestamps. A channel whose WAV would exceed the provider's upload limit is cut into
//! pieces at pauses ([`split`]); the pieces are sent concurrently (bounded by the engine's
//! shared `concurrency`), their times moved by each piece's start, and concatenated in order.
//!
//! Layout: [`settings`] (configuration, key redaction), [`wav`] (encoding), [`split`] (where to
//! cut), `client` (the HTTP request and its retries), [`retry`] (when and how long to wait),
//! [`response`] (reading `verbose_json`), [`language`] (names to codes), `provider_error`.

mod client;
pub mod language;
mod provider_error;
pub mod response;
pub mod retry;
pub mod settings;
pub mod split;
pub mod wav;

pub use settings::{RemoteSettings, OPENAI_MAX_UPLOAD_BYTES};

use crate::engine::{ChannelRequest, ChannelTranscript, SpeechEngine, SttError};
use async_trait::async_trait;
use client::Client;
use futures::{StreamExt, TryStreamExt};
use scorejar_media::PcmChannel;
use split::Piece;

/// Name stored with transcripts made by this engine.
pub const ENGINE_NAME: &str = "openai-compatible";

/// Shortest channel worth sending: providers refuse files under 0.1 s, and nothing can be said
/// in less.
const MIN_CHANNEL_SAMPLES: u64 = wav::SAMPLE_RATE as u64 / 10;

/// Transcribes channels through an OpenAI-compatible endpoint. Cheap to share: one engine (one
/// connection pool, one concurrency limit) serves every job of a worker.
pub struct RemoteEngine {
    client: Client,
    model: String,
    max_piece_samples: u64,
    concurrency: usize,
}

impl RemoteEngine {
    /// Checks `settings` and builds the engine (no request is made).
    pub fn new(settings: RemoteSettings) -> anyhow::Result<Self> {
        let url = settings.validate()?;
        Ok(Self {
            client: Client::new(&settings, url)?,
            model: settings.model.clone(),
            max_piece_samples: wav::max_samples_within(settings.max_upload_bytes),
            concurrency: settings.concurrency,
        })
    }

    async fn transcribe_piece(
        &self,
        audio: &PcmChannel,
        piece: Piece,
        language: Option<&str>,
    ) -> Result<response::PieceTranscript, SttError> {
        // A bounded local read (one piece, at most the upload limit twice over as f32); small
        // enough not to need a blocking thread.
        let samples = audio
            .read(piece.start, piece.len as usize)
            .map_err(|e| SttError::Retryable(format!("reading the decoded audio failed: {e}")))?;
        let wav = bytes::Bytes::from(wav::encode_wav(&samples));
        drop(samples);
        let body = self.client.transcribe(wav, language).await?;
        let mut heard = response::parse_verbose_json(&body, piece.duration_secs())
            .map_err(SttError::Permanent)?;
        response::shift(&mut heard.segments, piece.start_secs());
        tracing::debug!(
            start_secs = piece.start_secs(),
            duration_secs = piece.duration_secs(),
            segments = heard.segments.len(),
            "remote transcription of a piece done"
        );
        Ok(heard)
    }
}

#[async_trait]
impl SpeechEngine for RemoteEngine {
    fn engine(&self) -> &str {
        ENGINE_NAME
    }

    fn model(&self) -> &str {
        &self.model
    }

    /// The provider decides which languages it can transcribe; any hint is passed on.
    fn check_language(&self, _language: Option<&str>) -> Result<(), SttError> {
        Ok(())
    }

    async fn transcribe_channel(
        &self,
        request: ChannelRequest<'_>,
    ) -> Result<ChannelTranscript, SttError> {
        let audio = request.audio;
        if audio.len() < MIN_CHANNEL_SAMPLES {
            return Ok(ChannelTranscript {
                segments: Vec::new(),
                language: request.language.map(str::to_string),
            });
        }
        let pieces = split::plan_pieces(audio.len(), self.max_piece_samples, |start, count| {
            audio.read(start, count)
        })
        .map_err(|e| SttError::Retryable(format!("reading the decoded audio failed: {e}")))?;
        // `buffered` keeps the pieces in order and bounds how many are read into memory at once.
        let heard: Vec<response::PieceTranscript> = futures::stream::iter(pieces)
            .map(|piece| self.transcribe_piece(audio, piece, request.language))
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        let detected = heard.iter().find_map(|piece| piece.language.clone());
        Ok(ChannelTranscript {
            segments: heard.into_iter().flat_map(|piece| piece.segments).collect(),
            language: detected.or_else(|| request.language.map(str::to_string)),
        })
    }
}
