//! The one implementation of [`Store`] and [`JobQueue`], for every [`Backend`].
//!
//! A backend says how to run work — on a read connection, as one transaction, or as one
//! statement that is atomic by itself — and supplies the few operations whose SQL is its own
//! (a whole upload as one statement on PostgreSQL, claiming jobs, waiting for new ones). Every
//! other method is written here once, as a call into `ops`.

use crate::ops::{
    accounts, catalog, credits, dashboard, evaluations, interaction_tags, interactions, jobs,
    participants, retention, retry, secrets, trials, upload, users,
};
use crate::queue::{ClaimedJob, JobOutcome, JobQueue, JobState};
use crate::rules::outcome::requeues;
use crate::sql::{is_transient, Db};
use crate::{NewApiToken, NewSession, Store, StoreResult};
use async_trait::async_trait;
use scorejar_core::cursor::{to_micros, Cursor};
use scorejar_core::model::*;
use scorejar_core::paging::{NameCursor, Page, PageRequest};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use time::OffsetDateTime;

/// The future of one piece of work on a [`Db`].
pub(crate) type WorkFuture<'d, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'd>>;

/// A piece of work on a database's [`Db`], as [`Backend`] runs it.
pub(crate) trait Work<D, T>:
    for<'d> FnOnce(&'d mut D) -> WorkFuture<'d, T> + Send + 'static
{
}

impl<D, T, F> Work<D, T> for F where
    F: for<'d> FnOnce(&'d mut D) -> WorkFuture<'d, T> + Send + 'static
{
}

/// `work!(db => expression)`: a closure that runs `expression` (which may `.await` and use
/// `db`) as a [`WorkFuture`], for [`Backend::read`], [`Backend::write`] and
/// [`Backend::write_one`].
macro_rules! work {
    ($db:ident => $body:expr) => {
        move |$db| Box::pin(async move { $body })
    };
}

mod webhooks;

/// Runs of a transaction that PostgreSQL aborted to break a deadlock.
const TRANSIENT_ATTEMPTS: usize = 3;

/// How a database runs work; see the module docs.
pub(crate) trait Backend: Send + Sync + 'static {
    type Db: Db;

    fn name(&self) -> &'static str;

    /// Connections of the pool (open, idle), where the backend has one.
    fn pool_use(&self) -> Option<(u32, u32)> {
        None
    }

    /// Work that only reads. SQLite reads one snapshot; PostgreSQL reads on a pooled
    /// connection, statement by statement.
    fn read<T: Send + 'static>(
        &self,
        work: impl Work<Self::Db, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send;

    /// Work that writes, as one transaction: all of it or none of it.
    fn write<T: Send + 'static>(
        &self,
        work: impl Work<Self::Db, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send;

    /// Work that writes with a single statement, atomic by itself (PostgreSQL skips BEGIN and
    /// COMMIT, two round trips; SQLite runs it like any write).
    fn write_one<T: Send + 'static>(
        &self,
        work: impl Work<Self::Db, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send;

    /// Called after a committed write that inserted or re-queued jobs (SQLite wakes its
    /// waiters here; PostgreSQL's transactions NOTIFY themselves).
    fn jobs_committed(&self);

    /// [`Store::create_upload`]: the rules of `ops::upload`, in the backend's fastest form.
    fn create_upload(
        &self,
        upload: NewUpload,
    ) -> impl Future<Output = StoreResult<UploadOutcome>> + Send;

    /// [`JobQueue::claim_jobs`] for non-empty `kinds` and a positive `limit`.
    fn claim(
        &self,
        worker_id: String,
        kinds: Vec<String>,
        limit: u32,
        lease: Duration,
    ) -> impl Future<Output = StoreResult<Vec<ClaimedJob>>> + Send;

    /// [`JobQueue::wait_for_jobs`].
    fn wait_for_jobs(&self, timeout: Duration) -> impl Future<Output = ()> + Send;
}

/// Runs `attempt` again while it fails with a deadlock the database broke.
async fn retry_transient<T, Fut: Future<Output = StoreResult<T>>>(
    mut attempt: impl FnMut() -> Fut,
) -> StoreResult<T> {
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(e) if is_transient(&e) && tries < TRANSIENT_ATTEMPTS => {
                tracing::debug!(tries, error = %e, "transaction aborted by a deadlock; running it again");
            }
            other => return other,
        }
    }
}

