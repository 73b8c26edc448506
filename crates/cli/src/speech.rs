//! Building the transcription engine from settings: the built-in whisper.cpp engine with its
//! model (installed on first need), or the OpenAI-compatible remote engine.

use scorejar_models::{resolve, InstallOptions, ModelSpec};
use scorejar_server::config::{Settings, TranscriptionConfig};
use scorejar_stt::remote::{RemoteEngine, RemoteSettings};
use scorejar_stt::whisper::{Sampling, WhisperEngine, WhisperSettings};
use scorejar_stt::{LazyTranscriber, SttError, Transcriber};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// CPU cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The engine named by `settings.transcription`, built on first use.
pub fn lazy_transcriber(settings: &Settings) -> anyhow::Result<LazyTranscriber> {
    let config = settings.transcription.clone();
    match config.engine.as_str() {
        "whisper" => {
            let models_dir = settings.data_dir.join("models");
            // Checked now: configuration mistakes should stop the start-up, not fail jobs.
            let spec = ModelSpec::from_settings(&config.whisper.model, &config.whisper.quantize)
                .map_err(|e| anyhow::anyhow!("transcription.whisper: {e}"))?;
            Ok(LazyTranscriber::new(move || {
                build_whisper(&config, &spec, &models_dir).map(|e| Transcriber::new(Arc::new(e)))
            }))
        }
        "remote" => {
            // Built now: configuration mistakes should stop the start-up, not fail jobs.
            let engine = build_remote(&config).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(LazyTranscriber::ready(Transcriber::new(Arc::new(engine))))
        }
        other => anyhow::bail!("transcription.engine must be `whisper` or `remote`, not `{other}`"),
    }
}

fn build_whisper(
    config: &TranscriptionConfig,
    spec: &ModelSpec,
    models_dir: &Path,
) -> Result<WhisperEngine, SttError> {
    let (model_path, model_name) = resolve_model(config, spec, models_dir)?;
    let (_, threads) = config.parallelism(cores());
    let mut settings = WhisperSettings::new(model_path, model_name, threads);
    settings.sampling = match config.whisper.beam_size {
        0 | 1 => Sampling::Greedy,
        width => Sampling::Beam(width),
    };
    settings.flash_attention = config.whisper.flash_attention;
    settings.fit_audio_ctx = config.whisper.fit_audio_ctx;
    tracing::info!(model = %settings.model_path.display(), threads, "loading the whisper model");
    WhisperEngine::load(settings)
}

/// The ggml file to load and the name to store with transcripts. A named model missing from
/// `models_dir` is downloaded and converted now (minutes on a fresh machine; progress logged).
fn resolve_model(
    config: &TranscriptionConfig,
    spec: &ModelSpec,
    models_dir: &Path,
) -> Result<(PathBuf, String), SttError> {
    let configured = spec.to_string();
    if let ModelSpec::Named { name, weights } = spec {
        let path = name.default_path(models_dir, *weights);
        if !path.is_file() && !config.whisper.install_on_first_need {
            // The client sees this (`lastError`); the path is the operator's, for the log.
            tracing::warn!(path = %path.display(), "speech model not installed; transcriptions wait");
            return Err(SttError::NotReady(format!(
                "the speech model {name} is not installed; an operator must run \
                 `scorejar models install {name} --quantize {}`",
                weights.as_str()
            )));
        }
    }
    let options = InstallOptions::new(models_dir)
        .progress(|p| tracing::info!(target: "scorejar::models", "{p}"));
    let path = resolve(spec, &options)
        .map_err(|e| SttError::Retryable(format!("model {configured}: {e:#}")))?;
    let name = match spec {
        ModelSpec::Named { .. } => spec.to_string(),
        ModelSpec::File(path) => path
            .file_stem()
            .map(|s| s.to_string_lossy().trim_start_matches("ggml-").to_string())
            .unwrap_or_else(|| configured.clone()),
    };
    Ok((path, name))
}

fn build_remote(config: &TranscriptionConfig) -> anyhow::Result<RemoteEngine> {
    let remote = &config.remote;
    let api_key = std::env::var(&remote.api_key_env)
        .ok()
        .filter(|k| !k.trim().is_empty());
    let settings = RemoteSettings {
        base_url: remote.base_url.clone(),
        api_key,
        model: remote.model.clone(),
        timeout: Duration::from_secs(remote.timeout_secs.max(1)),
        concurrency: remote.concurrency.max(1),
        max_upload_bytes: remote.max_upload_mb.max(1) * 1_000_000,
        max_retries: remote.max_retries,
        ..RemoteSettings::default()
    };
    RemoteEngine::new(settings)
}
