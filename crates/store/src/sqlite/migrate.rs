//! Connections and schema: the pragmas every connection gets, and the embedded migrations.
//!
//! Migrations are only ever added, never edited: each is applied once, in version order, and
//! recorded in `schema_migrations`. They run under `BEGIN IMMEDIATE`, so two processes opening
//! the same fresh file apply them once between them.

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// How long a statement waits for another connection's (or process's) lock before failing.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Enough for every distinct statement of an upload, so the hot path never re-prepares.
const STATEMENT_CACHE: usize = 128;

/// WAL size (pages) at which the writer checkpoints by itself (SQLite's default is 1000).
const WRITER_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// (version, name, SQL), in the order they apply.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_core",
        include_str!("../../migrations/sqlite/0001_core.sql"),
    ),
    (
        2,
        "0002_queue",
        include_str!("../../migrations/sqlite/0002_queue.sql"),
    ),
    (
        3,
        "0003_transcript_engine",
        include_str!("../../migrations/sqlite/0003_transcript_engine.sql"),
    ),
    (
        4,
        "0004_exact_int_metadata",
        include_str!("../../migrations/sqlite/0004_exact_int_metadata.sql"),
    ),
    (
        5,
        "0005_fair_claims",
        include_str!("../../migrations/sqlite/0005_fair_claims.sql"),
    ),
    (
        6,
        "0006_token_scopes",
        include_str!("../../migrations/sqlite/0006_token_scopes.sql"),
    ),
    (
        7,
        "0007_metadata_partial_indexes",
        include_str!("../../migrations/sqlite/0007_metadata_partial_indexes.sql"),
    ),
    (
        8,
        "0008_evaluation_results",
        include_str!("../../migrations/sqlite/0008_evaluation_results.sql"),
    ),
    (
        9,
        "0009_webhooks",
        include_str!("../../migrations/sqlite/0009_webhooks.sql"),
    ),
    (
        10,
        "0010_server_secrets",
        include_str!("../../migrations/sqlite/0010_server_secrets.sql"),
    ),
    (
        11,
        "0011_roles",
        include_str!("../../migrations/sqlite/0011_roles.sql"),
    ),
    (
        12,
        "0012_search",
        include_str!("../../migrations/sqlite/0012_search.sql"),
    ),
    (
        13,
        "0013_password_links",
        include_str!("../../migrations/sqlite/0013_password_links.sql"),
    ),
    (
        14,
        "0014_scorecard_trials",
        include_str!("../../migrations/sqlite/0014_scorecard_trials.sql"),
    ),
    (
        15,
        "0015_retention",
        include_str!("../../migrations/sqlite/0015_retention.sql"),
    ),
    (
        16,
        "0016_action_run_interactions",
        include_str!("../../migrations/sqlite/0016_action_run_interactions.sql"),
    ),
];

/// The schema version this build migrates to.
pub(super) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Opens the read-write connection (creating the file) and switches the file to WAL.
pub(super) fn open_writer(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("opening SQLite database {}", path.display()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        anyhow::bail!("SQLite refused WAL mode (journal_mode is {mode})");
    }
    apply_session_pragmas(&conn)?;
    // Checkpoints are the checkpointer thread's job; this only bounds the WAL if it lags.
    conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)?;
    Ok(conn)
}

/// Opens the connection of the checkpointer thread (read-write, never writes rows).
pub(super) fn open_checkpointer(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    apply_session_pragmas(&conn)?;
    Ok(conn)
}

/// Opens a read-only connection. WAL is a property of the file, set by the writer.
pub(super) fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    apply_session_pragmas(&conn)?;
    Ok(conn)
}

/// Per-connection settings (they do not persist in the file).
fn apply_session_pragmas(conn: &Connection) -> rusqlite::Result<()> {
    // NORMAL in WAL mode: a power loss may lose the last commits but never corrupts the file.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Every write runs in a SAVEPOINT; its sub-journal in a temp file cost more than the
    // writes themselves (measured: ~40% of the writer thread). Memory is enough for it.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

/// Applies every migration not yet recorded, each in the same transaction as its record.
pub(super) fn run_migrations(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .context("locking the database for migrations")?;
    let result = apply_pending(conn);
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    conn.execute_batch(end)
        .with_context(|| format!("{end} of the migrations"))?;
    result
}

fn apply_pending(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at INTEGER NOT NULL
         )",
    )?;
    let applied: Vec<i64> = conn
        .prepare("SELECT version FROM schema_migrations")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        conn.execute_batch(sql)
            .with_context(|| format!("applying migration {name}"))?;
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, crate::codec::now_micros()],
        )?;
        tracing::info!(migration = name, "applied SQLite migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_reopening_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        for _ in 0..2 {
            let conn = open_writer(&path).unwrap();
            run_migrations(&conn).unwrap();
            let count: i64 = conn
                .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
                .unwrap();
            assert_eq!(count, MIGRATIONS.len() as i64);
        }
        let reader = open_reader(&path).unwrap();
        let fk: i64 = reader
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        assert!(reader.execute("DELETE FROM accounts", []).is_err());
    }

    /// Tokens made before 0006 keep full access: an upgrade breaks no client.
    #[test]
    fn tokens_from_before_scopes_keep_every_scope() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_writer(&dir.path().join("old.db")).unwrap();
        for (_, name, sql) in MIGRATIONS.iter().filter(|m| m.0 < 6) {
            conn.execute_batch(sql)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                                             applied_at INTEGER NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 'a', 0), (2, 'b', 0), (3, 'c', 0),
                                                  (4, 'd', 0), (5, 'e', 0);
             INSERT INTO accounts (id, name, credits, created_at) VALUES ('acct', 'Old', 0, 0);
             INSERT INTO api_tokens (id, account_id, name, token_hash, created_at)
                 VALUES ('tok', 'acct', 'old', 'hash', 0);",
        )
        .unwrap();
        run_migrations(&conn).unwrap();
        let (scopes, expires_at): (String, Option<i64>) = conn
            .query_row(
                "SELECT scopes, expires_at FROM api_tokens WHERE id = 'tok'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            scorejar_core::tokens::ScopeSet::from_text(&scopes),
            Ok(scorejar_core::tokens::ScopeSet::all())
        );
        assert_eq!(expires_at, None);
    }

    #[test]
    fn versions_are_unique_and_ascending() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
        let mut sorted = versions.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(versions, sorted);
    }
}
