//! scorejar-store: the one storage boundary of scorejar.
//!
//! [`Store`] is the trait every handler and worker talks to. It is implemented once
//! (`backend.rs`) over any [`backend::Backend`]: [`sqlite::SqliteStore`] (the embedded default,
//! rusqlite with a single writer thread) and [`postgres::PgStore`] (sqlx), each with its own
//! migrations. The backend is picked once from the database URL by [`open`].
//!
//! Where things live: rules (pure, table-tested) in `rules/`; the statements of each operation,
//! written once in SQL both dialects speak, in `ops/` over the neutral `sql::Db`; column codecs in
//! `codec.rs`; in `sqlite/` and `postgres/` only connections, transactions and the SQL that is a
//! dialect's own (PostgreSQL's one-statement upload, each backend's claim).
//!
//! Rules every backend keeps:
//! - a method that writes does so in one transaction: it all happens or none of it does;
//! - credits never go negative (a debit that does not fit fails with `InsufficientCredits`);
//! - a resource of another account is reported exactly like a missing one;
//! - jobs are rows enqueued in the same transaction as the change they follow.

mod backend;
mod codec;
pub mod media_links;
mod ops;
pub mod postgres;
pub mod queue;
mod rules;
mod sql;
pub mod sqlite;
pub mod webhooks;

pub use ops::dashboard::{DashboardScope, VolumeRow};

use async_trait::async_trait;
use scorejar_core::cursor::Cursor;
use scorejar_core::model::*;
use scorejar_core::paging::{NameCursor, Page, PageRequest};
use std::sync::Arc;
use time::OffsetDateTime;

/// Errors a store reports. Everything unexpected is `Internal` and becomes a logged 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The scorecard does not exist on this account or is not ACTIVE.
    #[error("scorecard not found or not active")]
    ScorecardNotActive,
    #[error("insufficient credits: required {required}, balance {balance}")]
    InsufficientCredits { required: i64, balance: i64 },
    /// A uniqueness rule was broken (`what` names it: "tag name", "user email").
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A new API token (hashed by the caller; the secret never reaches the store).
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: String,
    pub name: String,
    pub token_hash: String,
    /// Decided by the caller (`scorejar_core::tokens::grant`); an account's first token has all.
    pub scopes: scorejar_core::tokens::ScopeSet,
    pub expires_at: Option<OffsetDateTime>,
}

/// A new session access token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: String,
    pub account_id: String,
    pub expires_at: OffsetDateTime,
}

/// A one-time link to set a password (stored by hash).
#[derive(Debug, Clone)]
pub struct PasswordLink {
    pub token_hash: String,
    pub expires_at: OffsetDateTime,
}

/// A try of a scorecard version on one interaction that asks the AI (the web app's "Try it").
#[derive(Debug, Clone)]
pub struct NewTrial {
    pub id: String,
    pub account_id: String,
    pub scorecard_id: String,
    pub version: i64,
    pub interaction_id: String,
}

/// A try as stored: QUEUED until its job ends, then COMPLETED with the result (an
/// `EvaluationResult`, JSON) or FAILED with the reason.
#[derive(Debug, Clone)]
pub struct Trial {
    pub id: String,
    pub account_id: String,
    pub scorecard_id: String,
    pub version: i64,
    pub interaction_id: String,
    pub status: String,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
}

/// How long an account keeps its data, in days after an interaction arrives; `None`: for ever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Then the recording is deleted; the interaction, transcript and scores stay.
    pub media_days: Option<i64>,
    /// Then the whole interaction is deleted (as `DELETE /api/v1/interactions/{id}` does).
    pub interaction_days: Option<i64>,
}

/// What asking for a new password link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewLinkOutcome {
    /// The link is stored; it is for the user with this e-mail.
    Created { email: String },
    /// The user is deactivated: no link.
    Deactivated,
    /// No user of the account has this id.
    NoSuchUser,
}

/// What an admin sets on a user: all of it, as the form shows it.
#[derive(Debug, Clone)]
pub struct UserChange {
    pub role: scorejar_core::roles::Role,
    pub agent_participant_id: Option<String>,
    pub active: bool,
}

