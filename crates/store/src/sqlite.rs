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
//! What it runs is `crate::ops` (through `crate::backend`); this module owns only the
//! connections: `db` (the neutral `Db` on a rusqlite connection), `writer` and `checkpointer`
//! (the writer thread and the thread that checkpoints its WAL), `readers` (the read pool),
//! `migrate` (pragmas, schema), `backend` (how work runs here, and SQLite's claim) and
//! `backup` (online backups and restores of the file).

mod backend;
pub mod backup;
mod checkpointer;
mod db;
mod migrate;
mod readers;
#[cfg(test)]
mod tests;
mod writer;

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
