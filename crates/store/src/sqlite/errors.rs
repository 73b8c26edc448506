//! rusqlite errors ⇄ [`StoreError`]: lock timeouts are `Unavailable` (worth a retry), UNIQUE
//! violations are recognised so callers can name the rule that broke, the rest is `Internal`.

use crate::StoreError;
use rusqlite::ErrorCode;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            StoreError::Unavailable(format!("SQLite database is busy: {e}"))
        } else {
            StoreError::Internal(anyhow::Error::new(e))
        }
    }
}

/// Another connection (or process) held the lock longer than the busy timeout.
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// A UNIQUE constraint (not the primary key) rejected the row.
pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Stored JSON that no longer decodes, or a value that cannot be encoded.
pub(super) fn json(e: serde_json::Error) -> StoreError {
    StoreError::Internal(anyhow::Error::new(e).context("SQLite JSON column"))
}
