//! PostgreSQL backend: [`PgStore`], a sqlx pool plus the embedded migrations of
//! `migrations/postgres`.
//!
//! Rules of this backend:
//! - every writing method is one transaction, and the hot ones (uploads, evaluations, credits)
//!   do their writes in one data-modifying statement so that an upload costs few round trips;
//! - credits are debited with a guarded `UPDATE ... WHERE credits >= $charge`, so concurrent
//!   debits can never take a balance below zero (a CHECK constraint backs it up);
//! - only bound parameters reach SQL; identifiers (test schemas) are validated before use.
//!
//! The submodules own one area each: `accounts` (accounts, credits, users, tokens, sessions),
//! `catalog` (tags and scorecards), `upload` and `upload_sql` (create_upload, find_upload),
//! `evaluations` (queue_evaluation, jobs of an interaction), `participants` (the pure matching
//! rules for agent/customer), `read` and `listing` (interaction reads), `codec` (columns ⇄
//! domain types) and `errors` (sqlx errors ⇄ [`StoreError`]); the job queue: `queue`,
//! `queue_effects` and `queue_sql` (claims, leases, finishing with effects), `queue_read`
//! (reads of jobs), `listener`
//! (LISTEN/NOTIFY wake-ups for `wait_for_jobs`) and `queue_api` (the
//! [`crate::queue::JobQueue`] impl).

mod accounts;
mod catalog;
#[cfg(test)]
mod claim_plan_tests;
mod codec;
mod errors;
mod evaluations;
mod listener;
mod listing;
mod participants;
mod queue;
mod queue_api;
mod queue_effects;
mod queue_read;
mod queue_sql;
mod read;
mod upload;
mod upload_sql;

use crate::{NewApiToken, NewSession, Store, StoreResult};
use anyhow::Context;
use async_trait::async_trait;
use scorejar_core::model::*;
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

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn create_account(
        &self,
        account_id: &str,
        name: &str,
        credits: i64,
        token: NewApiToken,
    ) -> StoreResult<Account> {
        accounts::create_account(&self.pool, account_id, name, credits, token).await
    }

    async fn account_count(&self) -> StoreResult<i64> {
        accounts::account_count(&self.pool).await
    }

    async fn get_account(&self, account_id: &str) -> StoreResult<Option<Account>> {
        accounts::get_account(&self.pool, account_id).await
    }

    async fn add_credits(&self, account_id: &str, amount: i64, reason: &str) -> StoreResult<i64> {
        accounts::add_credits(&self.pool, account_id, amount, reason).await
    }

    async fn create_user(
        &self,
        user_id: &str,
        account_id: &str,
        email: &str,
        password_hash: &str,
    ) -> StoreResult<()> {
        accounts::create_user(&self.pool, user_id, account_id, email, password_hash).await
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        accounts::find_user_by_email(&self.pool, email).await
    }

    async fn find_user(&self, user_id: &str) -> StoreResult<Option<UserRecord>> {
        accounts::find_user(&self.pool, user_id).await
    }

    async fn create_api_token(
        &self,
        account_id: &str,
        token: NewApiToken,
    ) -> StoreResult<ApiTokenInfo> {
        accounts::create_api_token(&self.pool, account_id, token).await
    }

    async fn list_api_tokens(&self, account_id: &str) -> StoreResult<Vec<ApiTokenInfo>> {
        accounts::list_api_tokens(&self.pool, account_id).await
    }

    async fn revoke_api_token(&self, account_id: &str, token_id: &str) -> StoreResult<bool> {
        accounts::revoke_api_token(&self.pool, account_id, token_id).await
    }

    async fn account_for_api_token(&self, token_hash: &str) -> StoreResult<Option<String>> {
        accounts::account_for_api_token(&self.pool, token_hash).await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        accounts::create_session(&self.pool, session).await
    }

    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        accounts::find_session(&self.pool, token_hash).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool> {
        accounts::delete_session(&self.pool, token_hash).await
    }

    async fn create_tag(&self, account_id: &str, tag: Tag) -> StoreResult<Tag> {
        catalog::create_tag(&self.pool, account_id, tag).await
    }

    async fn list_tags(&self, account_id: &str) -> StoreResult<Vec<Tag>> {
        catalog::list_tags(&self.pool, account_id).await
    }

    async fn create_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Scorecard> {
        catalog::create_scorecard(&self.pool, account_id, scorecard_id, fields).await
    }

    async fn update_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Option<Scorecard>> {
        catalog::update_scorecard(&self.pool, account_id, scorecard_id, fields).await
    }

    async fn get_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Option<Scorecard>> {
        catalog::get_scorecard(&self.pool, account_id, scorecard_id).await
    }

    async fn list_scorecards(&self, account_id: &str) -> StoreResult<Vec<Scorecard>> {
        catalog::list_scorecards(&self.pool, account_id).await
    }

    async fn find_upload(
        &self,
        account_id: &str,
        source_identifier: &str,
    ) -> StoreResult<Option<UploadReceipt>> {
        upload::find_upload(&self.pool, account_id, source_identifier).await
    }

    async fn create_upload(&self, upload: NewUpload) -> StoreResult<UploadOutcome> {
        upload::create_upload(&self.pool, upload).await
    }

    async fn queue_evaluation(&self, evaluation: NewEvaluation) -> StoreResult<()> {
        evaluations::queue_evaluation(&self.pool, evaluation).await
    }

    async fn get_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Option<InteractionRecord>> {
        read::get_interaction(&self.pool, account_id, interaction_id).await
    }

    async fn list_interactions(
        &self,
        account_id: &str,
        filter: &InteractionFilter,
    ) -> StoreResult<InteractionPage> {
        listing::list_interactions(&self.pool, account_id, filter).await
    }

    async fn credits(&self, account_id: &str, limit: u32) -> StoreResult<(i64, Vec<LedgerEntry>)> {
        accounts::credits(&self.pool, account_id, limit).await
    }

    async fn jobs_for_interaction(&self, interaction_id: &str) -> StoreResult<Vec<JobRecord>> {
        evaluations::jobs_for_interaction(&self.pool, interaction_id).await
    }
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
