//! One handler per job kind. A handler does the work and describes its result as
//! [`JobEffects`]; the runner writes them with the job's row in one transaction, so a crash
//! between "work done" and "recorded" only means the (idempotent) work runs again.

mod deliver_webhook;
mod dispatch;
mod evaluate;
mod fetch_media;
mod noop;
mod transcribe;
mod try_scorecard;

pub use deliver_webhook::{DeliverWebhook, DeliverySettings};
pub use dispatch::{Dispatch, MediaUrls};
pub use evaluate::Evaluate;
pub use fetch_media::{FetchMedia, FetchSettings};
pub use noop::Noop;
pub use transcribe::{Transcribe, TranscribeSettings};
pub use try_scorecard::TryScorecard;

use async_trait::async_trait;
use scorejar_core::model::InteractionRecord;
use scorejar_store::queue::{ClaimedJob, JobEffects};
use scorejar_store::Store;
use std::time::Duration;

/// [`JobHandler::max_run_time`] of a kind that does not choose its own.
pub const DEFAULT_MAX_RUN_TIME: Duration = Duration::from_secs(15 * 60);

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HandlerError {
    /// Worth another attempt (timeouts, 5xx, a busy database).
    #[error("{0}")]
    Retryable(String),
    /// Worth another attempt, but not before this wait (a provider's `Retry-After`); the
    /// queue's own backoff still applies when it is longer.
    #[error("{0}")]
    RetryAfter(String, std::time::Duration),
    /// Will fail the same way every time (4xx, blocked URL, not media).
    #[error("{0}")]
    Permanent(String),
    /// Cannot run until an operator acts (a speech model not installed): look again after
    /// this wait, without spending an attempt and without ever giving up.
    #[error("{0}")]
    Wait(String, std::time::Duration),
    /// Run again after exactly this wait, whatever the queue's own backoff: a kind that keeps
    /// its own schedule (webhook delivery). Counts an attempt; fails for good past the kind's
    /// budget like any retry.
    #[error("{0}")]
    Reschedule(String, std::time::Duration),
}

pub type HandlerResult = Result<JobEffects, HandlerError>;

#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The job kind this handler runs (`FetchMedia`, ...).
    fn kind(&self) -> &'static str;

    /// At most this many jobs of this kind run at once in one process (CPU-heavy kinds);
    /// `None`: only the worker's overall concurrency applies. The runner claims no more of
    /// the kind than it can start, so jobs it could not run stay free for other processes.
    fn max_concurrent(&self) -> Option<usize> {
        None
    }

    /// Longest one attempt may run; past it the attempt fails (and is retried like any other
    /// failure), so a stuck download or engine cannot hold a worker slot forever. Work that
    /// runs on a blocking thread cannot be interrupted: only its result is then ignored.
    fn max_run_time(&self) -> Duration {
        DEFAULT_MAX_RUN_TIME
    }

    /// Runs one attempt.
    async fn run(&self, job: &ClaimedJob) -> HandlerResult;

    /// Effects when the job fails for good with `error` (mark its step FAILED, refund).
    async fn give_up(&self, job: &ClaimedJob, error: &str) -> JobEffects;

    /// `effects` could not be applied because a charge in them did not fit the balance:
    /// what to record instead. `None` means treat it as a permanent failure.
    async fn when_credits_short(
        &self,
        _job: &ClaimedJob,
        _effects: JobEffects,
    ) -> Option<JobEffects> {
        None
    }
}

/// A failure of our own machinery (local files, the object store, the database, a task):
/// logged in full, while the job's error — shown to API clients as `lastError` — says only
/// what was being done. Always worth another attempt.
pub(crate) fn internal(doing: &str, err: impl std::fmt::Display) -> HandlerError {
    tracing::error!(error = %err, "internal error while {doing}");
    HandlerError::Retryable(format!("internal error while {doing}"))
}

/// The account id and interaction a job works on. A job without one, or whose interaction is
/// gone, fails for good; a database error is worth another attempt.
pub(crate) async fn load_interaction(
    store: &dyn Store,
    job: &ClaimedJob,
) -> Result<(String, InteractionRecord), HandlerError> {
    let id = job
        .interaction_id
        .as_deref()
        .ok_or_else(|| HandlerError::Permanent("job has no interaction".into()))?;
    store
        .interaction_for_job(id)
        .await
        .map_err(|e| internal("loading the interaction", e))?
        .ok_or_else(|| HandlerError::Permanent(format!("interaction {id} no longer exists")))
}
