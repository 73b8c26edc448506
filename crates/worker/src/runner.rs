//! The job runner: claim → run → record, with bounded concurrency and live leases.
//!
//! Loop: claim up to the free slots of due jobs of our kinds — never more of a kind than its
//! handler's own limit leaves room for (`JobHandler::max_concurrent`: a process running one
//! transcription at a time must not sit on ten claimed ones that other workers could run) —
//! and run each on its own task; a heartbeat task renews the leases of the running ones every
//! `lease / 3`. When nothing is due the runner waits for a wake-up from the store
//! (LISTEN/NOTIFY or an in-process signal) or the poll interval. On shutdown it stops claiming, gives running jobs `shutdown_grace` to finish
//! and releases the rest (back to QUEUED, attempt not counted).
//!
//! Outcomes with effects (or retries, failures) are written one by one with `finish_job`;
//! effect-free DONE outcomes go to the [`DoneBatcher`], which writes them together. Either way a
//! job's slot is free once its outcome is handed over, and its lease is renewed until the
//! write returns. Optionally the runner also sweeps a spool directory (see `spool`).

use crate::backoff::retry_delay;
use crate::done_batch::{is_effect_free, DoneBatcher};
use crate::handlers::{HandlerError, HandlerResult, JobHandler};
use crate::retention::RetentionSweep;
use crate::spool::{sweep_periodically, SpoolSweep};
use futures::FutureExt;
use scorejar_store::queue::{ClaimedJob, JobOutcome};
use scorejar_store::{Store, StoreError};
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Jobs run at once by this process.
    pub concurrency: usize,
    /// How long a claim holds a job without a heartbeat.
    pub lease: Duration,
    /// Longest wait between two looks at the queue when no wake-up arrives.
    pub poll_interval: Duration,
    /// On shutdown, how long running jobs may take before they are released.
    pub shutdown_grace: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            // Most jobs wait on I/O (downloads, the database, remote engines); CPU-heavy kinds
            // have their own, lower limit. 32 is what bench/queue needs to pass 2,000 jobs/s on
            // PostgreSQL (docs/ARCHITECTURE.md, "Figures").
            concurrency: 32,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

/// See [`Worker::claim_plan`].
#[derive(Default)]
struct ClaimPlan {
    unlimited: Vec<String>,
    limited: Vec<(String, Arc<Semaphore>)>,
}

