//! [`Db`] on a sqlx PostgreSQL connection: a pooled connection (each statement its own
//! transaction) or an open transaction. Columns are decoded by their PostgreSQL type into the
//! neutral [`Value`]s; sqlx prepares and caches every statement by its text.

use crate::sql::{Arg, Db, Dialect, Row, SqlError, SqlErrorKind, Value};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Column, PgConnection, Postgres, Row as _, Transaction, TypeInfo, ValueRef};
use std::sync::Arc;

/// SQLSTATEs of violated constraints, and of transactions PostgreSQL aborted to break a cycle.
const UNIQUE_VIOLATION: &str = "23505";
const FOREIGN_KEY_VIOLATION: &str = "23503";
const CHECK_VIOLATION: &str = "23514";
const DEADLOCK_DETECTED: &str = "40P01";
const SERIALIZATION_FAILURE: &str = "40001";

pub(crate) enum PgDb {
    Pooled(PoolConnection<Postgres>),
    Tx(Transaction<'static, Postgres>),
}

impl PgDb {
    pub(super) fn connection(&mut self) -> &mut PgConnection {
        match self {
            PgDb::Pooled(conn) => conn,
            PgDb::Tx(tx) => tx,
        }
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

fn bound<'q>(sql: &'q str, args: &'q [Arg<'q>]) -> PgQuery<'q> {
    let mut query = sqlx::query(sql);
    for arg in args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Real(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::Bool(v) => query.bind(v),
            Arg::TextList(list) => query.bind(list),
        };
    }
    query
}

impl Db for PgDb {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, SqlError> {
        let done = bound(sql, args)
            .execute(self.connection())
            .await
            .map_err(sql_error)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, SqlError> {
        let rows = bound(sql, args)
            .fetch_all(self.connection())
            .await
            .map_err(sql_error)?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let names: Arc<[String]> = first
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        rows.iter()
            .map(|row| Ok(Row::new(names.clone(), values(row)?)))
            .collect()
    }

    async fn notify_jobs(&mut self) -> Result<(), SqlError> {
        sqlx::query(super::listener::NOTIFY_JOBS)
            .execute(self.connection())
            .await
            .map_err(sql_error)?;
        Ok(())
    }
}

fn values(row: &PgRow) -> Result<Vec<Value>, SqlError> {
    let decode = |e: sqlx::Error| SqlError::decode(e.to_string());
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i).map_err(decode)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let type_name = raw.type_info().name().to_owned();
            Ok(match type_name.as_str() {
                "INT8" => Value::Int(row.try_get::<i64, _>(i).map_err(decode)?),
                "INT4" => Value::Int(row.try_get::<i32, _>(i).map_err(decode)?.into()),
                "INT2" => Value::Int(row.try_get::<i16, _>(i).map_err(decode)?.into()),
                "FLOAT8" => Value::Real(row.try_get::<f64, _>(i).map_err(decode)?),
                "FLOAT4" => Value::Real(row.try_get::<f32, _>(i).map_err(decode)?.into()),
                "BOOL" => Value::Bool(row.try_get::<bool, _>(i).map_err(decode)?),
                "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" => {
                    Value::Text(row.try_get::<String, _>(i).map_err(decode)?)
                }
                "VOID" => Value::Null,
                other => {
                    return Err(SqlError::decode(format!(
                        "column {i}: unsupported type {other}"
                    )))
                }
            })
        })
        .collect()
}

/// sqlx's error, classified: connection trouble is `Unavailable`, violations carry their
/// constraint's name (`migrations/postgres` names every constraint).
pub(crate) fn sql_error(e: sqlx::Error) -> SqlError {
    let kind = match &e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            SqlErrorKind::Unavailable
        }
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some(UNIQUE_VIOLATION) => SqlErrorKind::Unique,
            Some(FOREIGN_KEY_VIOLATION) => SqlErrorKind::ForeignKey,
            Some(CHECK_VIOLATION) => SqlErrorKind::Check,
            Some(DEADLOCK_DETECTED | SERIALIZATION_FAILURE) => SqlErrorKind::Transient,
            _ => SqlErrorKind::Other,
        },
        _ => SqlErrorKind::Other,
    };
    let constraint = e
        .as_database_error()
        .and_then(|d| d.constraint())
        .map(str::to_owned);
    let message = match kind {
        SqlErrorKind::Unavailable => format!("database unavailable: {e}"),
        _ => e.to_string(),
    };
    SqlError {
        kind,
        constraint,
        message,
    }
}
