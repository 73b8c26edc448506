//! Wake-ups for `wait_for_jobs` on PostgreSQL: LISTEN on [`JOBS_CHANNEL`], which every
//! transaction that inserts or re-queues jobs NOTIFYs (delivered only if it commits).
//!
//! One background task per store owns a dedicated connection (its own one-connection pool, so
//! the store's pool keeps all its slots) and turns each notification into a wake-up of every
//! waiting caller. It starts on the first wait, which returns only once LISTEN is in place; a
//! failed start is tried again on the next wait, and a lost connection is re-established by
//! the listener itself. A wake-up that is missed (a notification while nobody waits, or during
//! a reconnect) costs the waiter its poll interval, never a job: jobs live in the table.

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, OnceCell};
use tokio::task::JoinHandle;

/// The channel every job-inserting transaction notifies.
pub(crate) const JOBS_CHANNEL: &str = "scorejar_jobs";

/// The statement those transactions run (NOTIFY with a bound-free, fixed channel).
pub(crate) const NOTIFY_JOBS: &str = "SELECT pg_notify('scorejar_jobs', '')";

/// Pause after a listener error before trying again, so a database outage is not a busy loop.
const RETRY_DELAY: Duration = Duration::from_secs(1);

/// The wake-up signal of one store and the task that feeds it. Dropping it stops the task.
pub(crate) struct JobSignal {
    options: PgConnectOptions,
    notify: Arc<Notify>,
    task: OnceCell<JoinHandle<()>>,
}

impl std::fmt::Debug for JobSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobSignal")
            .field("listening", &self.task.initialized())
            .finish()
    }
}

impl JobSignal {
    pub(crate) fn new(options: PgConnectOptions) -> JobSignal {
        JobSignal {
            options,
            notify: Arc::new(Notify::new()),
            task: OnceCell::new(),
        }
    }

    /// Waits for a notification or `timeout`, whichever comes first.
    pub(crate) async fn wait(&self, timeout: Duration) {
        let started = self.task.get_or_try_init(|| self.start()).await;
        if let Err(e) = started {
            tracing::warn!(error = %e, "cannot LISTEN for new jobs; polling instead");
            tokio::time::sleep(timeout).await;
            return;
        }
        // Elapsing is the normal way out; the caller polls either way.
        let _ = tokio::time::timeout(timeout, self.notify.notified()).await;
    }

    async fn start(&self) -> Result<JoinHandle<()>, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_with(self.options.clone())
            .await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.ignore_pool_close_event(true);
        listener.listen(JOBS_CHANNEL).await?;
        Ok(tokio::spawn(relay(listener, self.notify.clone())))
    }
}

impl Drop for JobSignal {
    fn drop(&mut self) {
        if let Some(task) = self.task.get() {
            task.abort();
        }
    }
}

/// Forwards notifications to the waiters until the task is aborted.
async fn relay(mut listener: PgListener, notify: Arc<Notify>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(_)) => notify.notify_waiters(),
            // The connection was lost (and is re-established): anything may have been missed.
            Ok(None) => notify.notify_waiters(),
            Err(e) => {
                tracing::warn!(error = %e, "job listener lost its connection; retrying");
                notify.notify_waiters();
                tokio::time::sleep(RETRY_DELAY).await;
            }
        }
    }
}
