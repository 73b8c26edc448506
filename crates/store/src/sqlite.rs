//! SQLite backend: [`SqliteStore`], rusqlite with one writer thread and a small read pool.
//!
//! Rules of this backend:
//! - every write runs on the single writer connection (`writer`), inside `BEGIN IMMEDIATE`, so
//!   check-then-insert sequences (duplicate uploads, credit debits) cannot race inside one
//!   process, and other processes on the same file queue behind the busy timeout;
//! - writes arriving together are committed together (group commit), each in its own savepoint,
//!   and nobody hears "done" before the COMMIT that holds their changes;
//! - reads never touch the writer: they use read-only connections (`readers`) on blocking threads;
//! - only bound parameters reach SQL.
//!
//! The submodules own one area each and are plain synchronous functions over a `Connection`:
//! `accounts` (accounts, users, sessions), `tokens` (API tokens), `credits` (balance and ledger),
//! `catalog` (tags and scorecards), `uploads` (create_upload, queue_evaluation, find_upload),
//! `participants` (agent/customer matching), `interactions` (reading one record), `listing`
//! (filtered, paginated lists), `jobs` (enqueue and list), `codec` (columns ⇄ domain types),
//! `errors`, `migrate` (connections, pragmas, schema), `writer` and `checkpointer` (the writer
//! thread and the thread that checkpoints its WAL), `readers` (the read pool) and `api` (the
//! [`crate::Store`] impl), `queue`, `queue_effects`, `queue_read` and `queue_api` (the job
//! queue: claims, leases, finishing with effects, reads, and its [`crate::queue::JobQueue`] impl).

mod accounts;
mod api;
mod catalog;
mod checkpointer;
mod codec;
mod credits;
mod errors;
mod interactions;
mod jobs;
mod listing;
mod migrate;
mod participants;
mod queue;
mod queue_api;
mod queue_effects;
mod queue_read;
mod readers;
#[cfg(test)]
mod tests;
mod tokens;
mod uploads;
mod writer;

use crate::StoreResult;
use anyhow::Context;
use readers::ReadPool;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use writer::Writer;

/// The SQLite [`crate::Store`]. Dropping it stops the writer thread once queued writes are done.
pub struct SqliteStore {
    writer: Writer,
    readers: Arc<ReadPool>,
    path: PathBuf,
    /// Raised after a committed write that inserted or re-queued jobs (`wait_for_jobs`).
    jobs_signal: Arc<tokio::sync::Notify>,
}

impl SqliteStore {
    /// Opens (creating it and its parent directories when missing) the database at `path`, sets
    /// the pragmas, runs the embedded migrations and starts the writer thread.
    pub async fn open(path: &str) -> anyhow::Result<SqliteStore> {
        let path = PathBuf::from(path);
        let opened_path = path.clone();
        let conn = tokio::task::spawn_blocking(move || open_and_migrate(&opened_path))
            .await
            .context("opening the SQLite database")??;
        let checkpoints = checkpointer::start(&path).context("starting the SQLite checkpointer")?;
        let writer =
            Writer::start(conn, checkpoints).context("starting the SQLite writer thread")?;
        let readers = Arc::new(ReadPool::new(path.clone()));
        Ok(SqliteStore {
            writer,
            readers,
            path,
            jobs_signal: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// The database file this store writes to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the writer connection inside the current group-commit transaction and
    /// answers once it is committed. An `Err` from `work` rolls back only its own changes.
    async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.writer.write(work).await
    }

    /// Runs `work` on a pooled read-only connection on a blocking thread.
    async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        self.readers.read(work).await
    }
}

fn open_and_migrate(path: &Path) -> anyhow::Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the directory {}", parent.display()))?;
    }
    let conn = migrate::open_writer(path)?;
    migrate::run_migrations(&conn)?;
    Ok(conn)
}
