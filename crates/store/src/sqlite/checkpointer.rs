//! WAL checkpoints off the writer thread.
//!
//! Copying WAL pages back into the database file is I/O the writer would otherwise do inside
//! some unlucky commit (measured: ~13% of the writer's time and most of its p99). Instead the
//! writer pokes this thread after each commit; the thread waits [`COALESCE`] so one checkpoint
//! covers many commits, then runs a PASSIVE checkpoint on its own connection, which never blocks
//! the writer or the readers. The writer keeps a high auto-checkpoint threshold as a safety net
//! in case this thread falls behind.

use super::migrate;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::time::Duration;

/// How long a poke waits for more commits before checkpointing.
const COALESCE: Duration = Duration::from_millis(50);

/// Pokes the checkpointer; cheap and never blocks.
pub(super) struct CheckpointSignal(SyncSender<()>);

impl CheckpointSignal {
    pub(super) fn poke(&self) {
        // Full means a poke is already pending; disconnected means the thread has stopped and
        // the writer's own auto-checkpoint takes over. Neither is worth reporting.
        let _ = self.0.try_send(());
    }
}

/// Starts the checkpointer thread; it stops when the signal is dropped.
pub(super) fn start(path: &Path) -> anyhow::Result<CheckpointSignal> {
    let conn = migrate::open_checkpointer(path)?;
    let (signal, pokes) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || run(conn, pokes))?;
    Ok(CheckpointSignal(signal))
}

fn run(conn: rusqlite::Connection, pokes: Receiver<()>) {
    while pokes.recv().is_ok() {
        std::thread::sleep(COALESCE);
        let stopping = matches!(pokes.try_recv(), Err(TryRecvError::Disconnected));
        let result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        });
        match result {
            Ok((wal_pages, copied)) => tracing::trace!(wal_pages, copied, "WAL checkpoint"),
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
        if stopping {
            break;
        }
    }
}
