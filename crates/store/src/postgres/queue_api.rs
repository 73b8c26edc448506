//! The [`JobQueue`] implementation of [`PgStore`]: thin wrappers over `queue` (the statements
//! and transactions), `queue_read` (reads) and `listener` (LISTEN/NOTIFY wake-ups).

use super::{queue, queue_read, PgStore};
use crate::queue::{ClaimedJob, JobOutcome, JobQueue, JobState};
use crate::StoreResult;
use async_trait::async_trait;
use scorejar_core::model::{InteractionRecord, NewJob};
use std::collections::BTreeMap;
use std::time::Duration;

#[async_trait]
impl JobQueue for PgStore {
    async fn claim_jobs(
        &self,
        worker_id: &str,
        kinds: &[String],
        limit: u32,
        lease: Duration,
    ) -> StoreResult<Vec<ClaimedJob>> {
        queue::claim(&self.pool, worker_id, kinds, limit, lease).await
    }

    async fn extend_leases(
        &self,
        worker_id: &str,
        job_ids: &[String],
        lease: Duration,
    ) -> StoreResult<u64> {
        queue::extend_leases(&self.pool, worker_id, job_ids, lease).await
    }

    async fn finish_job(
        &self,
        job_id: &str,
        worker_id: &str,
        outcome: JobOutcome,
    ) -> StoreResult<bool> {
        queue::finish(&self.pool, job_id, worker_id, &outcome).await
    }

    async fn finish_jobs_done(&self, worker_id: &str, job_ids: &[String]) -> StoreResult<u64> {
        queue::finish_done(&self.pool, worker_id, job_ids).await
    }

    async fn wait_for_jobs(&self, timeout: Duration) {
        self.jobs_signal.wait(timeout).await
    }

    async fn enqueue_jobs(&self, jobs: Vec<NewJob>) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(super::errors::db)?;
        queue::enqueue(&mut conn, &jobs).await
    }

    async fn interaction_for_job(
        &self,
        interaction_id: &str,
    ) -> StoreResult<Option<(String, InteractionRecord)>> {
        queue_read::interaction_for_job(&self.pool, interaction_id).await
    }

    async fn job(&self, job_id: &str) -> StoreResult<Option<JobState>> {
        queue_read::job(&self.pool, job_id).await
    }

    async fn interaction_jobs(&self, interaction_id: &str) -> StoreResult<Vec<JobState>> {
        queue_read::interaction_jobs(&self.pool, interaction_id).await
    }

    async fn job_counts(&self, kind: Option<&str>) -> StoreResult<BTreeMap<String, i64>> {
        queue_read::job_counts(&self.pool, kind).await
    }
}
