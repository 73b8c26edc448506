//! The runner when a job's work goes wrong in ways an error value does not cover: the workers
//! that held it died (its lease expired, every time), its handler panics, or it never ends.
//! Each must end in a recorded outcome, never a job held forever or claimed forever.

use crate::handlers::{HandlerResult, JobHandler};
use crate::runner_tests::sqlite;
use crate::{Worker, WorkerSettings};
use async_trait::async_trait;
use scorejar_core::ids::new_id;
use scorejar_core::model::NewJob;
use scorejar_store::queue::{ClaimedJob, JobEffects, JobState};
use scorejar_store::Store;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What a fault handler does when it runs.
#[derive(Clone, Copy)]
enum Fault {
    Panic,
    Hang,
}

/// Fails its jobs the chosen way; counts its runs and its give-ups.
struct Faulty {
    fault: Fault,
    runs: AtomicUsize,
    give_ups: AtomicUsize,
}

impl Faulty {
    fn new(fault: Fault) -> Arc<Self> {
        Arc::new(Self {
            fault,
            runs: AtomicUsize::new(0),
            give_ups: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl JobHandler for Faulty {
    fn kind(&self) -> &'static str {
        "Faulty"
    }
    fn max_run_time(&self) -> Duration {
        Duration::from_millis(200)
    }
    async fn run(&self, _job: &ClaimedJob) -> HandlerResult {
        self.runs.fetch_add(1, Ordering::SeqCst);
        match self.fault {
            Fault::Panic => panic!("decoder blew up"),
            Fault::Hang => std::future::pending().await,
        }
    }
    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        self.give_ups.fetch_add(1, Ordering::SeqCst);
        JobEffects::default()
    }
}

async fn enqueue_one(store: &Arc<dyn Store>) -> String {
    let id = new_id();
    let job = NewJob {
        id: id.clone(),
        kind: "Faulty".into(),
        interaction_id: None,
        payload: serde_json::json!({}),
    };
    store.enqueue_jobs(vec![job]).await.unwrap();
    id
}

fn settings() -> WorkerSettings {
    WorkerSettings {
        concurrency: 4,
        lease: Duration::from_secs(30),
        poll_interval: Duration::from_millis(20),
        shutdown_grace: Duration::from_secs(5),
    }
}

/// Runs a worker with `handler` until the job `id` satisfies `done`, then stops it.
async fn run_until(
    store: &Arc<dyn Store>,
    handler: Arc<Faulty>,
    id: &str,
    done: impl Fn(&JobState) -> bool,
) -> JobState {
    let worker = Arc::new(Worker::new(store.clone(), vec![handler], settings()));
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let state = loop {
        let state = store.job(id).await.unwrap().expect("the job exists");
        if done(&state) {
            break state;
        }
        assert!(tokio::time::Instant::now() < deadline, "stuck at {state:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    stop.cancel();
    running.await.unwrap();
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_workers_all_died_fails_without_running_again() {
    let (store, _dir) = sqlite().await;
    let id = enqueue_one(&store).await;
    let max = scorejar_core::jobs::max_attempts("Faulty");
    // Each "dead" worker claims the job and never reports: its lease simply runs out, as after
    // a `kill -9` or an out-of-memory abort inside the engine.
    for dead in 0..max {
        let lease = Duration::from_millis(30);
        let claimed = store
            .claim_jobs(&format!("dead-{dead}"), &["Faulty".into()], 1, lease)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "claim {dead} took the job");
        tokio::time::sleep(lease * 2).await;
    }
    let handler = Faulty::new(Fault::Panic);
    let state = run_until(&store, handler.clone(), &id, |s| s.status == "FAILED").await;
    assert_eq!(
        state.last_error.as_deref(),
        Some(format!("worker lost while running it, {max} times").as_str())
    );
    assert_eq!(handler.runs.load(Ordering::SeqCst), 0, "not run again");
    assert_eq!(
        handler.give_ups.load(Ordering::SeqCst),
        1,
        "its give-up effects"
    );
    let again = store
        .claim_jobs("late", &["Faulty".into()], 1, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(again.is_empty(), "a failed job is never claimed again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_fails_its_attempt_and_frees_the_job() {
    let (store, _dir) = sqlite().await;
    let id = enqueue_one(&store).await;
    let handler = Faulty::new(Fault::Panic);
    let state = run_until(&store, handler.clone(), &id, |s| {
        s.status == "QUEUED" && s.attempts == 1
    })
    .await;
    let error = state.last_error.unwrap_or_default();
    assert!(
        error.contains("panicked") && error.contains("decoder blew up"),
        "{error}"
    );
    assert_eq!(state.worker, None, "no worker holds it");
    assert_eq!(
        handler.give_ups.load(Ordering::SeqCst),
        0,
        "retried, not given up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_past_its_kinds_run_time_fails_and_is_retried() {
    let (store, _dir) = sqlite().await;
    let id = enqueue_one(&store).await;
    let handler = Faulty::new(Fault::Hang);
    let state = run_until(&store, handler.clone(), &id, |s| {
        s.status == "QUEUED" && s.attempts == 1
    })
    .await;
    let error = state.last_error.unwrap_or_default();
    assert!(error.contains("longer than its limit"), "{error}");
    assert_eq!(handler.runs.load(Ordering::SeqCst), 1);
}