#[async_trait]
impl<B: Backend> Store for B {
    fn backend(&self) -> &'static str {
        self.name()
    }

    fn pool_use(&self) -> Option<(u32, u32)> {
        Backend::pool_use(self)
    }

    async fn create_account(
        &self,
        account_id: &str,
        name: &str,
        credits: i64,
        token: NewApiToken,
    ) -> StoreResult<Account> {
        let (account_id, name) = (account_id.to_owned(), name.to_owned());
        self.write(
            work!(db => accounts::create_account(db, &account_id, &name, credits, &token).await),
        )
        .await
    }

    async fn create_first_account(
        &self,
        account_id: &str,
        name: &str,
        credits: i64,
        token: NewApiToken,
    ) -> StoreResult<Option<Account>> {
        let (account_id, name) = (account_id.to_owned(), name.to_owned());
        self.write(work!(db => accounts::create_first_account(db, &account_id, &name, credits, &token).await))
            .await
    }

    async fn account_count(&self) -> StoreResult<i64> {
        self.read(work!(db => accounts::account_count(db).await))
            .await
    }

    async fn get_account(&self, account_id: &str) -> StoreResult<Option<Account>> {
        let account_id = account_id.to_owned();
        self.read(work!(db => accounts::get_account(db, &account_id).await))
            .await
    }

    async fn add_credits(&self, account_id: &str, amount: i64, reason: &str) -> StoreResult<i64> {
        let (account_id, reason) = (account_id.to_owned(), reason.to_owned());
        let now = crate::codec::now_micros();
        self.write(work!(db => credits::apply(db, &account_id, amount, &reason, None, now).await))
            .await
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<()> {
        self.write(work!(db => accounts::create_user(db, &user).await))
            .await
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let email = email.to_owned();
        self.read(work!(db => accounts::find_user_by_email(db, &email).await))
            .await
    }

    async fn find_user(&self, user_id: &str) -> StoreResult<Option<UserRecord>> {
        let user_id = user_id.to_owned();
        self.read(work!(db => accounts::find_user(db, &user_id).await))
            .await
    }

    async fn list_users(&self, account_id: &str) -> StoreResult<Vec<UserRecord>> {
        let account_id = account_id.to_owned();
        self.read(work!(db => users::list_users(db, &account_id).await))
            .await
    }

    async fn update_user(
        &self,
        account_id: &str,
        user_id: &str,
        change: crate::UserChange,
    ) -> StoreResult<Option<UserRecord>> {
        let (account_id, user_id) = (account_id.to_owned(), user_id.to_owned());
        self.write(work!(db => users::update_user(db, &account_id, &user_id, &change).await))
            .await
    }

    async fn invite_user(&self, user: NewUser, link: crate::PasswordLink) -> StoreResult<()> {
        self.write(work!(db => users::invite_user(db, &user, &link).await))
            .await
    }

    async fn create_password_link(
        &self,
        account_id: &str,
        user_id: &str,
        link: crate::PasswordLink,
    ) -> StoreResult<crate::NewLinkOutcome> {
        let (account_id, user_id) = (account_id.to_owned(), user_id.to_owned());
        self.write(work!(db => users::create_password_link(db, &account_id, &user_id, &link).await))
            .await
    }

    async fn create_trial(&self, trial: crate::NewTrial, max_waiting: i64) -> StoreResult<bool> {
        let now = crate::codec::now_micros();
        self.write(work!(db => trials::create_trial(db, &trial, max_waiting, now).await))
            .await
    }

    async fn get_trial(&self, account_id: &str, id: &str) -> StoreResult<Option<crate::Trial>> {
        let (account_id, id) = (account_id.to_owned(), id.to_owned());
        self.read(work!(db => trials::get_trial(db, &account_id, &id).await))
            .await
    }

    async fn password_link_user(&self, token_hash: &str) -> StoreResult<Option<UserRecord>> {
        let token_hash = token_hash.to_owned();
        self.read(work!(db => users::password_link_user(db, &token_hash).await))
            .await
    }

    async fn use_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> StoreResult<Option<UserRecord>> {
        let (token_hash, password_hash) = (token_hash.to_owned(), password_hash.to_owned());
        self.write(work!(db => users::use_password_link(db, &token_hash, &password_hash).await))
            .await
    }

    async fn create_api_token(
        &self,
        account_id: &str,
        token: NewApiToken,
    ) -> StoreResult<ApiTokenInfo> {
        let account_id = account_id.to_owned();
        self.write(work!(db => accounts::create_api_token(db, &account_id, token).await))
            .await
    }

    async fn list_api_tokens(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<ApiTokenInfo>> {
        let (account_id, page) = (account_id.to_owned(), page.clone());
        self.read(work!(db => accounts::list_api_tokens(db, &account_id, &page).await))
            .await
    }

    async fn get_api_token(
        &self,
        account_id: &str,
        token_id: &str,
    ) -> StoreResult<Option<ApiTokenInfo>> {
        let (account_id, token_id) = (account_id.to_owned(), token_id.to_owned());
        self.read(work!(db => accounts::get_api_token(db, &account_id, &token_id).await))
            .await
    }

    async fn revoke_api_token(&self, account_id: &str, token_id: &str) -> StoreResult<bool> {
        let (account_id, token_id) = (account_id.to_owned(), token_id.to_owned());
        self.write_one(work!(db => accounts::revoke_api_token(db, &account_id, &token_id).await))
            .await
    }

    async fn find_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenAuth>> {
        let token_hash = token_hash.to_owned();
        self.read(work!(db => accounts::find_api_token(db, &token_hash).await))
            .await
    }

    async fn record_api_token_use(&self, token_id: &str, at: OffsetDateTime) -> StoreResult<()> {
        let (token_id, at) = (token_id.to_owned(), to_micros(at));
        self.write_one(work!(db => accounts::record_api_token_use(db, &token_id, at).await))
            .await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        self.write(work!(db => accounts::create_session(db, &session).await))
            .await
    }

    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let token_hash = token_hash.to_owned();
        self.read(work!(db => accounts::find_session(db, &token_hash).await))
            .await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool> {
        let token_hash = token_hash.to_owned();
        self.write_one(work!(db => accounts::delete_session(db, &token_hash).await))
            .await
    }

    async fn extend_session(&self, token_hash: &str, until: OffsetDateTime) -> StoreResult<()> {
        let (token_hash, until) = (token_hash.to_owned(), to_micros(until));
        self.write_one(work!(db => accounts::extend_session(db, &token_hash, until).await))
            .await
    }

    async fn server_secret(&self, name: &str, candidate: &str) -> StoreResult<String> {
        let (name, candidate) = (name.to_owned(), candidate.to_owned());
        self.write(work!(db => secrets::get_or_insert(db, &name, &candidate).await))
            .await
    }

    async fn create_tag(&self, account_id: &str, tag: Tag) -> StoreResult<Tag> {
        let account_id = account_id.to_owned();
        self.write(work!(db => catalog::create_tag(db, &account_id, tag).await))
            .await
    }

    async fn list_tags(
        &self,
        account_id: &str,
        page: &PageRequest<NameCursor>,
    ) -> StoreResult<Page<Tag>> {
        let (account_id, page) = (account_id.to_owned(), page.clone());
        self.read(work!(db => catalog::list_tags(db, &account_id, &page).await))
            .await
    }

    async fn rename_tag(
        &self,
        account_id: &str,
        tag_id: &str,
        name: &str,
    ) -> StoreResult<Option<Tag>> {
        let (account_id, tag_id, name) =
            (account_id.to_owned(), tag_id.to_owned(), name.to_owned());
        self.write_one(work!(db => catalog::rename_tag(db, &account_id, &tag_id, &name).await))
            .await
    }

    async fn delete_tag(&self, account_id: &str, tag_id: &str) -> StoreResult<bool> {
        let (account_id, tag_id) = (account_id.to_owned(), tag_id.to_owned());
        self.write(work!(db => catalog::delete_tag(db, &account_id, &tag_id).await))
            .await
    }

    async fn tag_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
        tag: &str,
    ) -> StoreResult<Option<Vec<Tag>>> {
        let (a, i, t) = (
            account_id.to_owned(),
            interaction_id.to_owned(),
            tag.to_owned(),
        );
        self.write(work!(db => interaction_tags::tag_interaction(db, &a, &i, &t).await))
            .await
    }

    async fn untag_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
        tag_id: &str,
    ) -> StoreResult<Option<Vec<Tag>>> {
        let (a, i, t) = (
            account_id.to_owned(),
            interaction_id.to_owned(),
            tag_id.to_owned(),
        );
        self.write(work!(db => interaction_tags::untag_interaction(db, &a, &i, &t).await))
            .await
    }

    async fn create_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Scorecard> {
        let (account_id, scorecard_id, fields) = (
            account_id.to_owned(),
            scorecard_id.to_owned(),
            fields.clone(),
        );
        self.write(
            work!(db => catalog::create_scorecard(db, &account_id, &scorecard_id, &fields).await),
        )
        .await
    }

    async fn update_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Option<Scorecard>> {
        let (account_id, scorecard_id, fields) = (
            account_id.to_owned(),
            scorecard_id.to_owned(),
            fields.clone(),
        );
        self.write_one(
            work!(db => catalog::update_scorecard(db, &account_id, &scorecard_id, &fields).await),
        )
        .await
    }

    async fn get_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Option<Scorecard>> {
        let (account_id, scorecard_id) = (account_id.to_owned(), scorecard_id.to_owned());
        self.read(work!(db => catalog::get_scorecard(db, &account_id, &scorecard_id).await))
            .await
    }

    async fn list_scorecards(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<Scorecard>> {
        let (account_id, page) = (account_id.to_owned(), page.clone());
        self.read(work!(db => catalog::list_scorecards(db, &account_id, &page).await))
            .await
    }

    async fn get_scorecard_version(
        &self,
        account_id: &str,
        scorecard_id: &str,
        version: Option<i64>,
    ) -> StoreResult<Option<ScorecardVersion>> {
        let (account_id, scorecard_id) = (account_id.to_owned(), scorecard_id.to_owned());
        self.read(work!(db => catalog::get_scorecard_version(db, &account_id, &scorecard_id, version).await))
            .await
    }

    async fn review_evaluation(
        &self,
        account_id: &str,
        score_submission_id: &str,
        seen_updated_at: OffsetDateTime,
        result: serde_json::Value,
        summary: crate::queue::EvaluationSummary,
    ) -> StoreResult<bool> {
        let (account_id, id) = (account_id.to_owned(), score_submission_id.to_owned());
        let seen = to_micros(seen_updated_at);
        let changed = self
            .write(
                work!(db => evaluations::review(db, &account_id, &id, seen, &result, &summary).await),
            )
            .await?;
        // An override may have queued a `Dispatch` job.
        self.jobs_committed();
        Ok(changed)
    }

    async fn evaluation_facts(
        &self,
        account_id: &str,
        scope: &crate::DashboardScope,
    ) -> StoreResult<Vec<scorejar_core::dashboard::EvaluationFact>> {
        let (account_id, scope) = (account_id.to_owned(), scope.clone());
        self.read(work!(db => dashboard::evaluation_facts(db, &account_id, &scope).await))
            .await
    }

    async fn interaction_volume(
        &self,
        account_id: &str,
        scope: &crate::DashboardScope,
    ) -> StoreResult<Vec<crate::VolumeRow>> {
        let (account_id, scope) = (account_id.to_owned(), scope.clone());
        self.read(work!(db => dashboard::interaction_volume(db, &account_id, &scope).await))
            .await
    }

    async fn reviewed_results(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Vec<serde_json::Value>> {
        let (account_id, scorecard_id) = (account_id.to_owned(), scorecard_id.to_owned());
        self.read(work!(db => evaluations::reviewed_results(db, &account_id, &scorecard_id).await))
            .await
    }

    async fn list_evaluations(
        &self,
        account_id: &str,
        filter: &scorejar_core::evaluation::listing::EvaluationFilter,
    ) -> StoreResult<scorejar_core::evaluation::listing::EvaluationPage> {
        let (account_id, filter) = (account_id.to_owned(), filter.clone());
        self.read(work!(db => evaluations::list(db, &account_id, &filter).await))
            .await
    }

    async fn get_evaluation(
        &self,
        account_id: &str,
        score_submission_id: &str,
    ) -> StoreResult<Option<EvaluationRecord>> {
        let (account_id, id) = (account_id.to_owned(), score_submission_id.to_owned());
        self.read(work!(db => evaluations::get(db, &account_id, &id).await))
            .await
    }

    async fn find_upload(
        &self,
        account_id: &str,
        source_identifier: &str,
    ) -> StoreResult<Option<UploadReceipt>> {
        let (account_id, source_identifier) = (account_id.to_owned(), source_identifier.to_owned());
        self.read(work!(db => upload::find(db, &account_id, &source_identifier).await))
            .await
    }

    async fn create_upload(&self, upload: NewUpload) -> StoreResult<UploadOutcome> {
        let enqueues = !upload.jobs.is_empty();
        let outcome = Backend::create_upload(self, upload).await?;
        if enqueues && matches!(outcome, UploadOutcome::Created(_)) {
            self.jobs_committed();
        }
        Ok(outcome)
    }

    async fn queue_evaluation(&self, evaluation: NewEvaluation) -> StoreResult<()> {
        let evaluation = std::sync::Arc::new(evaluation);
        retry_transient(|| {
            let evaluation = evaluation.clone();
            self.write(work!(db => evaluations::queue(db, &evaluation).await))
        })
        .await?;
        self.jobs_committed();
        Ok(())
    }

    async fn retry_interaction(
        &self,
        account_id: &str,
        plan: scorejar_core::retry::RetryPlan,
    ) -> StoreResult<()> {
        let work = std::sync::Arc::new((account_id.to_owned(), plan));
        retry_transient(|| {
            let work = work.clone();
            self.write(work!(db => retry::retry(db, &work.0, &work.1).await))
        })
        .await?;
        if !work.1.jobs.is_empty() {
            self.jobs_committed();
        }
        Ok(())
    }

    async fn get_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Option<InteractionRecord>> {
        let (account_id, interaction_id) = (account_id.to_owned(), interaction_id.to_owned());
        self.read(work!(db => interactions::get(db, &account_id, &interaction_id).await))
            .await
    }

    async fn get_retention(&self, account_id: &str) -> StoreResult<Option<crate::Retention>> {
        let account_id = account_id.to_owned();
        self.read(work!(db => retention::get_retention(db, &account_id).await))
            .await
    }

    async fn set_retention(&self, account_id: &str, value: crate::Retention) -> StoreResult<bool> {
        let account_id = account_id.to_owned();
        self.write(work!(db => retention::set_retention(db, &account_id, &value).await))
            .await
    }

    async fn expired_interactions(
        &self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<(String, String)>> {
        let now = to_micros(now);
        self.read(work!(db => retention::expired_interactions(db, now, limit).await))
            .await
    }

    async fn expired_media(
        &self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<(String, String)>> {
        let now = to_micros(now);
        self.read(work!(db => retention::expired_media(db, now, limit).await))
            .await
    }

    async fn media_removed(
        &self,
        interaction_id: &str,
        key: &str,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let (interaction_id, key, now) =
            (interaction_id.to_owned(), key.to_owned(), to_micros(now));
        self.write(work!(db => retention::media_removed(db, &interaction_id, &key, now).await))
            .await
    }

    async fn sweep_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let now = to_micros(now);
        self.write(work!(db => retention::sweep_sessions(db, now).await))
            .await
    }

    async fn sweep_jobs(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let before = to_micros(before);
        self.write(work!(db => retention::sweep_jobs(db, before).await))
            .await
    }

    async fn erase_participant(&self, account_id: &str, participant_id: &str) -> StoreResult<bool> {
        let (account_id, participant_id) = (account_id.to_owned(), participant_id.to_owned());
        self.write(
            work!(db => participants::erase_participant(db, &account_id, &participant_id).await),
        )
        .await
    }

    async fn delete_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Option<Option<String>>> {
        let (account_id, interaction_id) = (account_id.to_owned(), interaction_id.to_owned());
        self.write(
            work!(db => interactions::delete_interaction(db, &account_id, &interaction_id).await),
        )
        .await
    }

    async fn list_interactions(
        &self,
        account_id: &str,
        filter: &InteractionFilter,
    ) -> StoreResult<InteractionPage> {
        let (account_id, filter) = (account_id.to_owned(), filter.clone());
        self.read(work!(db => interactions::list(db, &account_id, &filter).await))
            .await
    }

    async fn existing_interactions(
        &self,
        ids: Vec<String>,
    ) -> StoreResult<std::collections::HashSet<String>> {
        self.read(work!(db => interactions::existing(db, &ids).await))
            .await
    }

    async fn credits(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<(i64, Page<LedgerEntry>)> {
        let (account_id, page) = (account_id.to_owned(), page.clone());
        self.read(work!(db => credits::credits(db, &account_id, &page).await))
            .await
    }
}

#[async_trait]
impl<B: Backend> JobQueue for B {
    async fn claim_jobs(
        &self,
        worker_id: &str,
        kinds: &[String],
        limit: u32,
        lease: Duration,
    ) -> StoreResult<Vec<ClaimedJob>> {
        if kinds.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        retry_transient(|| self.claim(worker_id.to_owned(), kinds.to_vec(), limit, lease)).await
    }

    async fn extend_leases(
        &self,
        worker_id: &str,
        job_ids: &[String],
        lease: Duration,
    ) -> StoreResult<u64> {
        let (worker_id, job_ids) = (worker_id.to_owned(), job_ids.to_vec());
        let lease = crate::codec::duration_micros(lease);
        self.write_one(work!(db => jobs::extend_leases(db, &worker_id, &job_ids, lease).await))
            .await
    }

    async fn finish_job(
        &self,
        job_id: &str,
        worker_id: &str,
        outcome: JobOutcome,
    ) -> StoreResult<bool> {
        if outcome == JobOutcome::Done(Default::default()) {
            // Nothing but the job row: one statement.
            return Ok(self
                .finish_jobs_done(worker_id, &[job_id.to_owned()])
                .await?
                == 1);
        }
        let requeues = requeues(&outcome);
        let task = std::sync::Arc::new((job_id.to_owned(), worker_id.to_owned(), outcome));
        let finished = retry_transient(|| {
            let task = task.clone();
            self.write(work!(db => jobs::finish(db, &task.0, &task.1, &task.2).await))
        })
        .await?;
        if finished && requeues {
            self.jobs_committed();
        }
        Ok(finished)
    }

    async fn finish_jobs_done(&self, worker_id: &str, job_ids: &[String]) -> StoreResult<u64> {
        let (worker_id, job_ids) = (worker_id.to_owned(), job_ids.to_vec());
        self.write_one(work!(db => jobs::finish_done(db, &worker_id, &job_ids).await))
            .await
    }

    async fn wait_for_jobs(&self, timeout: Duration) {
        Backend::wait_for_jobs(self, timeout).await
    }

    async fn enqueue_jobs(&self, new_jobs: Vec<NewJob>) -> StoreResult<()> {
        if new_jobs.is_empty() {
            return Ok(());
        }
        let now = crate::codec::now_micros();
        self.write(work!(db => jobs::enqueue(db, &new_jobs, now).await))
            .await?;
        self.jobs_committed();
        Ok(())
    }

    async fn interaction_for_job(
        &self,
        interaction_id: &str,
    ) -> StoreResult<Option<(String, InteractionRecord)>> {
        let interaction_id = interaction_id.to_owned();
        self.read(work!(db => interactions::get_any(db, &interaction_id).await))
            .await
    }

    async fn job(&self, job_id: &str) -> StoreResult<Option<JobState>> {
        let job_id = job_id.to_owned();
        self.read(work!(db => jobs::job(db, &job_id).await)).await
    }

    async fn interaction_jobs(&self, interaction_id: &str) -> StoreResult<Vec<JobState>> {
        let interaction_id = interaction_id.to_owned();
        self.read(work!(db => jobs::interaction_jobs(db, &interaction_id).await))
            .await
    }

    async fn job_counts(&self, kind: Option<&str>) -> StoreResult<BTreeMap<String, i64>> {
        let kind = kind.map(str::to_owned);
        self.read(work!(db => jobs::counts(db, kind.as_deref()).await))
            .await
    }

    async fn job_backlog(&self) -> StoreResult<BTreeMap<(String, String), i64>> {
        self.read(work!(db => jobs::backlog(db).await)).await
    }
}
