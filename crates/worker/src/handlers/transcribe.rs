//! `Transcribe`: turn an interaction's stored media into its transcript (source ENGINE).
//!
//! Runs after the media is stored and probed (queued by an upload with a file, or by
//! `FetchMedia`). The object is copied to the spool, decoded to 16 kHz channels, transcribed by
//! the configured engine (per channel for a call recording, labelled Agent/Customer by the
//! upload's `agentChannel` hint, else configuration), and written with the job's DONE; the store then starts
//! the evaluations waiting on it. Idempotent: a transcript already COMPLETED is left as
//! it is, and a rerun overwrites the same fields.
//!
//! Failures: media that cannot be decoded and a language the model cannot transcribe fail at
//! once; engine trouble (a remote 5xx, a model still installing) retries. A transcription that
//! fails for good marks the transcript FAILED with the reason, fails the evaluations waiting
//! on it, and refunds what the interaction was charged (a ledger entry). The reservation is
//! settled on the decoded length (see `settlement`); when the balance cannot pay a longer
//! recording's difference, the transcription fails as `insufficient_credits` and is refunded.

use super::{internal, load_interaction, HandlerError, HandlerResult, JobHandler};
use crate::settlement::{real_cost, settle, Work};
use async_trait::async_trait;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_core::pricing::Rates;
use scorejar_media::{decode_to_pcm, DecodeError, MediaStorage};
use scorejar_store::queue::*;
use scorejar_store::Store;
use scorejar_stt::{Hints, LazyTranscriber, SttError};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct TranscribeSettings {
    /// Where media is copied and decoded while it is transcribed.
    pub spool_dir: PathBuf,
    /// The agent's channel when the upload gives no `agentChannel` hint.
    pub default_agent_channel: i64,
    /// Prices for settling the reservation on the decoded length.
    pub rates: Rates,
    /// How long a job waits before looking again for an engine that cannot run yet (a model
    /// not installed while installing on first need is off).
    pub not_ready_wait: std::time::Duration,
}

pub struct Transcribe {
    store: Arc<dyn Store>,
    media: Arc<MediaStorage>,
    transcriber: Arc<LazyTranscriber>,
    settings: TranscribeSettings,
    /// Transcriptions this process runs at once (each uses several CPU threads). The runner
    /// claims no more than this (`max_concurrent`); the semaphore also holds when the handler
    /// is driven some other way.
    concurrency: usize,
    slots: Semaphore,
}

impl Transcribe {
    pub fn new(
        store: Arc<dyn Store>,
        media: Arc<MediaStorage>,
        transcriber: Arc<LazyTranscriber>,
        settings: TranscribeSettings,
        concurrency: usize,
    ) -> Self {
        Self {
            store,
            media,
            transcriber,
            settings,
            concurrency: concurrency.max(1),
            slots: Semaphore::new(concurrency.max(1)),
        }
    }

    async fn load(&self, job: &ClaimedJob) -> Result<(String, InteractionRecord), HandlerError> {
        load_interaction(self.store.as_ref(), job).await
    }

    fn hints(&self, interaction: &InteractionRecord) -> Hints {
        let transcript = interaction.transcript.as_ref();
        Hints {
            language: transcript.and_then(|t| t.language.clone()),
            agent_channel: transcript
                .and_then(|t| t.agent_channel)
                .unwrap_or(self.settings.default_agent_channel),
        }
    }
}

/// Removes the spooled copy of the media however the attempt ends.
struct SpoolFile(PathBuf);

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What a client sees (`lastError`) when the engine fails in a way worth retrying: the cause
/// (a connection error naming the operator's transcription server, an engine's internals) is
/// the operator's and goes to the log. A permanent failure is about the recording or its hints
/// (an unsupported language, undecodable audio) and is shown as it is.
const ENGINE_FAILED: &str =
    "transcription failed: the transcription engine had an error; it will be retried";

fn stt_error(e: SttError) -> HandlerError {
    match e {
        SttError::Retryable(m) => {
            tracing::warn!(error = %m, "transcription failed; the job will be retried");
            HandlerError::Retryable(ENGINE_FAILED.into())
        }
        SttError::Permanent(m) => HandlerError::Permanent(format!("transcription failed: {m}")),
        // Only the engine's build says this (`run` maps it with the wait); an engine that is
        // running is ready.
        SttError::NotReady(m) => HandlerError::Retryable(m),
    }
}

