//! The runner and the done-batcher against a real (SQLite) store: every finished job is
//! recorded exactly once, by the worker that ran it, also across a shutdown; a batch never
//! touches a job another worker holds; a limited kind is never claimed beyond its limit; stale
//! spool files are swept at start.

use crate::done_batch::DoneBatcher;
use crate::handlers::{HandlerResult, JobHandler, Noop};
use crate::spool::SpoolSweep;
use crate::{Worker, WorkerSettings};
use async_trait::async_trait;
use scorejar_core::ids::new_id;
use scorejar_core::model::NewJob;
use scorejar_store::queue::{ClaimedJob, JobEffects};
use scorejar_store::Store;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// A fresh SQLite store in a temporary directory (kept alive by the returned guard).
pub(crate) async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.db");
    let store = scorejar_store::sqlite::SqliteStore::open(path.to_str().unwrap())
        .await
        .unwrap();
    (Arc::new(store), dir)
}

fn jobs(kind: &str, count: usize) -> Vec<NewJob> {
    (0..count)
        .map(|i| NewJob {
            id: new_id(),
            kind: kind.into(),
            interaction_id: None,
            payload: serde_json::json!({ "n": i }),
        })
        .collect()
}

fn settings(concurrency: usize) -> WorkerSettings {
    WorkerSettings {
        concurrency,
        lease: Duration::from_secs(30),
        poll_interval: Duration::from_millis(20),
        shutdown_grace: Duration::from_secs(10),
    }
}

