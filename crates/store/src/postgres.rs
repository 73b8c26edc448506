//! PostgreSQL backend: [`PgStore`], a sqlx pool plus the embedded migrations of
//! `migrations/postgres`.
//!
//! Rules of this backend:
//! - every writing method is one transaction; an upload is one data-modifying statement, so it
//!   costs few round trips;
//! - credits are debited with a guarded `UPDATE ... WHERE credits >= $charge`, so concurrent
//!   debits can never take a balance below zero (a CHECK constraint backs it up);
//! - only bound parameters reach SQL; identifiers (test schemas) are validated before use.
//!
//! What it runs is `crate::ops` (through `crate::backend`); this module owns the pool and
//! PostgreSQL's own SQL: `db` (the neutral `Db` on a sqlx connection), `backend` (how work
//! runs here), `upload` and `upload_sql` (a whole upload as one statement), `claim` (claiming
//! with `FOR UPDATE SKIP LOCKED`) and `listener` (LISTEN/NOTIFY wake-ups for `wait_for_jobs`).

mod backend;
mod claim;
#[cfg(test)]
mod claim_plan_tests;
mod db;
mod listener;
mod upload;
mod upload_sql;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Connection;
use std::str::FromStr;
use std::time::Duration;

/// Pool size of [`PgStore::connect`]: enough connections to keep a 2-core database busy while
/// some of them wait on the commit flush.
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// How long a caller waits for a pooled connection before the store reports `Unavailable`.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL [`Store`]. Cheap to clone (it is a pool handle).
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// Wakes `wait_for_jobs`; its LISTEN connection starts on the first wait.
    jobs_signal: std::sync::Arc<listener::JobSignal>,
}

impl PgStore {
    /// Connects with a pool of [`DEFAULT_POOL_SIZE`] and runs the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<PgStore> {
        Self::connect_with_pool_size(url, DEFAULT_POOL_SIZE).await
    }

    /// Connects with a pool of `pool_size` connections and runs the migrations.
    pub async fn connect_with_pool_size(url: &str, pool_size: u32) -> anyhow::Result<PgStore> {
        let options = PgConnectOptions::from_str(url).context("parsing the PostgreSQL URL")?;
        Self::open(options, pool_size).await
    }

    /// Connects inside `schema` (created when missing): every pooled connection gets it as its
    /// `search_path`, and the migrations (with their bookkeeping table) run inside it. Meant for
    /// tests, which take one fresh schema each and remove it with [`drop_schema`].
    pub async fn connect_isolated(url: &str, schema: &str) -> anyhow::Result<PgStore> {
        Self::connect_isolated_with_pool_size(url, schema, DEFAULT_POOL_SIZE).await
    }

    /// [`PgStore::connect_isolated`] with a pool of `pool_size` connections.
    pub async fn connect_isolated_with_pool_size(
        url: &str,
        schema: &str,
        pool_size: u32,
    ) -> anyhow::Result<PgStore> {
        let quoted = quote_schema(schema)?;
        let options = PgConnectOptions::from_str(url).context("parsing the PostgreSQL URL")?;
        let mut conn = sqlx::PgConnection::connect_with(&options)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))
            .execute(&mut conn)
            .await
            .with_context(|| format!("creating schema {schema}"))?;
        conn.close().await.ok();
        Self::open(options.options([("search_path", schema)]), pool_size).await
    }

    async fn open(options: PgConnectOptions, pool_size: u32) -> anyhow::Result<PgStore> {
        let jobs_signal = std::sync::Arc::new(listener::JobSignal::new(options.clone()));
        let pool = PgPoolOptions::new()
            .max_connections(pool_size.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .context("connecting to PostgreSQL")?;
        MIGRATOR
            .run(&pool)
            .await
            .context("running the PostgreSQL migrations")?;
        Ok(PgStore { pool, jobs_signal })
    }

    /// The underlying pool (for the job queue and for tests that inspect rows).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every pooled connection; waits until they are all returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Drops `schema` and everything in it (test cleanup). Missing schemas are fine. Gives up
/// after 10 s if a connection still holds locks in it, rather than hanging a test run.
pub async fn drop_schema(url: &str, schema: &str) -> anyhow::Result<()> {
    let quoted = quote_schema(schema)?;
    let options = PgConnectOptions::from_str(url)
        .context("parsing the PostgreSQL URL")?
        .options([("lock_timeout", "10s")]);
    let mut conn = sqlx::PgConnection::connect_with(&options)
        .await
        .context("connecting to PostgreSQL")?;
    sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {quoted} CASCADE"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("dropping schema {schema}"))?;
    conn.close().await.ok();
    Ok(())
}

/// The schema name as a quoted identifier. Only `[a-z_][a-z0-9_]*` (at most 63 bytes) is
/// accepted, because the name is spliced into DDL, where parameters cannot go.
fn quote_schema(schema: &str) -> anyhow::Result<String> {
    let mut chars = schema.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !first_ok || !rest_ok || schema.len() > 63 {
        anyhow::bail!("invalid schema name {schema:?}: use [a-z_][a-z0-9_]*, at most 63 bytes");
    }
    Ok(format!("\"{schema}\""))
}

#[cfg(test)]
mod tests {
    use super::quote_schema;

    #[test]
    fn schema_names_are_validated_before_reaching_ddl() {
        for ok in ["t_0123abcd", "_x", "scorejar"] {
            assert_eq!(quote_schema(ok).unwrap(), format!("\"{ok}\""));
        }
        let too_long = "a".repeat(64);
        for bad in [
            "",
            "T_upper",
            "1abc",
            "a-b",
            "a\"; drop",
            "a b",
            too_long.as_str(),
        ] {
            assert!(quote_schema(bad).is_err(), "{bad}");
        }
    }
}
