//! The read pool: read-only connections checked out for one blocking task each.
//!
//! Connections are opened on demand and at most [`MAX_IDLE`] are kept between reads, so a burst
//! never waits for a connection (SQLite readers in WAL mode do not block each other or the
//! writer) while a quiet process keeps few file handles.

use super::migrate;
use crate::{StoreError, StoreResult};
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle read connections kept for reuse.
const MAX_IDLE: usize = 4;

pub(super) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    pub(super) fn new(path: PathBuf) -> ReadPool {
        ReadPool {
            path,
            idle: Mutex::new(Vec::with_capacity(MAX_IDLE)),
        }
    }

    pub(super) async fn read<T, F>(self: &Arc<Self>, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.checkout()?;
            let result = work(&mut conn);
            pool.checkin(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("SQLite read task failed: {e}")))?
    }

    fn checkout(&self) -> StoreResult<Connection> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(conn) => Ok(conn),
            None => Ok(migrate::open_reader(&self.path)?),
        }
    }

    fn checkin(&self, conn: Connection) {
        // A connection left inside a transaction would pin an old snapshot: drop it instead.
        if !conn.is_autocommit() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }
}
