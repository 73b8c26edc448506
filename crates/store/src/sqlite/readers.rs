//! The read pool: read-only connections checked out for one blocking task each.
//!
//! Connections are opened on demand and at most [`MAX_IDLE`] are kept between reads, so a burst
//! never waits for a connection (SQLite readers in WAL mode do not block each other or the
//! writer) while a quiet process keeps few file handles.

use super::db::SqliteDb;
use super::migrate;
use crate::{StoreError, StoreResult};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle read connections kept for reuse.
const MAX_IDLE: usize = 4;

pub(super) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<SqliteDb>>,
}

impl ReadPool {
    pub(super) fn new(path: PathBuf) -> ReadPool {
        ReadPool {
            path,
            idle: Mutex::new(Vec::with_capacity(MAX_IDLE)),
        }
    }

    /// Runs `work` on a pooled connection on a blocking thread, inside one read transaction so
    /// that everything it reads comes from the same snapshot.
    pub(super) async fn read<T, F>(self: &Arc<Self>, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteDb) -> StoreResult<T> + Send + 'static,
    {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut db = pool.checkout()?;
            db.conn().prepare_cached("BEGIN")?.execute([])?;
            let result = work(&mut db);
            let ended = db
                .conn()
                .prepare_cached("COMMIT")
                .and_then(|mut s| s.execute([]));
            pool.checkin(db);
            let value = result?;
            ended?;
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("SQLite read task failed: {e}")))?
    }

    fn checkout(&self) -> StoreResult<SqliteDb> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(db) => Ok(db),
            None => Ok(SqliteDb::new(migrate::open_reader(&self.path)?)),
        }
    }

    fn checkin(&self, db: SqliteDb) {
        // A connection left inside a transaction would pin an old snapshot: drop it instead.
        if !db.conn().is_autocommit() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(db);
            }
        }
    }
}
