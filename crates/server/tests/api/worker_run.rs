//! Running the real worker runner beside a `TestApp` until an interaction reaches a state.

use crate::harness::{read, TestApp};
use scorejar_worker::handlers::{FetchMedia, FetchSettings, JobHandler};
use scorejar_worker::{Worker, WorkerSettings};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

impl TestApp {
    /// A `FetchMedia` handler wired to this app (its store, media, fetch client and rates),
    /// spooling under the data directory and cutting downloads off past `max_bytes`.
    pub fn fetch_handler(&self, max_bytes: u64) -> FetchMedia {
        FetchMedia {
            store: self.store.clone(),
            media: self.media.clone(),
            client: self.settings.fetch.client(),
            settings: FetchSettings {
                max_bytes,
                spool_dir: self.data_dir.join("spool"),
                rates: self.settings.rates(),
            },
        }
    }

    /// Runs a worker with `handlers` until the interaction at `status_url`, as the API shows
    /// it, satisfies `done` (or `limit` passes); stops the worker and returns that view.
    pub async fn run_worker_until(
        &self,
        handlers: Vec<Arc<dyn JobHandler>>,
        status_url: &str,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let worker = Arc::new(Worker::new(
            self.store.clone(),
            handlers,
            WorkerSettings {
                concurrency: 2,
                lease: Duration::from_secs(60),
                poll_interval: Duration::from_millis(50),
                shutdown_grace: Duration::from_secs(5),
            },
        ));
        let stop = CancellationToken::new();
        let running = tokio::spawn(worker.run(stop.clone()));
        let deadline = tokio::time::Instant::now() + limit;
        let stored = loop {
            let (_, stored) = read(self.get(status_url).await).await;
            if done(&stored) || tokio::time::Instant::now() > deadline {
                break stored;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        stop.cancel();
        running.await.unwrap();
        stored
    }
}

/// True once `step` (`media`, `transcript`) of the interaction is COMPLETED or FAILED.
pub fn step_finished(stored: &Value, step: &str) -> bool {
    matches!(
        stored[step]["status"].as_str(),
        Some("COMPLETED" | "FAILED")
    )
}