async fn count(store: &Arc<dyn Store>, kind: &str, status: &str) -> i64 {
    let counts = store.job_counts(Some(kind)).await.unwrap();
    counts.get(status).copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effect_free_jobs_are_recorded_done_by_their_worker() {
    let (store, _dir) = sqlite().await;
    let queued = jobs("Noop", 300);
    store.enqueue_jobs(queued.clone()).await.unwrap();
    let worker = Arc::new(Worker::new(
        store.clone(),
        vec![Arc::new(Noop)],
        settings(8),
    ));
    let id = worker.id().to_string();
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while count(&store, "Noop", "DONE").await < 300 {
        assert!(tokio::time::Instant::now() < deadline, "not drained");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    running.await.unwrap();
    for job in &queued {
        let state = store.job(&job.id).await.unwrap().expect("the job exists");
        assert_eq!(
            (state.status.as_str(), state.attempts),
            ("DONE", 1),
            "{state:?}"
        );
        assert_eq!(state.worker.as_deref(), Some(id.as_str()), "who ran it");
    }
}

/// Done after a short pause; counts the runs that completed.
struct Slow(Arc<AtomicUsize>);

#[async_trait]
impl JobHandler for Slow {
    fn kind(&self) -> &'static str {
        "Slow"
    }
    async fn run(&self, _job: &ClaimedJob) -> HandlerResult {
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(JobEffects::default())
    }
    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_records_every_finished_job_and_releases_the_rest() {
    let (store, _dir) = sqlite().await;
    store.enqueue_jobs(jobs("Slow", 2000)).await.unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(Slow(runs.clone()));
    let worker = Arc::new(Worker::new(store.clone(), vec![handler], settings(16)));
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    while runs.load(Ordering::SeqCst) < 100 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.cancel();
    running.await.unwrap();
    let done = count(&store, "Slow", "DONE").await;
    assert_eq!(
        done as usize,
        runs.load(Ordering::SeqCst),
        "each completed run recorded once"
    );
    assert!(
        done < 2000,
        "stopped early: the test shows nothing otherwise"
    );
    assert_eq!(
        count(&store, "Slow", "RUNNING").await,
        0,
        "nothing left held"
    );
    assert_eq!(count(&store, "Slow", "QUEUED").await, 2000 - done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_leaves_jobs_held_by_others_alone() {
    let (store, _dir) = sqlite().await;
    store.enqueue_jobs(jobs("Noop", 4)).await.unwrap();
    let kinds = ["Noop".to_string()];
    let lease = Duration::from_secs(30);
    let mine = store.claim_jobs("w1", &kinds, 3, lease).await.unwrap();
    let theirs = store.claim_jobs("w2", &kinds, 1, lease).await.unwrap();
    let ids: Vec<String> = mine.iter().chain(&theirs).map(|j| j.id.clone()).collect();
    let held = Arc::new(Mutex::new(ids.iter().cloned().collect::<HashSet<_>>()));
    let (batcher, flusher) = DoneBatcher::start(store.clone(), "w1".into(), held.clone());
    for id in &ids {
        assert!(batcher.finish(id.clone()));
    }
    drop(batcher);
    flusher.await.unwrap();
    for job in &mine {
        let state = store.job(&job.id).await.unwrap().unwrap();
        assert_eq!(
            (state.status.as_str(), state.worker.as_deref()),
            ("DONE", Some("w1"))
        );
    }
    let other = store.job(&theirs[0].id).await.unwrap().unwrap();
    assert_eq!(
        (other.status.as_str(), other.worker.as_deref()),
        ("RUNNING", Some("w2"))
    );
    assert!(
        held.lock().unwrap().is_empty(),
        "written batches are let go"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starting_worker_sweeps_stale_spool_files() {
    let (store, dir) = sqlite().await;
    let spool = dir.path().join("spool");
    std::fs::create_dir(&spool).unwrap();
    let abandoned = spool.join("fetch-old.part");
    let live = spool.join("fetch-new.part");
    std::fs::File::create(&abandoned)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(7200))
        .unwrap();
    std::fs::File::create(&live).unwrap();
    let worker =
        Worker::new(store, vec![Arc::new(Noop)], settings(1)).with_spool_sweep(SpoolSweep {
            dir: spool,
            stale_after: Duration::from_secs(3600),
        });
    let stop = CancellationToken::new();
    let running = tokio::spawn(Arc::new(worker).run(stop.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while abandoned.exists() {
        assert!(tokio::time::Instant::now() < deadline, "never swept");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    running.await.unwrap();
    assert!(live.exists(), "a file in use is kept");
}

/// A CPU-heavy kind limited to `limit` at once; records the most it saw running in this
/// process and the most the store showed claimed (RUNNING) while one ran.
struct Heavy {
    store: Arc<dyn Store>,
    limit: usize,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    most_claimed: AtomicUsize,
}

#[async_trait]
impl JobHandler for Heavy {
    fn kind(&self) -> &'static str {
        "Heavy"
    }
    fn max_concurrent(&self) -> Option<usize> {
        Some(self.limit)
    }
    async fn run(&self, _job: &ClaimedJob) -> HandlerResult {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let claimed = count(&self.store, "Heavy", "RUNNING").await as usize;
        self.most_claimed.fetch_max(claimed, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(JobEffects::default())
    }
    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_kind_is_never_claimed_beyond_its_limit() {
    let (store, _dir) = sqlite().await;
    store.enqueue_jobs(jobs("Heavy", 12)).await.unwrap();
    store.enqueue_jobs(jobs("Noop", 200)).await.unwrap();
    let heavy = Arc::new(Heavy {
        store: store.clone(),
        limit: 2,
        in_flight: AtomicUsize::new(0),
        most_in_flight: AtomicUsize::new(0),
        most_claimed: AtomicUsize::new(0),
    });
    let worker = Arc::new(Worker::new(
        store.clone(),
        vec![heavy.clone(), Arc::new(Noop)],
        settings(16),
    ));
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while count(&store, "Heavy", "DONE").await < 12 || count(&store, "Noop", "DONE").await < 200 {
        assert!(tokio::time::Instant::now() < deadline, "not drained");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    running.await.unwrap();
    assert_eq!(
        heavy.most_in_flight.load(Ordering::SeqCst),
        2,
        "the limit is used, not exceeded"
    );
    assert!(
        heavy.most_claimed.load(Ordering::SeqCst) <= 2,
        "claimed {} Heavy jobs while only 2 could run",
        heavy.most_claimed.load(Ordering::SeqCst)
    );
}
