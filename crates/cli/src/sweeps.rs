//! What an API process cleans up when it starts, for the processes killed before it: media
//! objects no interaction names (`scorejar_worker::orphan_media`, which every worker's periodic
//! sweep also runs, so an API process that is never restarted still has them swept) and the
//! upload spool files (`spool/<uuid>.part`) a killed upload left, swept like a worker sweeps its
//! own (`scorejar_worker::spool`, which knows the upload's `<uuid>.part` names).

use scorejar_media::MediaStorage;
use scorejar_store::Store;
use scorejar_worker::orphan_media::{sweep_orphan_media, STALE_AFTER};
use std::sync::Arc;

/// Runs both sweeps once, logging what they removed; never fails the process.
pub async fn sweep_at_start(
    store: Arc<dyn Store>,
    media: MediaStorage,
    spool_dir: std::path::PathBuf,
) {
    match sweep_orphan_media(store.as_ref(), &media, STALE_AFTER).await {
        Ok(0) => {}
        Ok(deleted) => tracing::info!(deleted, "deleted media objects no interaction names"),
        Err(err) => tracing::warn!(error = %err, "sweeping orphaned media failed"),
    }
    let swept = tokio::task::spawn_blocking(move || {
        scorejar_worker::spool::sweep(&spool_dir, scorejar_worker::spool::DEFAULT_STALE_AFTER)
    })
    .await;
    match swept {
        Ok(Ok(0)) => {}
        Ok(Ok(removed)) => tracing::info!(removed, "removed stale upload spool files"),
        Ok(Err(err)) => tracing::warn!(error = %err, "sweeping the upload spool failed"),
        Err(err) => tracing::warn!(error = %err, "spool sweep task failed"),
    }
}
