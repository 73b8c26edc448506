//! The built-in engine: whisper.cpp through `whisper-rs`, on the CPU.
//!
//! One channel at a time: VAD finds where somebody speaks ([`crate::vad`]), the speech is
//! packed into windows just under 30 s ([`crate::chunks`]), each window is read from the
//! decoded channel on disk and transcribed, and the segment and word times are mapped back to
//! the recording. Silence never reaches the model (no invented text on a quiet channel), and
//! memory is one window of samples plus the model whatever the recording's length.
//!
//! The model is loaded once per process and shared; each transcription gets its own
//! `WhisperState` (whisper.cpp's per-call buffers), so several run at once.

mod heap;
mod run;
mod settings;

pub use settings::{Sampling, WhisperSettings};

use crate::chunks::{packings, split_long, Window};
use crate::engine::{ChannelRequest, ChannelTranscript, SpeechEngine, SttError};
use crate::vad::{speech_regions, EnergyMeter};
use async_trait::async_trait;
use scorejar_media::PcmReader;
use std::sync::Arc;
use whisper_rs::{WhisperContext, WhisperContextParameters};

/// Samples read from disk at a time while measuring a channel's energy.
const MEASURE_BLOCK: usize = 16_000 * 10;

pub struct WhisperEngine {
    context: Arc<WhisperContext>,
    settings: WhisperSettings,
    multilingual: bool,
}

impl WhisperEngine {
    /// Loads the ggml model named by `settings.model_path`.
    pub fn load(settings: WhisperSettings) -> Result<Self, SttError> {
        let path = settings.model_path.to_str().ok_or_else(|| {
            SttError::Permanent(format!(
                "model path {} is not valid UTF-8",
                settings.model_path.display()
            ))
        })?;
        if !settings.model_path.is_file() {
            return Err(SttError::Permanent(format!(
                "whisper model file {} does not exist (install one with `scorejar models install tiny.en`)",
                settings.model_path.display()
            )));
        }
        silence_native_logs();
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false).flash_attn(settings.flash_attention);
        let context = WhisperContext::new_with_params(path, params).map_err(|e| {
            SttError::Permanent(format!(
                "loading whisper model {}: {e}",
                settings.model_path.display()
            ))
        })?;
        let multilingual = context.is_multilingual();
        Ok(Self {
            context: Arc::new(context),
            settings,
            multilingual,
        })
    }

    pub fn is_multilingual(&self) -> bool {
        self.multilingual
    }

    pub fn settings(&self) -> &WhisperSettings {
        &self.settings
    }
}

/// whisper.cpp prints model and timing details to stderr on every call; route them to
/// `tracing` instead (once per process).
fn silence_native_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("SCOREJAR_WHISPER_NATIVE_LOG").is_none() {
        ONCE.call_once(whisper_rs::install_logging_hooks);
    }
}

/// Ways to pack one channel's speech into windows, the default first
/// ([`crate::chunks::packings`]).
pub(crate) fn speech_packings(
    audio: &PcmReader,
    settings: &WhisperSettings,
) -> Result<Vec<Vec<Window>>, SttError> {
    let mut meter = EnergyMeter::new(&settings.vad);
    let mut at = 0u64;
    while at < audio.len() {
        let block = audio.read(at, MEASURE_BLOCK).map_err(io_error)?;
        meter.push(&block);
        at += block.len() as u64;
        if block.is_empty() {
            break;
        }
    }
    let energies = meter.finish();
    let regions = speech_regions(&energies, audio.len(), &settings.vad);
    let regions = split_long(&regions, &energies, &settings.pack, &settings.vad);
    Ok(packings(&regions, &settings.pack, settings.threads))
}

pub(crate) fn io_error(e: std::io::Error) -> SttError {
    SttError::Retryable(format!("reading decoded audio: {e}"))
}

#[async_trait]
impl SpeechEngine for WhisperEngine {
    fn engine(&self) -> &str {
        "whisper.cpp"
    }

    fn model(&self) -> &str {
        &self.settings.model_name
    }

    fn check_language(&self, language: Option<&str>) -> Result<(), SttError> {
        match language {
            Some(lang) if !self.multilingual && lang != "en" => Err(SttError::Permanent(format!(
                "unsupported_language: the model `{}` is English-only and cannot transcribe language `{lang}`; configure a multilingual model (base or small)",
                self.settings.model_name
            ))),
            Some(lang) if whisper_rs::get_lang_id(lang).is_none() => Err(SttError::Permanent(
                format!("unsupported_language: whisper does not know the language `{lang}`"),
            )),
            _ => Ok(()),
        }
    }

    async fn transcribe_channel(
        &self,
        request: ChannelRequest<'_>,
    ) -> Result<ChannelTranscript, SttError> {
        if let Err(e) = self.check_language(request.language) {
            request.siblings.withdraw(self.settings.threads);
            return Err(e);
        }
        // whisper.cpp blocks its thread for the whole transcription: keep it off the runtime.
        let siblings = request.siblings.clone();
        let language = match request.language {
            Some(lang) => Some(lang.to_string()),
            None if !self.multilingual => Some("en".to_string()),
            None => None,
        };
        let context = self.context.clone();
        let settings = self.settings.clone();
        let audio = request.audio.reader();
        tokio::task::spawn_blocking(move || {
            run::transcribe(&context, &settings, &audio, language.as_deref(), &siblings)
        })
        .await
        .map_err(|e| SttError::Retryable(format!("the transcription task failed: {e}")))?
    }
}
