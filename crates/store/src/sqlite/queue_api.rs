//! The [`JobQueue`] implementation of [`SqliteStore`]: writes go to the writer thread, reads to
//! the read pool. Jobs inserted by this process wake `wait_for_jobs` through an in-process
//! signal, raised once the inserting write has committed; other processes sharing the file are
//! only seen by polling (the `timeout`).

use super::{queue, queue_read, SqliteStore};
use crate::queue::{ClaimedJob, JobOutcome, JobQueue, JobState};
use crate::StoreResult;
use async_trait::async_trait;
use scorejar_core::model::{InteractionRecord, NewJob};
use std::collections::BTreeMap;
use std::time::Duration;

#[async_trait]
impl JobQueue for SqliteStore {
    async fn claim_jobs(
        &self,
        worker_id: &str,
        kinds: &[String],
        limit: u32,
        lease: Duration,
    ) -> StoreResult<Vec<ClaimedJob>> {
        let worker_id = worker_id.to_owned();
        let kinds = kinds.to_vec();
        self.write(move |c| queue::claim(c, &worker_id, &kinds, limit, lease))
            .await
    }

    async fn extend_leases(
        &self,
        worker_id: &str,
        job_ids: &[String],
        lease: Duration,
    ) -> StoreResult<u64> {
        let worker_id = worker_id.to_owned();
        let job_ids = job_ids.to_vec();
        self.write(move |c| queue::extend_leases(c, &worker_id, &job_ids, lease))
            .await
    }

    async fn finish_job(
        &self,
        job_id: &str,
        worker_id: &str,
        outcome: JobOutcome,
    ) -> StoreResult<bool> {
        let job_id = job_id.to_owned();
        let worker_id = worker_id.to_owned();
        let requeues = match &outcome {
            JobOutcome::Done(effects) | JobOutcome::Failed { effects, .. } => {
                !effects.enqueue.is_empty()
            }
            JobOutcome::Retry { .. } | JobOutcome::Release => true,
        };
        let finished = self
            .write(move |c| queue::finish(c, &job_id, &worker_id, &outcome))
            .await?;
        if finished && requeues {
            self.jobs_signal.notify_waiters();
        }
        Ok(finished)
    }

    async fn finish_jobs_done(&self, worker_id: &str, job_ids: &[String]) -> StoreResult<u64> {
        let worker_id = worker_id.to_owned();
        let job_ids = job_ids.to_vec();
        self.write(move |c| queue::finish_done(c, &worker_id, &job_ids))
            .await
    }

    async fn wait_for_jobs(&self, timeout: Duration) {
        // Elapsing is the normal way out; the caller polls either way.
        let _ = tokio::time::timeout(timeout, self.jobs_signal.notified()).await;
    }

    async fn enqueue_jobs(&self, jobs: Vec<NewJob>) -> StoreResult<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        self.write(move |c| queue::enqueue(c, &jobs)).await?;
        self.jobs_signal.notify_waiters();
        Ok(())
    }

    async fn interaction_for_job(
        &self,
        interaction_id: &str,
    ) -> StoreResult<Option<(String, InteractionRecord)>> {
        let interaction_id = interaction_id.to_owned();
        self.read(move |c| queue_read::interaction_for_job(c, &interaction_id))
            .await
    }

    async fn job(&self, job_id: &str) -> StoreResult<Option<JobState>> {
        let job_id = job_id.to_owned();
        self.read(move |c| queue_read::job(c, &job_id)).await
    }

    async fn interaction_jobs(&self, interaction_id: &str) -> StoreResult<Vec<JobState>> {
        let interaction_id = interaction_id.to_owned();
        self.read(move |c| queue_read::interaction_jobs(c, &interaction_id))
            .await
    }

    async fn job_counts(&self, kind: Option<&str>) -> StoreResult<BTreeMap<String, i64>> {
        let kind = kind.map(str::to_owned);
        self.read(move |c| queue_read::job_counts(c, kind.as_deref()))
            .await
    }
}
