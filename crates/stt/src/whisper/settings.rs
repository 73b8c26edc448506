//! Settings of the built-in engine.

use crate::chunks::PackLimits;
use crate::vad::VadSettings;
use std::path::PathBuf;

/// How tokens are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Most likely token each step (fastest).
    Greedy,
    /// Beam search of this width (slower, usually more accurate).
    Beam(usize),
}

#[derive(Debug, Clone)]
pub struct WhisperSettings {
    /// A ggml model file (`scorejar models install` writes them under `<data>/models`).
    pub model_path: PathBuf,
    /// Name stored with transcripts (`tiny.en`, `base-q8_0`).
    pub model_name: String,
    /// CPU threads for one transcription (divided among the channels of a call).
    pub threads: usize,
    pub sampling: Sampling,
    /// whisper.cpp's flash attention. Off by default: ggml's CPU flash-attention kernel is
    /// slower than its matrix kernels, and the dev set came out as accurate without it.
    pub flash_attention: bool,
    /// Each pass is encoded at its audio's own length (rounded for the fast kernels) instead of
    /// padded to 30 s: the encoder's cost follows the audio.
    pub fit_audio_ctx: bool,
    /// A segment whose no-speech probability is above this *and* whose tokens are unlikely
    /// (mean log-probability below `logprob_threshold`) is dropped as invented.
    pub no_speech_threshold: f32,
    pub logprob_threshold: f32,
    pub vad: VadSettings,
    pub pack: PackLimits,
}

impl WhisperSettings {
    /// Defaults for `model_path`, with `threads` CPU threads per transcription.
    pub fn new(model_path: PathBuf, model_name: impl Into<String>, threads: usize) -> Self {
        Self {
            model_path,
            model_name: model_name.into(),
            threads: threads.max(1),
            sampling: Sampling::Beam(5),
            flash_attention: false,
            fit_audio_ctx: true,
            no_speech_threshold: 0.6,
            logprob_threshold: -1.0,
            vad: VadSettings::default(),
            pack: PackLimits::default(),
        }
    }
}