pub struct Worker {
    id: String,
    store: Arc<dyn Store>,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    settings: WorkerSettings,
    /// Jobs this worker holds: running, or finished but not yet recorded.
    running: Arc<Mutex<HashSet<String>>>,
    spool_sweep: Option<SpoolSweep>,
    retention: Option<RetentionSweep>,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        handlers: Vec<Arc<dyn JobHandler>>,
        settings: WorkerSettings,
    ) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
        Self {
            id: format!(
                "{host}-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ),
            store,
            handlers: handlers.into_iter().map(|h| (h.kind(), h)).collect(),
            settings,
            running: Arc::default(),
            spool_sweep: None,
            retention: None,
        }
    }

    /// Also removes stale download spool files (left by a killed worker) from `sweep.dir`, at
    /// start and then periodically while running.
    pub fn with_spool_sweep(mut self, sweep: SpoolSweep) -> Self {
        self.spool_sweep = Some(sweep);
        self
    }

    /// Runs the retention sweep (`crate::retention`) every `sweep.interval` while working.
    pub fn with_retention(mut self, sweep: RetentionSweep) -> Self {
        self.retention = Some(sweep);
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `shutdown` is cancelled, then drains as described in the module docs.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let kinds: Vec<String> = self.handlers.keys().map(|k| k.to_string()).collect();
        let slots = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        let plan = self.claim_plan();
        let heartbeat = tokio::spawn(self.clone().heartbeat());
        let sweeper = self
            .spool_sweep
            .clone()
            .map(|s| tokio::spawn(sweep_periodically(s)));
        let retention = self
            .retention
            .clone()
            .map(|r| tokio::spawn(crate::retention::sweep_periodically(r)));
        let (done, flusher) =
            DoneBatcher::start(self.store.clone(), self.id.clone(), self.running.clone());
        let mut tasks = tokio::task::JoinSet::new();
        tracing::info!(worker = %self.id, ?kinds, "worker started");
        while !shutdown.is_cancelled() {
            while tasks.try_join_next().is_some() {}
            let claimed = self.claim(slots.available_permits(), &plan).await;
            if claimed.is_empty() {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = self.store.wait_for_jobs(self.settings.poll_interval) => {}
                    Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                }
                continue;
            }
            for job in claimed {
                // Only this loop takes permits, and `claim` asked for no more than were free.
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    break;
                };
                let kind_slots = plan.limited.iter().find(|(k, _)| *k == job.kind);
                let kind_permit = match kind_slots {
                    Some((_, kind)) => match kind.clone().acquire_owned().await {
                        Ok(p) => Some(p),
                        Err(_) => break,
                    },
                    None => None,
                };
                self.running
                    .lock()
                    .map(|mut r| r.insert(job.id.clone()))
                    .ok();
                let me = self.clone();
                let done = done.clone();
                tasks.spawn(async move {
                    me.execute(job, &done).await;
                    drop((permit, kind_permit));
                });
            }
        }
        // Shutdown: let running jobs finish within the grace period, then release them.
        let grace = tokio::time::timeout(self.settings.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        });
        if grace.await.is_err() {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        // Every sender is gone now: the flusher records what it was handed, then stops. Only
        // then is it clear which jobs are still held without an outcome.
        drop(done);
        if tokio::time::timeout(self.settings.shutdown_grace, flusher)
            .await
            .is_err()
        {
            tracing::warn!("recording finished jobs took longer than the grace period");
        }
        let left: Vec<String> = self
            .running
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default();
        for id in left {
            let _ = self
                .store
                .finish_job(&id, &self.id, JobOutcome::Release)
                .await;
        }
        heartbeat.abort();
        if let Some(sweeper) = sweeper {
            sweeper.abort();
        }
        if let Some(retention) = retention {
            retention.abort();
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }

    /// Which kinds are claimed together, and which (those whose handler limits how many of its
    /// jobs run at once) each with a semaphore of their own. Fixed for the worker's life.
    fn claim_plan(&self) -> ClaimPlan {
        let mut plan = ClaimPlan::default();
        for (kind, handler) in &self.handlers {
            match handler.max_concurrent() {
                Some(n) => plan
                    .limited
                    .push((kind.to_string(), Arc::new(Semaphore::new(n.max(1))))),
                None => plan.unlimited.push(kind.to_string()),
            }
        }
        plan
    }

    /// Claims at most `free` jobs: of the unlimited kinds together, then of each limited kind
    /// no more than its free slots. A failed claim is logged and claims nothing.
    async fn claim(&self, mut free: usize, plan: &ClaimPlan) -> Vec<ClaimedJob> {
        let limited = plan
            .limited
            .iter()
            .map(|(kind, slots)| (std::slice::from_ref(kind), slots.available_permits()));
        let groups = std::iter::once((plan.unlimited.as_slice(), usize::MAX)).chain(limited);
        let mut claimed = Vec::new();
        for (kinds, cap) in groups {
            let limit = free.min(cap);
            if limit == 0 || kinds.is_empty() {
                continue;
            }
            match self
                .store
                .claim_jobs(&self.id, kinds, limit as u32, self.settings.lease)
                .await
            {
                Ok(jobs) => {
                    free -= jobs.len().min(free);
                    claimed.extend(jobs);
                }
                Err(err) => tracing::warn!(error = %err, "claiming jobs failed"),
            }
        }
        claimed
    }

    /// Renews leases until aborted; keeps going through the shutdown grace period, when the
    /// running jobs still need their leases.
    async fn heartbeat(self: Arc<Self>) {
        let every = self.settings.lease / 3;
        loop {
            tokio::time::sleep(every).await;
            let ids: Vec<String> = self
                .running
                .lock()
                .map(|r| r.iter().cloned().collect())
                .unwrap_or_default();
            if !ids.is_empty() {
                if let Err(err) = self
                    .store
                    .extend_leases(&self.id, &ids, self.settings.lease)
                    .await
                {
                    tracing::warn!(error = %err, "renewing leases failed");
                }
            }
        }
    }

    async fn execute(&self, job: ClaimedJob, done: &DoneBatcher) {
        let span =
            tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempt);
        self.run_and_record(job, done).instrument(span).await
    }

    async fn run_and_record(&self, job: ClaimedJob, done: &DoneBatcher) {
        let Some(handler) = self.handlers.get(job.kind.as_str()).cloned() else {
            // Claims only ask for kinds with a handler; let the lease lapse for another worker.
            self.running.lock().map(|mut r| r.remove(&job.id)).ok();
            return;
        };
        let waited = time::OffsetDateTime::now_utc() - job.due_at;
        metrics::histogram!("scorejar_job_claim_delay_seconds", "kind" => job.kind.clone())
            .record(waited.as_seconds_f64().max(0.0));
        let started = std::time::Instant::now();
        let attempted = self.attempt(&job, handler.as_ref()).await;
        metrics::histogram!("scorejar_job_run_seconds", "kind" => job.kind.clone())
            .record(started.elapsed().as_secs_f64());
        let outcome = match attempted {
            Ok(effects) => JobOutcome::Done(effects),
            Err(HandlerError::Retryable(error)) if job.attempt < job.max_attempts => {
                let delay = retry_delay(job.attempt, rand::random::<f64>(), None);
                tracing::warn!(%error, ?delay, "job failed; will retry");
                let run_at = time::OffsetDateTime::now_utc() + delay;
                JobOutcome::Retry { error, run_at }
            }
            Err(HandlerError::Wait(error, wait)) => {
                tracing::warn!(%error, ?wait, "job cannot run yet; it waits");
                let run_at = time::OffsetDateTime::now_utc() + wait;
                JobOutcome::Wait { error, run_at }
            }
            Err(HandlerError::Reschedule(error, wait)) if job.attempt < job.max_attempts => {
                let run_at = time::OffsetDateTime::now_utc() + wait;
                JobOutcome::Retry { error, run_at }
            }
            Err(HandlerError::RetryAfter(error, wait)) if job.attempt < job.max_attempts => {
                let delay = retry_delay(job.attempt, rand::random::<f64>(), Some(wait));
                tracing::warn!(%error, ?delay, "job failed; will retry");
                let run_at = time::OffsetDateTime::now_utc() + delay;
                JobOutcome::Retry { error, run_at }
            }
            Err(
                HandlerError::Retryable(error)
                | HandlerError::RetryAfter(error, _)
                | HandlerError::Reschedule(error, _)
                | HandlerError::Permanent(error),
            ) => {
                tracing::warn!(%error, "job failed for good");
                let effects = handler.give_up(&job, &error).await;
                JobOutcome::Failed { error, effects }
            }
        };
        metrics::counter!("scorejar_job_attempts_total", "kind" => job.kind.clone(),
            "outcome" => outcome_label(&outcome))
        .increment(1);
        record_credit_moves(&outcome);
        // The batcher takes the job out of `running` once its write returns. Not for a kind with
        // a limit of its own: its slot is given back when this returns, and the job must have
        // left RUNNING by then, or the store would show more of the kind claimed than may run
        // (a batched DONE is written a moment later). Such kinds are heavy: one more write per
        // job costs nothing.
        let limited = handler.max_concurrent().is_some();
        if !limited && is_effect_free(&outcome) && done.finish(job.id.clone()) {
            return;
        }
        self.record(&job, handler.as_ref(), outcome).await;
        self.running.lock().map(|mut r| r.remove(&job.id)).ok();
    }

    /// One attempt of `job`, or the reason it did not succeed. A job claimed more often than
    /// it may be attempted was lost by the workers that held it (each claim counts an attempt,
    /// and only a lost lease lets a job be claimed without an outcome): its work is likely
    /// what killed them (out of memory, a decoder abort), so it is not run again. A handler
    /// that panics or overruns its kind's run time fails the attempt like an error would.
    async fn attempt(&self, job: &ClaimedJob, handler: &dyn JobHandler) -> HandlerResult {
        if job.attempt > job.max_attempts {
            return Err(HandlerError::Permanent(lost_message(job.attempt - 1)));
        }
        let limit = handler.max_run_time();
        let run = AssertUnwindSafe(handler.run(job)).catch_unwind();
        match tokio::time::timeout(limit, run).await {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => Err(HandlerError::Retryable(format!(
                "the job's handler panicked: {}",
                panic_message(panic.as_ref())
            ))),
            Err(_) => Err(HandlerError::Retryable(format!(
                "the attempt ran longer than its limit of {} s",
                limit.as_secs()
            ))),
        }
    }

    async fn record(&self, job: &ClaimedJob, handler: &dyn JobHandler, outcome: JobOutcome) {
        let result = match self
            .store
            .finish_job(&job.id, &self.id, outcome.clone())
            .await
        {
            Err(StoreError::InsufficientCredits { .. }) => {
                let effects = match outcome {
                    JobOutcome::Done(effects) => effects,
                    _ => Default::default(),
                };
                let fallback = match handler.when_credits_short(job, effects).await {
                    Some(effects) => JobOutcome::Done(effects),
                    None => {
                        let error = "insufficient_credits".to_string();
                        JobOutcome::Failed {
                            effects: handler.give_up(job, &error).await,
                            error,
                        }
                    }
                };
                self.store.finish_job(&job.id, &self.id, fallback).await
            }
            other => other,
        };
        match result {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("lease lost before the job was recorded; another worker owns it")
            }
            // The lease will expire and the job run again: handlers are idempotent.
            Err(err) => tracing::error!(error = %err, "recording the job outcome failed"),
        }
    }
}

