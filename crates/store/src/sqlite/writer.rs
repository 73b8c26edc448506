//! The single writer: one read-write connection owned by one thread, fed through a channel.
//!
//! Group commit: when the thread wakes up it takes every request already queued (up to
//! [`MAX_BATCH`]), runs them in one `BEGIN IMMEDIATE` transaction, each inside its own
//! SAVEPOINT so a failing request rolls back only itself, COMMITs once, and only then replies.
//! If the COMMIT (or the transaction itself) fails, every request that had succeeded gets an
//! error too: nothing is reported done that is not durable.

use super::checkpointer::CheckpointSignal;
use super::db::SqliteDb;
use crate::{StoreError, StoreResult};
use rusqlite::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Most requests committed together; bounds the latency a batch adds to its first request.
const MAX_BATCH: usize = 64;

/// Handle to the writer thread. Dropping it closes the queue; the thread finishes what is
/// queued and exits.
pub(super) struct Writer {
    queue: mpsc::Sender<Box<dyn PendingWrite>>,
}

impl Writer {
    /// Starts the writer thread; it pokes `checkpoints` after every commit.
    pub(super) fn start(
        conn: Connection,
        checkpoints: CheckpointSignal,
    ) -> std::io::Result<Writer> {
        let (queue, requests) = mpsc::channel::<Box<dyn PendingWrite>>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(SqliteDb::new(conn), requests, checkpoints))?;
        Ok(Writer { queue })
    }

    pub(super) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteDb) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            work: Some(work),
            outcome: None,
            reply,
        };
        self.queue
            .send(Box::new(request))
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?;
        answer.await.map_err(|_| {
            StoreError::Unavailable("the SQLite writer stopped before answering".into())
        })?
    }
}

/// Why a whole batch failed; turned into one error per request.
struct BatchFailure {
    busy: bool,
    message: String,
}

impl BatchFailure {
    fn from_sqlite(e: &rusqlite::Error) -> BatchFailure {
        BatchFailure {
            busy: super::db::is_busy(e),
            message: e.to_string(),
        }
    }

    fn to_error(&self) -> StoreError {
        if self.busy {
            StoreError::Unavailable(self.message.clone())
        } else {
            StoreError::Internal(anyhow::anyhow!(
                "SQLite transaction failed: {}",
                self.message
            ))
        }
    }
}

/// One queued write with its reply channel, type-erased so one queue carries every kind.
trait PendingWrite: Send {
    /// Runs the work; true when it succeeded (its changes are kept).
    fn run(&mut self, db: &mut SqliteDb) -> bool;
    /// Replies: the work's own outcome, unless it succeeded but its batch did not commit.
    fn finish(self: Box<Self>, batch_failure: Option<&BatchFailure>);
}

struct Request<T, F> {
    work: Option<F>,
    outcome: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> PendingWrite for Request<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut SqliteDb) -> StoreResult<T> + Send + 'static,
{
    fn run(&mut self, db: &mut SqliteDb) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        // A panic must not take the writer thread (and every later write) down with it.
        let outcome = catch_unwind(AssertUnwindSafe(|| work(db))).unwrap_or_else(|_| {
            Err(StoreError::Internal(anyhow::anyhow!(
                "a SQLite write panicked"
            )))
        });
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn finish(self: Box<Self>, batch_failure: Option<&BatchFailure>) {
        let answer = match (self.outcome, batch_failure) {
            (Some(Err(own)), _) => Err(own),
            (Some(Ok(value)), None) => Ok(value),
            (_, Some(failure)) => Err(failure.to_error()),
            (None, None) => Err(StoreError::Internal(anyhow::anyhow!(
                "a SQLite write was never run"
            ))),
        };
        // A closed reply channel means the caller went away; the committed write stands.
        let _ = self.reply.send(answer);
    }
}

fn run(
    mut db: SqliteDb,
    requests: mpsc::Receiver<Box<dyn PendingWrite>>,
    checkpoints: CheckpointSignal,
) {
    while let Ok(first) = requests.recv() {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match requests.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        commit_batch(&mut db, batch);
        checkpoints.poke();
    }
}