#[async_trait]
impl JobHandler for Transcribe {
    fn kind(&self) -> &'static str {
        scorejar_core::jobs::TRANSCRIBE
    }

    /// Two hours: far beyond the longest call this machine transcribes (a 5-minute call takes
    /// under half a minute; remote engines are slower), and short enough that a wedged engine
    /// frees its slot the same working day.
    fn max_run_time(&self) -> std::time::Duration {
        std::time::Duration::from_secs(2 * 60 * 60)
    }

    fn max_concurrent(&self) -> Option<usize> {
        Some(self.concurrency)
    }

    async fn run(&self, job: &ClaimedJob) -> HandlerResult {
        let (account_id, interaction) = self.load(job).await?;
        if interaction
            .transcript
            .as_ref()
            .is_some_and(|t| t.status == StepStatus::Completed)
        {
            return Ok(JobEffects::default());
        }
        let key = interaction
            .media
            .as_ref()
            .and_then(|m| m.info.object_key.clone())
            .unwrap_or_else(|| MediaStorage::media_key(&account_id, &interaction.id));
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| HandlerError::Retryable("worker is shutting down".into()))?;
        let transcriber = self.transcriber.get().await.map_err(|e| match e {
            // The operator's to fix (`scorejar models install`); shown as it is, it says how.
            SttError::NotReady(m) => HandlerError::Wait(
                format!("waiting for the transcription engine: {m}"),
                self.settings.not_ready_wait,
            ),
            // A broken engine configuration is the operator's to fix; the job waits for it.
            SttError::Permanent(m) | SttError::Retryable(m) => {
                tracing::error!(error = %m, "the transcription engine could not be built");
                HandlerError::Retryable(
                    "transcription engine unavailable; the operator has been told (server log)"
                        .into(),
                )
            }
        })?;
        let hints = self.hints(&interaction);
        transcriber
            .engine()
            .check_language(hints.language.as_deref())
            .map_err(stt_error)?;

        let spool = SpoolFile(
            self.settings
                .spool_dir
                .join(format!("transcribe-{}.media", new_id())),
        );
        self.media
            .read_to_file(&key, &spool.0)
            .await
            .map_err(|e| internal("reading the stored media", format!("{e:#}")))?;
        let (input, dir) = (spool.0.clone(), self.settings.spool_dir.clone());
        let audio = tokio::task::spawn_blocking(move || decode_to_pcm(&input, &dir))
            .await
            .map_err(|e| internal("decoding the media", e))?
            .map_err(|e| match e {
                DecodeError::NotDecodable(reason) => HandlerError::Permanent(format!(
                    "the media could not be decoded for transcription: {reason}"
                )),
                DecodeError::Io(e) => internal("decoding the media", e),
            })?;
        drop(spool);
        if audio.duration_secs() == 0.0 {
            return Err(HandlerError::Permanent(
                "the media could not be decoded for transcription: it holds no audio samples"
                    .into(),
            ));
        }

        // The decoded length is what the engine is given, whatever the upload declared or the
        // probe read from the container's header: the reservation is settled on it.
        let decoded_ms = (audio.duration_secs() * 1000.0).round() as i64;
        let real = real_cost(
            Work::remaining(&interaction),
            Some(decoded_ms),
            &self.settings.rates,
        );
        let credits = settle(interaction.credits_charged, real);

        let started = std::time::Instant::now();
        let transcript = transcriber
            .transcribe(&audio, &hints)
            .await
            .map_err(stt_error)?;
        let seconds = audio.duration_secs();
        let engine = transcript.engine.to_string();
        // Audio seconds per channel transcribed, and how long that took per second of audio.
        metrics::gauge!("scorejar_transcribed_audio_seconds_total", "engine" => engine.clone())
            .increment(seconds * audio.channels.len() as f64);
        if seconds > 0.0 {
            metrics::histogram!("scorejar_transcription_realtime_factor", "engine" => engine)
                .record(started.elapsed().as_secs_f64() / seconds);
        }
        tracing::info!(
            interaction = %interaction.id,
            segments = transcript.segments.len(),
            channels = audio.channels.len(),
            seconds = audio.duration_secs(),
            engine = %transcript.engine,
            model = %transcript.model,
            "transcribed"
        );
        // The store starts the evaluations waiting on this transcript when it records it.
        let effects = JobEffects {
            transcript: Some(TranscriptUpdate {
                status: StepStatus::Completed,
                source: Some(TranscriptSource::Engine),
                text: Some(transcript.text),
                language: transcript.language,
                segments: Some(transcript.segments),
                error: None,
                engine: Some(transcript.engine),
                model: Some(transcript.model),
            }),
            credits: credits.into_iter().collect(),
            ..Default::default()
        };
        Ok(effects)
    }

    async fn give_up(&self, job: &ClaimedJob, error: &str) -> JobEffects {
        let mut effects = JobEffects {
            transcript: Some(TranscriptUpdate {
                status: StepStatus::Failed,
                source: None,
                text: None,
                language: None,
                segments: None,
                error: Some(error.to_string()),
                engine: None,
                model: None,
            }),
            ..Default::default()
        };
        if let Ok((_, interaction)) = self.load(job).await {
            for e in &interaction.evaluations {
                if e.status == EvaluationStatus::Queued {
                    effects.evaluations.push(EvaluationUpdate {
                        score_submission_id: e.score_submission_id.clone(),
                        status: EvaluationStatus::Failed,
                        result: None,
                        error: Some(format!("no transcript to evaluate: {error}")),
                        summary: None,
                    });
                }
            }
            // Nothing the interaction paid for can run now: give it all back.
            if interaction.credits_charged > 0 {
                effects.credits.push(CreditChange {
                    amount: interaction.credits_charged,
                    reason: "refund: transcription failed".into(),
                });
            }
        }
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_see_engine_failures_without_the_operators_details() {
        let cases = [
            (
                SttError::Retryable("request failed: tcp connect error 10.0.0.5:9000".into()),
                false,
                ENGINE_FAILED.to_string(),
            ),
            (
                SttError::Permanent("language 'xx' is not supported".into()),
                true,
                "transcription failed: language 'xx' is not supported".to_string(),
            ),
        ];
        for (error, permanent, shown) in cases {
            match stt_error(error) {
                HandlerError::Permanent(m) => assert!(permanent && m == shown, "{m}"),
                HandlerError::Retryable(m) => assert!(!permanent && m == shown, "{m}"),
                other => panic!("transcription errors carry no wait: {other:?}"),
            }
        }
    }
}