/// The error a job gets when `lost` workers in a row stopped (crashed, were killed) while
/// running it.
/// Credits the outcome moves (settlements and refunds), for `/metrics`. A move that does not
/// fit the balance is recorded again by `record` with what replaced it; that rare case is
/// counted as first decided.
fn record_credit_moves(outcome: &JobOutcome) {
    let effects = match outcome {
        JobOutcome::Done(effects) | JobOutcome::Failed { effects, .. } => effects,
        _ => return,
    };
    for change in &effects.credits {
        if change.amount > 0 {
            metrics::counter!("scorejar_credits_refunded_total").increment(change.amount as u64);
        } else {
            metrics::counter!("scorejar_credits_charged_total")
                .increment(change.amount.unsigned_abs());
        }
    }
}

/// How an attempt ended, as the `outcome` label of `scorejar_job_attempts_total`.
fn outcome_label(outcome: &JobOutcome) -> &'static str {
    match outcome {
        JobOutcome::Done(_) => "done",
        JobOutcome::Retry { .. } => "retry",
        JobOutcome::Wait { .. } => "wait",
        JobOutcome::Failed { .. } => "failed",
        JobOutcome::Release => "released",
    }
}

fn lost_message(lost: i64) -> String {
    let plural = if lost == 1 { "" } else { "s" };
    format!("worker lost while running it, {lost} time{plural}")
}

/// What a panic said, when it said it with a string.
fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}
