//! Errors of the neutral SQL layer, classified the same way for both backends so that rules
//! above it can give a meaning to a broken constraint without knowing the database.

use crate::StoreError;

/// What went wrong, as far as a rule above the boundary needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlErrorKind {
    /// A UNIQUE constraint (not a primary key on SQLite) rejected a row.
    Unique,
    ForeignKey,
    Check,
    /// The database is busy or unreachable (lock timeout, pool exhausted, i/o): worth a retry.
    Unavailable,
    /// The database aborted the transaction to break a deadlock or serialization conflict:
    /// running the whole transaction again is the remedy.
    Transient,
    /// A row could not be read into the type its reader expected.
    Decode,
    Other,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct SqlError {
    pub kind: SqlErrorKind,
    /// The violated constraint's name, where the database reports one (PostgreSQL).
    pub constraint: Option<String>,
    pub message: String,
}

impl SqlError {
    pub(crate) fn new(kind: SqlErrorKind, message: impl Into<String>) -> SqlError {
        SqlError {
            kind,
            constraint: None,
            message: message.into(),
        }
    }

    pub(crate) fn decode(message: impl Into<String>) -> SqlError {
        SqlError::new(SqlErrorKind::Decode, message)
    }

    pub(crate) fn is_unique(&self) -> bool {
        self.kind == SqlErrorKind::Unique
    }
}

impl From<SqlError> for StoreError {
    fn from(e: SqlError) -> Self {
        match e.kind {
            SqlErrorKind::Unavailable => StoreError::Unavailable(e.message),
            _ => StoreError::Internal(anyhow::Error::new(e)),
        }
    }
}

/// True when `e` is a deadlock or serialization failure the database broke by aborting the
/// transaction (only PostgreSQL reports them).
pub(crate) fn is_transient(e: &StoreError) -> bool {
    matches!(e, StoreError::Internal(inner)
        if inner.downcast_ref::<SqlError>().is_some_and(|s| s.kind == SqlErrorKind::Transient))
}
