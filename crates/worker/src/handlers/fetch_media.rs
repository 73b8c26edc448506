//! `FetchMedia`: download an upload's `downloadUrl` through the SSRF-safe client, probe it,
//! store it, settle the credits reserved at upload, and queue transcription.
//!
//! Idempotent: the object key is fixed per interaction (a rerun overwrites the same object),
//! and the database effects are written once, with the job's DONE, in one transaction.
//! Failures: 5xx, timeouts and connection errors retry; 4xx, blocked addresses, an over-size
//! body and bytes that are not media fail for good — media FAILED with the reason, the steps
//! waiting on it FAILED, and the reservation refunded.

use super::{internal, load_interaction, HandlerError, HandlerResult, JobHandler};
use crate::settlement::{real_cost, settle, Work};
use async_trait::async_trait;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_core::pricing::Rates;
use scorejar_media::{probe_file, MediaKind, MediaStorage, ProbeError};
use scorejar_net::{NetError, SafeClient};
use scorejar_store::queue::*;
use scorejar_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Limits and places of the download.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// Bodies past this are cut off (FAILED).
    pub max_bytes: u64,
    /// Where downloads are spooled before they are probed and stored.
    pub spool_dir: PathBuf,
    pub rates: Rates,
}

pub struct FetchMedia {
    pub store: Arc<dyn Store>,
    pub media: Arc<MediaStorage>,
    pub client: SafeClient,
    pub settings: FetchSettings,
}

/// Removes the spool file however the attempt ends.
struct Spool(PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn net_error(e: NetError) -> HandlerError {
    // `lastError` is shown to API clients: the stable kind of failure, the detail in the log.
    tracing::warn!(error = %e, "download failed");
    let message = format!("download failed: {}", e.public_message());
    if e.is_retryable() {
        HandlerError::Retryable(message)
    } else {
        HandlerError::Permanent(message)
    }
}

impl FetchMedia {
    async fn load(&self, job: &ClaimedJob) -> Result<(String, InteractionRecord), HandlerError> {
        load_interaction(self.store.as_ref(), job).await
    }
}

#[async_trait]
impl JobHandler for FetchMedia {
    fn kind(&self) -> &'static str {
        scorejar_core::jobs::FETCH_MEDIA
    }

    /// The download's own deadline, and time to probe and store what it brought.
    fn max_run_time(&self) -> std::time::Duration {
        self.client.timeouts().download_deadline + std::time::Duration::from_secs(5 * 60)
    }

    async fn run(&self, job: &ClaimedJob) -> HandlerResult {
        let (account_id, interaction) = self.load(job).await?;
        let url = interaction
            .download_url
            .clone()
            .ok_or_else(|| HandlerError::Permanent("interaction has no downloadUrl".into()))?;
        let spool = Spool(
            self.settings
                .spool_dir
                .join(format!("fetch-{}.part", new_id())),
        );
        let mut file = tokio::fs::File::create(&spool.0)
            .await
            .map_err(|e| internal("creating a spool file", e))?;
        let size = self
            .client
            .download_to(&url, self.settings.max_bytes, &mut file)
            .await
            .map_err(net_error)?;
        tokio::io::AsyncWriteExt::flush(&mut file)
            .await
            .map_err(|e| internal("writing the spool file", e))?;
        drop(file);
        let path = spool.0.clone();
        let probe = tokio::task::spawn_blocking(move || probe_file(&path))
            .await
            .map_err(|e| internal("probing the media", e))?
            .map_err(|e| match e {
                ProbeError::NotMedia(reason) => HandlerError::Permanent(format!(
                    "downloaded file is not decodable media: {reason}"
                )),
                other => internal("probing the media", other),
            })?;
        let key = MediaStorage::media_key(&account_id, &interaction.id);
        // Renamed into a local store (no copy), streamed to any other; the spool file is gone.
        self.media
            .move_file(&key, &spool.0)
            .await
            .map_err(|e| internal("storing the media", e))?;

        let work = Work::remaining(&interaction);
        let reserved = interaction.credits_charged;
        let real = real_cost(work, probe.duration_ms, &self.settings.rates);
        let kind = match probe.kind {
            MediaKind::Audio => InteractionType::Audio,
            MediaKind::Video => InteractionType::Video,
        };
        // The upload's explicit `interactionType` is kept; an inferred one follows the bytes.
        let type_given = job.payload["typeGiven"].as_bool().unwrap_or(false);
        let mut effects = JobEffects {
            media: Some(MediaUpdate {
                status: StepStatus::Completed,
                info: probe.media_info(Some(key), Some(size as i64)),
                error: None,
            }),
            interaction_type: (!type_given && kind != interaction.interaction_type).then_some(kind),
            duration_ms: interaction
                .duration_ms
                .is_none()
                .then_some(probe.duration_ms)
                .flatten(),
            credits: settle(reserved, real).into_iter().collect(),
            ..Default::default()
        };
        if work.transcription {
            effects.enqueue.push(NewJob {
                id: new_id(),
                kind: scorejar_core::jobs::TRANSCRIBE.to_string(),
                interaction_id: Some(interaction.id.clone()),
                payload: serde_json::json!({ "interactionId": interaction.id }),
            });
        }
        Ok(effects)
    }

    async fn give_up(&self, job: &ClaimedJob, error: &str) -> JobEffects {
        let loaded = self.load(job).await.ok();
        let mut effects = JobEffects {
            media: Some(MediaUpdate {
                status: StepStatus::Failed,
                info: MediaInfo::default(),
                error: Some(error.to_string()),
            }),
            ..Default::default()
        };
        if let Some((_, interaction)) = loaded {
            fail_waiting_steps(
                &mut effects,
                &interaction,
                &format!("media could not be fetched: {error}"),
            );
            if interaction.credits_charged > 0 {
                effects.credits.push(CreditChange {
                    amount: interaction.credits_charged,
                    reason: "refund: media could not be fetched".into(),
                });
            }
        }
        effects
    }

    async fn when_credits_short(
        &self,
        job: &ClaimedJob,
        effects: JobEffects,
    ) -> Option<JobEffects> {
        // Keep the media; the work it needs cannot be paid for: fail those steps and give the
        // reservation back.
        let (_, interaction) = self.load(job).await.ok()?;
        let mut effects = JobEffects {
            credits: Vec::new(),
            enqueue: Vec::new(),
            ..effects
        };
        fail_waiting_steps(&mut effects, &interaction, "insufficient_credits: the media is longer than the credits reserved and the balance cannot pay the difference");
        if interaction.credits_charged > 0 {
            effects.credits.push(CreditChange {
                amount: interaction.credits_charged,
                reason: "refund: insufficient credits for the real media duration".into(),
            });
        }
        Some(effects)
    }
}

/// Marks the transcript and queued evaluations FAILED with `reason`.
fn fail_waiting_steps(effects: &mut JobEffects, interaction: &InteractionRecord, reason: &str) {
    if interaction
        .transcript
        .as_ref()
        .is_some_and(|t| t.status != StepStatus::Completed)
    {
        effects.transcript = Some(TranscriptUpdate {
            status: StepStatus::Failed,
            source: None,
            text: None,
            language: None,
            segments: None,
            error: Some(reason.to_string()),
            engine: None,
            model: None,
        });
    }
    for e in &interaction.evaluations {
        if e.status == EvaluationStatus::Queued {
            effects.evaluations.push(EvaluationUpdate {
                score_submission_id: e.score_submission_id.clone(),
                status: EvaluationStatus::Failed,
                result: None,
                error: Some(reason.to_string()),
                summary: None,
            });
        }
    }
}
