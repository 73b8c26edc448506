//! Batched completion of effect-free jobs.
//!
//! A job whose outcome is `Done` with no effects needs nothing but its row marked DONE. Writing
//! those one by one costs a transaction (and, on PostgreSQL, a commit flush) per job, which caps
//! a worker far below what the queue can claim. The runner hands such jobs to a [`DoneBatcher`]
//! instead; one flusher task marks everything handed in since its last write DONE with a single
//! `finish_jobs_done`.
//!
//! Rules:
//! - no timer: the flusher writes as soon as it has anything, and whatever arrives while a
//!   write is in flight goes into the next one, so a job waits at most one write longer than
//!   it would alone, and batches grow only when the store is the bottleneck;
//! - a job stays in the runner's `running` set (its lease renewed by the heartbeat) until the
//!   write that marks it DONE has returned, so its lease cannot lapse while it waits;
//! - nothing is ever lost: a write that fails, or a process that dies before the write, leaves
//!   the job RUNNING; its lease expires and the (idempotent) job runs again;
//! - closing the batcher (dropping every sender) makes the flusher write what is left and stop.

use scorejar_store::queue::JobOutcome;
use scorejar_store::Store;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Most jobs one write marks DONE; more waiting go into the next write.
pub const MAX_BATCH: usize = 512;

/// True when `outcome` can be recorded by the batch write: DONE with no effects at all.
pub fn is_effect_free(outcome: &JobOutcome) -> bool {
    matches!(outcome, JobOutcome::Done(effects) if *effects == Default::default())
}

/// The sending side: cheap to clone, one per running job.
#[derive(Clone)]
pub struct DoneBatcher {
    jobs: mpsc::UnboundedSender<String>,
}

impl DoneBatcher {
    /// Starts the flusher for `worker_id`'s jobs. `running` is the runner's set of held jobs;
    /// the flusher removes each job from it once its write has returned.
    pub fn start(
        store: Arc<dyn Store>,
        worker_id: String,
        running: Arc<Mutex<HashSet<String>>>,
    ) -> (DoneBatcher, JoinHandle<()>) {
        let (jobs, received) = mpsc::unbounded_channel();
        let flusher = tokio::spawn(flush_until_closed(store, worker_id, running, received));
        (DoneBatcher { jobs }, flusher)
    }

    /// Queues `job_id` to be marked DONE. Returns `false` if the flusher has stopped (the
    /// job then stays RUNNING until its lease expires).
    pub fn finish(&self, job_id: String) -> bool {
        self.jobs.send(job_id).is_ok()
    }
}

async fn flush_until_closed(
    store: Arc<dyn Store>,
    worker_id: String,
    running: Arc<Mutex<HashSet<String>>>,
    mut received: mpsc::UnboundedReceiver<String>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while received.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match store.finish_jobs_done(&worker_id, &batch).await {
            Ok(marked) if marked as usize == batch.len() => {}
            Ok(marked) => tracing::warn!(
                lost = batch.len() - marked as usize,
                "leases lost before the jobs were recorded; other workers own them"
            ),
            // The leases will expire and the jobs run again: handlers are idempotent.
            Err(err) => tracing::error!(
                error = %err,
                jobs = batch.len(),
                "recording finished jobs failed"
            ),
        }
        if let Ok(mut held) = running.lock() {
            for id in &batch {
                held.remove(id);
            }
        }
        batch.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scorejar_store::queue::{JobEffects, MediaUpdate};

    #[test]
    fn only_done_without_effects_is_batched() {
        let media = JobEffects {
            media: Some(MediaUpdate {
                status: scorejar_core::model::StepStatus::Completed,
                info: Default::default(),
                error: None,
            }),
            ..Default::default()
        };
        let follow_up = JobEffects {
            enqueue: vec![scorejar_core::model::NewJob {
                id: "j".into(),
                kind: "Noop".into(),
                interaction_id: None,
                payload: serde_json::Value::Null,
            }],
            ..Default::default()
        };
        let cases = [
            (JobOutcome::Done(JobEffects::default()), true),
            (JobOutcome::Done(media), false),
            (JobOutcome::Done(follow_up), false),
            (
                JobOutcome::Failed {
                    error: "x".into(),
                    effects: JobEffects::default(),
                },
                false,
            ),
            (
                JobOutcome::Retry {
                    error: "x".into(),
                    run_at: time::OffsetDateTime::UNIX_EPOCH,
                },
                false,
            ),
            (JobOutcome::Release, false),
            (
                JobOutcome::Wait {
                    error: "x".into(),
                    run_at: time::OffsetDateTime::UNIX_EPOCH,
                },
                false,
            ),
        ];
        for (outcome, batched) in cases {
            assert_eq!(is_effect_free(&outcome), batched, "{outcome:?}");
        }
    }
}