fn commit_batch(db: &mut SqliteDb, batch: Vec<Box<dyn PendingWrite>>) {
    if let Err(e) = exec(db.conn(), "BEGIN IMMEDIATE") {
        let failure = BatchFailure::from_sqlite(&e);
        tracing::warn!(error = %e, "SQLite writer could not begin a transaction");
        batch.into_iter().for_each(|r| r.finish(Some(&failure)));
        return;
    }
    let mut done = Vec::with_capacity(batch.len());
    let mut broken: Option<BatchFailure> = None;
    for mut request in batch {
        // Once the transaction is gone, the rest are not run: they get the batch's error.
        if broken.is_none() {
            if let Err(failure) = run_in_savepoint(db, request.as_mut()) {
                broken = Some(failure);
            }
        }
        done.push(request);
    }
    let failure = match broken {
        Some(failure) => {
            rollback(db.conn());
            Some(failure)
        }
        None => match exec(db.conn(), "COMMIT") {
            Ok(()) => None,
            Err(e) => {
                tracing::warn!(error = %e, "SQLite writer could not commit");
                rollback(db.conn());
                Some(BatchFailure::from_sqlite(&e))
            }
        },
    };
    done.into_iter().for_each(|r| r.finish(failure.as_ref()));
}

fn run_in_savepoint(db: &mut SqliteDb, request: &mut dyn PendingWrite) -> Result<(), BatchFailure> {
    let sqlite = |e: rusqlite::Error| BatchFailure::from_sqlite(&e);
    exec(db.conn(), "SAVEPOINT write_request").map_err(sqlite)?;
    let succeeded = request.run(db);
    let conn = db.conn();
    // Some errors (disk full, I/O) make SQLite roll back the whole transaction by itself.
    if conn.is_autocommit() {
        return Err(BatchFailure {
            busy: false,
            message: "the transaction was rolled back by SQLite".into(),
        });
    }
    if !succeeded {
        exec(conn, "ROLLBACK TO write_request").map_err(sqlite)?;
    }
    exec(conn, "RELEASE write_request").map_err(sqlite)
}

fn rollback(conn: &Connection) {
    if !conn.is_autocommit() {
        if let Err(e) = exec(conn, "ROLLBACK") {
            tracing::error!(error = %e, "SQLite writer could not roll back");
        }
    }
}

fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, Writer, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let conn = super::super::migrate::open_writer(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")
            .unwrap();
        let checkpoints = super::super::checkpointer::start(&path).unwrap();
        (dir, Writer::start(conn, checkpoints).unwrap(), path)
    }

    fn count(path: &std::path::Path) -> i64 {
        let conn = Connection::open(path).unwrap();
        conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_request_rolls_back_only_itself() {
        let (_dir, writer, path) = writer();
        let writer = std::sync::Arc::new(writer);
        let mut tasks = Vec::new();
        for i in 0..40i64 {
            let writer = writer.clone();
            tasks.push(tokio::spawn(async move {
                writer
                    .write(move |db| {
                        let c = db.conn();
                        c.execute("INSERT INTO t (v) VALUES (?1)", [i])?;
                        if i % 4 == 0 {
                            // Inserted above, then fails: the insert must be undone too.
                            c.execute("INSERT INTO t (v) VALUES (?1)", [i])?;
                        }
                        Ok(i)
                    })
                    .await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            if task.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 30);
        assert_eq!(count(&path), 30);
    }

    #[tokio::test]
    async fn a_panicking_request_does_not_stop_the_writer() {
        let (_dir, writer, path) = writer();
        let panicked = writer
            .write(|_c| -> StoreResult<()> { panic!("boom") })
            .await;
        assert!(matches!(panicked, Err(StoreError::Internal(_))));
        writer
            .write(|db| Ok(db.conn().execute("INSERT INTO t (v) VALUES (1)", [])?))
            .await
            .unwrap();
        assert_eq!(count(&path), 1);
    }
}
