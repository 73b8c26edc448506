//! sqlx errors → [`StoreError`]. Connection trouble is `Unavailable` (a 503, worth retrying);
//! known constraint violations are named by the constraint names of `migrations/postgres`;
//! everything else is `Internal`.

use crate::StoreError;

/// SQLSTATE of a unique violation.
const UNIQUE_VIOLATION: &str = "23505";
/// SQLSTATE of a foreign-key violation.
const FOREIGN_KEY_VIOLATION: &str = "23503";
/// SQLSTATE of a CHECK constraint violation.
const CHECK_VIOLATION: &str = "23514";
/// SQLSTATEs PostgreSQL uses when it aborted a transaction to break a cycle or a conflict.
const DEADLOCK_DETECTED: &str = "40P01";
const SERIALIZATION_FAILURE: &str = "40001";

/// The generic mapping, for errors no caller gives a meaning to.
pub(crate) fn db(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::PoolTimedOut => {
            StoreError::Unavailable("timed out waiting for a database connection".into())
        }
        sqlx::Error::PoolClosed => StoreError::Unavailable("the connection pool is closed".into()),
        sqlx::Error::Io(e) => StoreError::Unavailable(format!("database i/o: {e}")),
        other => StoreError::Internal(anyhow::Error::new(other)),
    }
}

/// Gives violations of known constraints their meaning (`meaning` returns `None` for the
/// constraints it does not know); everything else maps as [`db`].
pub(crate) fn on_constraint(
    err: sqlx::Error,
    meaning: impl Fn(&str) -> Option<StoreError>,
) -> StoreError {
    match constraint(&err).and_then(&meaning) {
        Some(mapped) => mapped,
        None => db(err),
    }
}

/// Name of the violated constraint, for unique, foreign-key and CHECK violations.
pub(crate) fn constraint(err: &sqlx::Error) -> Option<&str> {
    let db_err = err.as_database_error()?;
    let code = db_err.code()?;
    if [UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION, CHECK_VIOLATION].contains(&code.as_ref()) {
        db_err.constraint()
    } else {
        None
    }
}

/// True when PostgreSQL aborted the transaction to resolve a deadlock or serialization
/// conflict: running the whole transaction again is the documented remedy.
pub(crate) fn is_transient(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == DEADLOCK_DETECTED || code == SERIALIZATION_FAILURE)
}