/// The storage boundary. See the crate docs for the rules every implementation keeps.
#[async_trait]
pub trait Store: queue::JobQueue + webhooks::WebhookStore + Send + Sync + 'static {
    /// Which backend this is: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    /// The connection pool's use (open connections, idle ones), where there is a pool
    /// (PostgreSQL); `None` on SQLite (one writer thread and a fixed set of readers).
    fn pool_use(&self) -> Option<(u32, u32)>;

    // --- accounts, users, tokens, sessions ---

    /// Creates an account with `credits` (a GRANT ledger entry when > 0) and its first API token.
    async fn create_account(
        &self,
        account_id: &str,
        name: &str,
        credits: i64,
        token: NewApiToken,
    ) -> StoreResult<Account>;
    /// [`Store::create_account`], only on a database without any account (first start; safe
    /// when several processes start at once): `None` when there is one already.
    async fn create_first_account(
        &self,
        account_id: &str,
        name: &str,
        credits: i64,
        token: NewApiToken,
    ) -> StoreResult<Option<Account>>;
    async fn account_count(&self) -> StoreResult<i64>;
    async fn get_account(&self, account_id: &str) -> StoreResult<Option<Account>>;
    /// Adds (or, when negative, removes) credits with a ledger entry; returns the new balance.
    /// `NotFound("account")` for an unknown account; `InsufficientCredits` if it would go below 0.
    async fn add_credits(&self, account_id: &str, amount: i64, reason: &str) -> StoreResult<i64>;

    /// `Conflict("user email")` when the e-mail (case-insensitive) is taken;
    /// `NotFound("account")` for an unknown account, `NotFound("participant")` for an agent
    /// participant not of that account. The role's rules are checked above
    /// (`scorejar_core::roles`).
    async fn create_user(&self, user: NewUser) -> StoreResult<()>;
    /// Case-insensitive lookup.
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    async fn find_user(&self, user_id: &str) -> StoreResult<Option<UserRecord>>;

    /// The account's users by e-mail (at most 1,000).
    async fn list_users(&self, account_id: &str) -> StoreResult<Vec<UserRecord>>;
    /// Sets a user's role, agent link and activity; deactivating ends their sessions and
    /// links. `None` when the account has no such user; `NotFound("participant")` for an
    /// agent participant not of the account.
    async fn update_user(
        &self,
        account_id: &str,
        user_id: &str,
        change: UserChange,
    ) -> StoreResult<Option<UserRecord>>;
    /// Creates a user without a usable password and the link with which they set one, in one
    /// transaction (errors as `create_user`).
    async fn invite_user(&self, user: NewUser, link: PasswordLink) -> StoreResult<()>;
    /// A new password link for an active user of the account.
    async fn create_password_link(
        &self,
        account_id: &str,
        user_id: &str,
        link: PasswordLink,
    ) -> StoreResult<NewLinkOutcome>;
    /// The active user a live password link is for.
    async fn password_link_user(&self, token_hash: &str) -> StoreResult<Option<UserRecord>>;
    /// Sets the password of a live link's user and spends their links; their sessions end.
    /// `None` for an unknown, used or expired link.
    async fn use_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> StoreResult<Option<UserRecord>>;

    /// Writes a try and its job in one transaction, unless the account already has
    /// `max_waiting` tries waiting (then false, and nothing written).
    async fn create_trial(&self, trial: NewTrial, max_waiting: i64) -> StoreResult<bool>;
    /// The account's try `id`.
    async fn get_trial(&self, account_id: &str, id: &str) -> StoreResult<Option<Trial>>;

    async fn create_api_token(
        &self,
        account_id: &str,
        token: NewApiToken,
    ) -> StoreResult<ApiTokenInfo>;
    /// A page of the tokens not revoked, newest first (by creation time, then id).
    async fn list_api_tokens(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<ApiTokenInfo>>;
    /// A token of this account that is not revoked (expired or not).
    async fn get_api_token(
        &self,
        account_id: &str,
        token_id: &str,
    ) -> StoreResult<Option<ApiTokenInfo>>;
    /// True when a token of this account was revoked now.
    async fn revoke_api_token(&self, account_id: &str, token_id: &str) -> StoreResult<bool>;
    /// A live (not revoked) token by its SHA-256 hex hash, expired or not: the caller decides
    /// what expiry and scopes mean (`scorejar_core::tokens`).
    async fn find_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenAuth>>;
    /// Writes the token's `last_used_at` (only ever forward). The caller decides when it is
    /// worth a write (`scorejar_core::tokens::should_record_use`).
    async fn record_api_token_use(&self, token_id: &str, at: OffsetDateTime) -> StoreResult<()>;

    async fn create_session(&self, session: NewSession) -> StoreResult<()>;
    /// The session, whether expired or not (the caller checks `expires_at`).
    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool>;
    /// Moves the session's expiry to `until` when that is later (idle timeouts slide).
    async fn extend_session(&self, token_hash: &str, until: OffsetDateTime) -> StoreResult<()>;

    /// The deployment-wide secret `name`: `candidate` if this call stored it first, else the
    /// one already stored (every process ends up with the same).
    async fn server_secret(&self, name: &str, candidate: &str) -> StoreResult<String>;

    // --- tags ---

    /// `Conflict("tag name")` if the account has a tag of that name (case-insensitive).
    async fn create_tag(&self, account_id: &str, tag: Tag) -> StoreResult<Tag>;
    /// A page of the account's tags by name (case-insensitive, then id).
    async fn list_tags(
        &self,
        account_id: &str,
        page: &PageRequest<NameCursor>,
    ) -> StoreResult<Page<Tag>>;
    /// Renames a tag; `None` when the account has no such tag, `Conflict("tag name")` when
    /// another of its tags has the name (case-insensitive).
    async fn rename_tag(
        &self,
        account_id: &str,
        tag_id: &str,
        name: &str,
    ) -> StoreResult<Option<Tag>>;
    /// Deletes a tag and unlinks it from every interaction, in one transaction; false when the
    /// account has no such tag.
    async fn delete_tag(&self, account_id: &str, tag_id: &str) -> StoreResult<bool>;

    /// Links one of the account's tags (by id or name) to an interaction of the account; its
    /// tags by name after, or `None` without such interaction; `NotFound("tag")` when the
    /// account has no such tag.
    async fn tag_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
        tag: &str,
    ) -> StoreResult<Option<Vec<Tag>>>;
    /// Unlinks a tag (by id) from an interaction of the account; its tags after, or `None`
    /// without such interaction.
    async fn untag_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
        tag_id: &str,
    ) -> StoreResult<Option<Vec<Tag>>>;

    // --- scorecards ---

    async fn create_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Scorecard>;
    /// Replaces the fields; `None` when no such scorecard on this account.
    async fn update_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Option<Scorecard>>;
    async fn get_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Option<Scorecard>>;
    /// A page of the account's scorecards, oldest first (by creation time, then id).
    async fn list_scorecards(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<Scorecard>>;
    /// An immutable version of a scorecard of this account; `version: None` is the current one.
    async fn get_scorecard_version(
        &self,
        account_id: &str,
        scorecard_id: &str,
        version: Option<i64>,
    ) -> StoreResult<Option<ScorecardVersion>>;

    // --- uploads and interactions ---

    /// The receipt of an existing upload with this `sourceIdentifier`, if any (warnings empty).
    async fn find_upload(
        &self,
        account_id: &str,
        source_identifier: &str,
    ) -> StoreResult<Option<UploadReceipt>>;

    /// Writes a whole upload in one transaction, in this order of checks:
    /// 1. an interaction with the same (account, sourceIdentifier) exists → `Duplicate` with its
    ///    receipt, nothing written (also when a concurrent upload wins the race);
    /// 2. `evaluation.scorecard_id` is not an ACTIVE scorecard of the account → `ScorecardNotActive`;
    /// 3. the balance is below `charge` → `InsufficientCredits`;
    /// then participants (matched by sourceIdentifier, else e-mail, else created; an e-mail owned
    /// by another participant is dropped with a warning), tags (by id or case-insensitive name;
    /// unknown → warning), metadata, transcript, e-mail, evaluation (QUEUED), the ledger debit
    /// and the jobs. The receipt's warnings = `upload.warnings` followed by the store's own.
    async fn create_upload(&self, upload: NewUpload) -> StoreResult<UploadOutcome>;

    /// Queues an evaluation of an existing interaction with its debit and job, in one
    /// transaction. `NotFound("interaction")`, `ScorecardNotActive`, `InsufficientCredits`.
    async fn queue_evaluation(&self, evaluation: NewEvaluation) -> StoreResult<()>;

    /// Queues an interaction's failed steps again (`scorejar_core::retry`) with the debit and
    /// the jobs, in one transaction. `NotFound("interaction")`, `InsufficientCredits`, and
    /// `Conflict("retry")` when a step is no longer FAILED (a concurrent retry won); nothing is
    /// written on any error.
    async fn retry_interaction(
        &self,
        account_id: &str,
        plan: scorejar_core::retry::RetryPlan,
    ) -> StoreResult<()>;

    /// Writes a reviewer's corrected `result` (and its figures) if the evaluation is still
    /// COMPLETED and its `updated_at` is still `seen_updated_at`; `false` otherwise.
    async fn review_evaluation(
        &self,
        account_id: &str,
        score_submission_id: &str,
        seen_updated_at: time::OffsetDateTime,
        result: serde_json::Value,
        summary: crate::queue::EvaluationSummary,
    ) -> StoreResult<bool>;

    /// The completed evaluations in `scope`, newest first (at most 50,000), for the dashboard.
    async fn evaluation_facts(
        &self,
        account_id: &str,
        scope: &DashboardScope,
    ) -> StoreResult<Vec<scorejar_core::dashboard::EvaluationFact>>;
    /// How many interactions of each type and direction arrived in `scope` (by when they were
    /// received; its scorecard ignored).
    async fn interaction_volume(
        &self,
        account_id: &str,
        scope: &DashboardScope,
    ) -> StoreResult<Vec<VolumeRow>>;

    /// The results of a scorecard's evaluations that a reviewer has corrected.
    async fn reviewed_results(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Vec<serde_json::Value>>;

    /// A page of this account's evaluations, newest first (summary rows).
    async fn list_evaluations(
        &self,
        account_id: &str,
        filter: &scorejar_core::evaluation::listing::EvaluationFilter,
    ) -> StoreResult<scorejar_core::evaluation::listing::EvaluationPage>;

    /// One evaluation (score submission) of this account.
    async fn get_evaluation(
        &self,
        account_id: &str,
        score_submission_id: &str,
    ) -> StoreResult<Option<EvaluationRecord>>;

    async fn get_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Option<InteractionRecord>>;
    /// The account's retention; `None` for an unknown account.
    async fn get_retention(&self, account_id: &str) -> StoreResult<Option<Retention>>;
    /// Sets the account's retention; false for an unknown account.
    async fn set_retention(&self, account_id: &str, retention: Retention) -> StoreResult<bool>;
    /// Interactions (account id, interaction id) past their account's retention at `now`,
    /// oldest first, at most `limit`.
    async fn expired_interactions(
        &self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Recordings (interaction id, object key) past their account's media retention at `now`,
    /// oldest first, at most `limit`.
    async fn expired_media(
        &self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Records that an interaction's recording `key` was deleted at `now` (its object is gone
    /// already); false when the interaction no longer names that key.
    async fn media_removed(
        &self,
        interaction_id: &str,
        key: &str,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Deletes the sessions expired at `now`; how many.
    async fn sweep_sessions(&self, now: OffsetDateTime) -> StoreResult<u64>;
    /// Deletes the jobs that finished (DONE or FAILED) before `before`; how many.
    async fn sweep_jobs(&self, before: OffsetDateTime) -> StoreResult<u64>;
    /// Erases a participant's name, e-mail, phone and source identifier (the row stays, so
    /// its interactions keep their link); false when the account has no such participant.
    async fn erase_participant(&self, account_id: &str, participant_id: &str) -> StoreResult<bool>;
    /// Deletes an interaction of the account with its tags links, metadata, evaluations, tries
    /// and jobs, in one transaction (the credits ledger keeps its rows). `Some(media key)` when
    /// it existed — the caller deletes that object —, `None` otherwise.
    async fn delete_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Option<Option<String>>>;
    /// Newest event first. An undecodable cursor is the caller's problem (validated before).
    async fn list_interactions(
        &self,
        account_id: &str,
        filter: &InteractionFilter,
    ) -> StoreResult<InteractionPage>;
    /// Which of `ids` name an interaction, whatever its account (the orphan-media sweep).
    async fn existing_interactions(
        &self,
        ids: Vec<String>,
    ) -> StoreResult<std::collections::HashSet<String>>;

    // --- credits ---

    /// Balance and a page of the ledger, newest first (by creation time, then id), read
    /// together.
    async fn credits(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<(i64, Page<LedgerEntry>)>;
}

/// Opens the store a URL names: `postgres://…` / `postgresql://…` → PostgreSQL, `sqlite://PATH`
/// or a plain file path → SQLite. Runs migrations before returning.
/// `pool_size` is the PostgreSQL connection pool size (SQLite has one writer and a fixed read pool).
pub async fn open(url: &str, pool_size: u32) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(
            postgres::PgStore::connect_with_pool_size(url, pool_size).await?,
        ))
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        Ok(Arc::new(sqlite::SqliteStore::open(path).await?))
    }
}
