//! The backend-neutral way to run SQL: the [`Db`] trait both backends implement, the
//! arguments and rows it carries ([`Arg`], [`Row`]), and its errors ([`SqlError`]).
//!
//! Statements are written once, in the SQL both SQLite and PostgreSQL understand, with
//! PostgreSQL's positional parameters `$1, $2, …` (SQLite reads `$1` as a named parameter; its
//! backend binds by those names, so a parameter may appear in any order or several times).
//! Where the dialects differ, the statement is an [`Sql`] pair and [`Db::dialect`] picks.
//!
//! SQLite runs a `Db` on its writer thread or a read-pool thread, where every future is ready
//! when first polled (rusqlite is synchronous); PostgreSQL awaits sqlx.

mod error;
mod query;
mod value;

pub(crate) use error::{is_transient, SqlError, SqlErrorKind};
pub(crate) use query::{Param, Query};
pub(crate) use value::{Arg, Row, Value};

use std::future::Future;

/// Which SQL dialect a [`Db`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A statement whose text differs between the dialects.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sql {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl Sql {
    pub(crate) fn text(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }
}

/// One connection (or transaction) of either backend. Which one it is — a transaction, a
/// pooled connection, the SQLite writer inside its group-commit savepoint — is decided by the
/// backend method that hands it out, never by the code that uses it.
pub(crate) trait Db: Send {
    fn dialect(&self) -> Dialect;

    /// Runs a statement; returns the number of rows it changed.
    fn execute(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<u64, SqlError>> + Send;

    /// Runs a query; returns every row.
    fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Vec<Row>, SqlError>> + Send;

    /// Tells job listeners that jobs were inserted or re-queued, effective when this
    /// transaction commits (PostgreSQL NOTIFY). SQLite's store signals after the commit itself.
    fn notify_jobs(&mut self) -> impl Future<Output = Result<(), SqlError>> + Send;

    /// Runs a query; returns its first row, if any.
    fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Option<Row>, SqlError>> + Send {
        async move { Ok(self.fetch_all(sql, args).await?.into_iter().next()) }
    }

    /// Runs a query that returns exactly one row.
    fn fetch_one(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Row, SqlError>> + Send {
        async move {
            self.fetch_optional(sql, args)
                .await?
                .ok_or_else(|| SqlError::decode(format!("no row from: {sql}")))
        }
    }
}

/// `args![a, b, c]`: a slice of [`Arg`]s, each converted with `Arg::from`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::sql::Arg::from($value)),*]
    };
}
pub(crate) use args;
