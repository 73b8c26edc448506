//! scorejar-stt: speech-to-text.
//!
//! Layers, from the job down:
//! - [`Transcriber`] takes a recording decoded to 16 kHz channels (`scorejar_media::decode`),
//!   transcribes each channel of a multi-channel call on its own (concurrently), labels the
//!   agent channel `Agent` and the others `Customer`, and merges the segments in time order.
//!   A mono recording gives unlabelled segments.
//! - A [`SpeechEngine`] transcribes one mono channel: the built-in whisper.cpp engine
//!   ([`whisper`]) or any OpenAI-compatible `/v1/audio/transcriptions` endpoint ([`remote`]).
//!
//! Heavy native dependencies (whisper.cpp) live here so the web layer never compiles them.

pub mod chunks;
pub mod engine;
pub mod lazy;
pub mod plan;
pub mod remote;
mod siblings;
mod transcriber;
pub mod vad;
pub mod wer;
pub mod whisper;

pub use engine::{ChannelRequest, ChannelTranscript, Siblings, SpeechEngine, SttError};
pub use lazy::LazyTranscriber;
pub use transcriber::{Hints, Transcriber, Transcript};
