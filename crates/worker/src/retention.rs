//! The periodic sweep of a worker process: the accounts' retention (recordings, then whole
//! interactions, past their days), sessions that expired, jobs finished long ago, and media
//! objects no interaction names (`crate::orphan_media`).
//!
//! Every worker process runs it; several at once only repeat deletes that are idempotent. A
//! recording is deleted object first, then its key forgotten, so a crash in between leaves a
//! row naming a missing object that the next sweep finishes; a whole interaction is deleted as
//! `DELETE /api/v1/interactions/{id}` does (rows first; an object left behind is an orphan a
//! later pass removes). Each pass takes at most [`BATCH`] of each, oldest first, so
//! one pass stays short however much is due.

use scorejar_media::MediaStorage;
use scorejar_store::Store;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Most recordings, and most interactions, one pass deletes.
pub const BATCH: i64 = 500;

/// What the sweep needs and how often it runs.
#[derive(Clone)]
pub struct RetentionSweep {
    pub store: Arc<dyn Store>,
    pub media: Arc<MediaStorage>,
    pub interval: Duration,
    /// Finished jobs (DONE or FAILED) older than this are deleted.
    pub keep_finished_jobs: Duration,
    /// A media object no interaction names is deleted once this old
    /// ([`crate::orphan_media::STALE_AFTER`]; tests that store none in flight use zero).
    pub orphans_after: Duration,
}

/// What one pass deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepFigures {
    pub recordings: usize,
    pub interactions: usize,
    pub sessions: u64,
    pub jobs: u64,
    pub orphans: usize,
}

impl RetentionSweep {
    /// One pass as of `now` (the caller's clock: tests move it forward).
    pub async fn sweep_once(&self, now: OffsetDateTime) -> anyhow::Result<SweepFigures> {
        let mut figures = SweepFigures::default();
        for (interaction, key) in self.store.expired_media(now, BATCH).await? {
            self.media.delete(&key).await?;
            if self.store.media_removed(&interaction, &key, now).await? {
                figures.recordings += 1;
            }
        }
        for (account, interaction) in self.store.expired_interactions(now, BATCH).await? {
            if let Some(key) = self
                .store
                .delete_interaction(&account, &interaction)
                .await?
            {
                if let Some(key) = key {
                    self.media.delete(&key).await?;
                }
                figures.interactions += 1;
            }
        }
        figures.sessions = self.store.sweep_sessions(now).await?;
        figures.jobs = self.store.sweep_jobs(now - self.keep_finished_jobs).await?;
        figures.orphans = crate::orphan_media::sweep_orphan_media(
            self.store.as_ref(),
            &self.media,
            self.orphans_after,
        )
        .await?;
        Ok(figures)
    }
}

/// Sweeps now and then every `interval`, until aborted.
pub(crate) async fn sweep_periodically(sweep: RetentionSweep) {
    loop {
        match sweep.sweep_once(OffsetDateTime::now_utc()).await {
            Ok(figures) if figures == SweepFigures::default() => {}
            Ok(figures) => tracing::info!(?figures, "retention sweep"),
            Err(error) => tracing::warn!(%error, "retention sweep failed; trying again later"),
        }
        tokio::time::sleep(sweep.interval).await;
    }
}
