//! Backups of the embedded database while the service runs (`scorejar backup`), and putting
//! one back (`scorejar restore`, with the service stopped).
//!
//! A backup is SQLite's online backup API copying every page in one step from a read-only
//! connection: that step holds one read transaction, so the copy is the database as of one
//! commit — writers go on meanwhile (WAL), and nothing they commit after it is in the copy. It
//! is written beside the target and renamed into place only once whole and checked, so a
//! crash never leaves a half backup under the target's name. Restoring checks the file first
//! (`PRAGMA integrity_check`, and that it is a scorejar database no newer than this build),
//! then replaces the database file and drops its old WAL.

use super::migrate::{latest_version, open_reader};
use anyhow::{bail, Context};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a backup waits for a busy database before giving up.
const BUSY_FOR: Duration = Duration::from_secs(30);

/// What a backup copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFigures {
    pub bytes: u64,
    /// The schema version in the copy.
    pub schema_version: i64,
}

fn beside(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    target.with_file_name(name)
}

/// The copy's schema version after checking it is whole; an error says what is wrong.
fn check(path: &Path) -> anyhow::Result<i64> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", path.display()))?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .with_context(|| format!("{} is not an SQLite database", path.display()))?;
    if verdict != "ok" {
        bail!("{} is damaged: {verdict}", path.display());
    }
    let version: i64 = conn
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .with_context(|| format!("{} is not a scorejar database", path.display()))?;
    Ok(version)
}

/// Copies the live database at `database` to `target` (which must not exist yet).
pub fn backup(database: &Path, target: &Path) -> anyhow::Result<BackupFigures> {
    if target.exists() {
        bail!("{} exists already; choose a new file", target.display());
    }
    if !database.exists() {
        bail!("no database at {}", database.display());
    }
    let source = open_reader(database)
        .with_context(|| format!("opening the database {}", database.display()))?;
    let partial = beside(target, ".partial");
    let _ = std::fs::remove_file(&partial);
    let copied = (|| -> anyhow::Result<()> {
        let mut copy = Connection::open(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        let backup = Backup::new(&source, &mut copy)?;
        // -1: every page in one step, under one read transaction — one consistent snapshot.
        // Busy or locked (a checkpoint holding the file): wait a little and take it again.
        let deadline = Instant::now() + BUSY_FOR;
        loop {
            match backup.step(-1)? {
                StepResult::Done => return Ok(()),
                StepResult::More => bail!("the backup stopped before its last page"),
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => bail!("the database stayed busy for {BUSY_FOR:?}"),
            }
        }
    })();
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(error.context("copying the database"));
    }
    let schema_version = match check(&partial) {
        Ok(version) => version,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, target)
        .with_context(|| format!("moving the backup to {}", target.display()))?;
    Ok(BackupFigures {
        bytes: std::fs::metadata(target)?.len(),
        schema_version,
    })
}

/// Puts the backup `from` in place of the database at `database`. The service must be
/// stopped: a running one would keep writing to the file being replaced.
pub fn restore(from: &Path, database: &Path) -> anyhow::Result<BackupFigures> {
    let schema_version = check(from)?;
    if schema_version > latest_version() {
        bail!(
            "{} has schema version {schema_version}, newer than this build's {}; restore it with a newer scorejar",
            from.display(),
            latest_version()
        );
    }
    if let Some(dir) = database.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let incoming = beside(database, ".restoring");
    std::fs::copy(from, &incoming)
        .with_context(|| format!("copying {} beside the database", from.display()))?;
    // The old WAL and its index belong to the old file: replayed onto the backup they would
    // corrupt it.
    for suffix in ["-wal", "-shm"] {
        let stale = beside(database, suffix);
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    std::fs::rename(&incoming, database)
        .with_context(|| format!("moving the backup into {}", database.display()))?;
    Ok(BackupFigures {
        bytes: std::fs::metadata(database)?.len(),
        schema_version,
    })
}
