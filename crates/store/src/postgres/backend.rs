//! How work runs on PostgreSQL: reads and single-statement writes on a pooled connection (each
//! statement its own transaction), other writes in a transaction committed at the end; and the
//! operations whose SQL is PostgreSQL's own (one-statement uploads, claims, LISTEN).

use super::db::{sql_error, PgDb};
use super::{claim, upload, PgStore};
use crate::backend::{Backend, Work};
use crate::queue::ClaimedJob;
use crate::StoreResult;
use scorejar_core::model::{NewUpload, UploadOutcome};
use std::future::Future;
use std::time::Duration;

impl PgStore {
    async fn on_connection<T>(&self, work: impl Work<PgDb, T>) -> StoreResult<T> {
        let mut db = PgDb::Pooled(self.pool.acquire().await.map_err(sql_error)?);
        work(&mut db).await
    }

    async fn in_transaction<T>(&self, work: impl Work<PgDb, T>) -> StoreResult<T> {
        let mut db = PgDb::Tx(self.pool.begin().await.map_err(sql_error)?);
        let result = work(&mut db).await;
        let PgDb::Tx(tx) = db else {
            unreachable!("a transaction stays one")
        };
        match result {
            Ok(value) => {
                tx.commit().await.map_err(sql_error)?;
                Ok(value)
            }
            Err(e) => {
                // Dropping an open transaction rolls it back too; saying so frees the
                // connection at once.
                if let Err(rollback) = tx.rollback().await {
                    tracing::debug!(error = %rollback, "rollback after a failed transaction");
                }
                Err(e)
            }
        }
    }
}

impl Backend for PgStore {
    type Db = PgDb;

    fn name(&self) -> &'static str {
        "postgres"
    }

    fn pool_use(&self) -> Option<(u32, u32)> {
        let pool = self.pool();
        Some((pool.size(), pool.num_idle() as u32))
    }

    fn read<T: Send + 'static>(
        &self,
        work: impl Work<PgDb, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send {
        self.on_connection(work)
    }

    fn write<T: Send + 'static>(
        &self,
        work: impl Work<PgDb, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send {
        self.in_transaction(work)
    }

    fn write_one<T: Send + 'static>(
        &self,
        work: impl Work<PgDb, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send {
        self.on_connection(work)
    }

    fn jobs_committed(&self) {}

    async fn create_upload(&self, new: NewUpload) -> StoreResult<UploadOutcome> {
        upload::create_upload(&self.pool, &new).await
    }

    fn claim(
        &self,
        worker_id: String,
        kinds: Vec<String>,
        limit: u32,
        lease: Duration,
    ) -> impl Future<Output = StoreResult<Vec<ClaimedJob>>> + Send {
        self.in_transaction(move |db| {
            Box::pin(async move { claim::claim(db, &worker_id, &kinds, limit, lease).await })
        })
    }

    fn wait_for_jobs(&self, timeout: Duration) -> impl Future<Output = ()> + Send {
        self.jobs_signal.wait(timeout)
    }
}
