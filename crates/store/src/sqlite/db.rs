//! [`Db`] on a rusqlite [`Connection`]. rusqlite is synchronous, so every future here is ready
//! when first polled; [`run_ready`] polls a piece of work once, on the thread that owns the
//! connection (the writer thread, or a read-pool thread).
//!
//! Statements use `$1, $2, …`, which SQLite reads as *named* parameters, numbered in order of
//! first appearance; arguments are bound by those names, so their order in the text is free.

use crate::sql::{Arg, Db, Dialect, Row, SqlError, SqlErrorKind, Value};
use crate::{StoreError, StoreResult};
use rusqlite::types::ValueRef;
use rusqlite::{CachedStatement, Connection, ErrorCode, Statement};
use std::collections::HashMap;
use std::future::{ready, Future};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll, Waker};

/// Statements whose column names are kept; past it the cache starts again (dynamic statements,
/// such as filtered lists, would otherwise grow it without bound).
const NAMES_CACHED: usize = 256;

/// A connection owned by the thread that runs work on it.
pub(crate) struct SqliteDb {
    conn: Connection,
    /// The column names of each statement read so far, shared by the rows they label: naming
    /// the columns of every result anew cost more than the rest of a small read.
    names: HashMap<String, Arc<[String]>>,
}

impl SqliteDb {
    pub(super) fn new(conn: Connection) -> SqliteDb {
        SqliteDb {
            conn,
            names: HashMap::new(),
        }
    }

    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn run_execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, SqlError> {
        let mut statement = prepare(&self.conn, sql, args)?;
        Ok(statement.raw_execute().map_err(sql_error)? as u64)
    }

    fn run_fetch(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, SqlError> {
        let known = self.names.get(sql).cloned();
        let mut statement = prepare(&self.conn, sql, args)?;
        let names = match known {
            Some(names) => names,
            None => {
                let names: Arc<[String]> = statement
                    .column_names()
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                if self.names.len() >= NAMES_CACHED {
                    self.names.clear();
                }
                self.names.insert(sql.to_owned(), names.clone());
                names
            }
        };
        let width = names.len();
        let mut rows = statement.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql_error)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(value(row.get_ref(i).map_err(sql_error)?)?);
            }
            out.push(Row::new(names.clone(), values));
        }
        Ok(out)
    }
}

impl Db for SqliteDb {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<u64, SqlError>> + Send {
        ready(self.run_execute(sql, args))
    }

    fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Vec<Row>, SqlError>> + Send {
        ready(self.run_fetch(sql, args))
    }

    fn notify_jobs(&mut self) -> impl Future<Output = Result<(), SqlError>> + Send {
        ready(Ok(()))
    }
}

fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<CachedStatement<'c>, SqlError> {
    let mut statement = conn.prepare_cached(sql).map_err(sql_error)?;
    bind(&mut statement, args)?;
    Ok(statement)
}

/// Polls `work` once: SQLite work never waits, so it is finished by then.
pub(super) fn run_ready<T>(work: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    let mut work = std::pin::pin!(work);
    match work.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Internal(anyhow::anyhow!(
            "SQLite work waited on something other than SQLite"
        ))),
    }
}

/// `$1` … `$N`, so binding looks names up without formatting them each time.
static NAMES: LazyLock<Vec<String>> =
    LazyLock::new(|| (1..=4096).map(|i| format!("${i}")).collect());

fn bind(statement: &mut Statement<'_>, args: &[Arg<'_>]) -> Result<(), SqlError> {
    if statement.parameter_count() != args.len() {
        return Err(SqlError::new(
            SqlErrorKind::Other,
            format!(
                "{} arguments for {} parameters",
                args.len(),
                statement.parameter_count()
            ),
        ));
    }
    for (i, arg) in args.iter().enumerate() {
        let owned;
        let name = match NAMES.get(i) {
            Some(n) => n.as_str(),
            None => {
                owned = format!("${}", i + 1);
                owned.as_str()
            }
        };
        // Usually the parameters appear in order, and the index is the position.
        let index = if statement.parameter_name(i + 1) == Some(name) {
            i + 1
        } else {
            statement
                .parameter_index(name)
                .map_err(sql_error)?
                .ok_or_else(|| {
                    SqlError::new(
                        SqlErrorKind::Other,
                        format!("no parameter {name} in the statement"),
                    )
                })?
        };
        let bound = match arg {
            Arg::Int(v) => statement.raw_bind_parameter(index, v),
            Arg::Real(v) => statement.raw_bind_parameter(index, v),
            Arg::Text(v) => statement.raw_bind_parameter(index, v),
            Arg::Bool(v) => statement.raw_bind_parameter(index, v),
            Arg::TextList(list) => {
                let json = serde_json::to_string(list)
                    .map_err(|e| SqlError::new(SqlErrorKind::Other, e.to_string()))?;
                statement.raw_bind_parameter(index, json)
            }
        };
        bound.map_err(sql_error)?;
    }
    Ok(())
}

fn value(v: ValueRef<'_>) -> Result<Value, SqlError> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|e| SqlError::decode(e.to_string()))?
                .to_owned(),
        ),
        ValueRef::Blob(_) => return Err(SqlError::decode("unexpected BLOB")),
    })
}

/// Another connection (or process) held the lock longer than the busy timeout.
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    classify(e) == SqlErrorKind::Unavailable
}

/// rusqlite's error, classified.
pub(super) fn sql_error(e: rusqlite::Error) -> SqlError {
    let kind = classify(&e);
    let prefix = if kind == SqlErrorKind::Unavailable {
        "SQLite database is busy: "
    } else {
        ""
    };
    SqlError::new(kind, format!("{prefix}{e}"))
}

fn classify(e: &rusqlite::Error) -> SqlErrorKind {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => match (f.code, f.extended_code) {
            (ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked, _) => SqlErrorKind::Unavailable,
            (_, rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) => SqlErrorKind::Unique,
            (_, rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => SqlErrorKind::ForeignKey,
            (_, rusqlite::ffi::SQLITE_CONSTRAINT_CHECK) => SqlErrorKind::Check,
            _ => SqlErrorKind::Other,
        },
        _ => SqlErrorKind::Other,
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        sql_error(e).into()
    }
}
