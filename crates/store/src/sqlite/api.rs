//! The [`Store`] implementation of [`SqliteStore`]: each method sends a synchronous function
//! of the submodules either to the writer thread (anything that writes) or to the read pool.
//! Arguments are copied into owned values first because both run off the async task.

use super::{
    accounts, catalog, credits, interactions, jobs, listing, tokens, uploads, SqliteStore,
};
use crate::{NewApiToken, NewSession, Store, StoreResult};
use async_trait::async_trait;
use scorejar_core::model::*;

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn create_account(
        &self,
        account_id: &str,
        name: &str,
        credits: i64,
        token: NewApiToken,
    ) -> StoreResult<Account> {
        let account_id = account_id.to_owned();
        let name = name.to_owned();
        self.write(move |c| accounts::create_account(c, &account_id, &name, credits, token))
            .await
    }

    async fn account_count(&self) -> StoreResult<i64> {
        self.read(move |c| accounts::account_count(c)).await
    }

    async fn get_account(&self, account_id: &str) -> StoreResult<Option<Account>> {
        let account_id = account_id.to_owned();
        self.read(move |c| accounts::get_account(c, &account_id))
            .await
    }

    async fn add_credits(&self, account_id: &str, amount: i64, reason: &str) -> StoreResult<i64> {
        let account_id = account_id.to_owned();
        let reason = reason.to_owned();
        self.write(move |c| credits::add_credits(c, &account_id, amount, &reason))
            .await
    }

    async fn create_user(
        &self,
        user_id: &str,
        account_id: &str,
        email: &str,
        password_hash: &str,
    ) -> StoreResult<()> {
        let user_id = user_id.to_owned();
        let account_id = account_id.to_owned();
        let email = email.to_owned();
        let password_hash = password_hash.to_owned();
        self.write(move |c| accounts::create_user(c, &user_id, &account_id, &email, &password_hash))
            .await
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let email = email.to_owned();
        self.read(move |c| accounts::find_user_by_email(c, &email))
            .await
    }

    async fn find_user(&self, user_id: &str) -> StoreResult<Option<UserRecord>> {
        let user_id = user_id.to_owned();
        self.read(move |c| accounts::find_user(c, &user_id)).await
    }

    async fn create_api_token(
        &self,
        account_id: &str,
        token: NewApiToken,
    ) -> StoreResult<ApiTokenInfo> {
        let account_id = account_id.to_owned();
        self.write(move |c| tokens::create_api_token(c, &account_id, token))
            .await
    }

    async fn list_api_tokens(&self, account_id: &str) -> StoreResult<Vec<ApiTokenInfo>> {
        let account_id = account_id.to_owned();
        self.read(move |c| tokens::list_api_tokens(c, &account_id))
            .await
    }

    async fn revoke_api_token(&self, account_id: &str, token_id: &str) -> StoreResult<bool> {
        let account_id = account_id.to_owned();
        let token_id = token_id.to_owned();
        self.write(move |c| tokens::revoke_api_token(c, &account_id, &token_id))
            .await
    }

    async fn account_for_api_token(&self, token_hash: &str) -> StoreResult<Option<String>> {
        let token_hash = token_hash.to_owned();
        self.read(move |c| tokens::account_for_api_token(c, &token_hash))
            .await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        self.write(move |c| accounts::create_session(c, session))
            .await
    }

    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let token_hash = token_hash.to_owned();
        self.read(move |c| accounts::find_session(c, &token_hash))
            .await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool> {
        let token_hash = token_hash.to_owned();
        self.write(move |c| accounts::delete_session(c, &token_hash))
            .await
    }

    async fn create_tag(&self, account_id: &str, tag: Tag) -> StoreResult<Tag> {
        let account_id = account_id.to_owned();
        self.write(move |c| catalog::create_tag(c, &account_id, tag))
            .await
    }

    async fn list_tags(&self, account_id: &str) -> StoreResult<Vec<Tag>> {
        let account_id = account_id.to_owned();
        self.read(move |c| catalog::list_tags(c, &account_id)).await
    }

    async fn create_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Scorecard> {
        let account_id = account_id.to_owned();
        let scorecard_id = scorecard_id.to_owned();
        let fields = fields.clone();
        self.write(move |c| catalog::create_scorecard(c, &account_id, &scorecard_id, &fields))
            .await
    }

    async fn update_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
        fields: &ScorecardFields,
    ) -> StoreResult<Option<Scorecard>> {
        let account_id = account_id.to_owned();
        let scorecard_id = scorecard_id.to_owned();
        let fields = fields.clone();
        self.write(move |c| catalog::update_scorecard(c, &account_id, &scorecard_id, &fields))
            .await
    }

    async fn get_scorecard(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Option<Scorecard>> {
        let account_id = account_id.to_owned();
        let scorecard_id = scorecard_id.to_owned();
        self.read(move |c| catalog::get_scorecard(c, &account_id, &scorecard_id))
            .await
    }

    async fn list_scorecards(&self, account_id: &str) -> StoreResult<Vec<Scorecard>> {
        let account_id = account_id.to_owned();
        self.read(move |c| catalog::list_scorecards(c, &account_id))
            .await
    }

    async fn find_upload(
        &self,
        account_id: &str,
        source_identifier: &str,
    ) -> StoreResult<Option<UploadReceipt>> {
        let account_id = account_id.to_owned();
        let source_identifier = source_identifier.to_owned();
        self.read(move |c| uploads::find_upload(c, &account_id, &source_identifier))
            .await
    }

    async fn create_upload(&self, upload: NewUpload) -> StoreResult<UploadOutcome> {
        let enqueues = !upload.jobs.is_empty();
        let outcome = self
            .write(move |c| uploads::create_upload(c, upload))
            .await?;
        if enqueues && matches!(outcome, UploadOutcome::Created(_)) {
            self.jobs_signal.notify_waiters();
        }
        Ok(outcome)
    }

    async fn queue_evaluation(&self, evaluation: NewEvaluation) -> StoreResult<()> {
        self.write(move |c| uploads::queue_evaluation(c, evaluation))
            .await?;
        self.jobs_signal.notify_waiters();
        Ok(())
    }

    async fn get_interaction(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Option<InteractionRecord>> {
        let account_id = account_id.to_owned();
        let interaction_id = interaction_id.to_owned();
        self.read(move |c| interactions::get(c, &account_id, &interaction_id))
            .await
    }

    async fn list_interactions(
        &self,
        account_id: &str,
        filter: &InteractionFilter,
    ) -> StoreResult<InteractionPage> {
        let account_id = account_id.to_owned();
        let filter = filter.clone();
        self.read(move |c| listing::list(c, &account_id, &filter))
            .await
    }

    async fn credits(&self, account_id: &str, limit: u32) -> StoreResult<(i64, Vec<LedgerEntry>)> {
        let account_id = account_id.to_owned();
        self.read(move |c| credits::credits(c, &account_id, limit))
            .await
    }

    async fn jobs_for_interaction(&self, interaction_id: &str) -> StoreResult<Vec<JobRecord>> {
        let interaction_id = interaction_id.to_owned();
        self.read(move |c| jobs::for_interaction(c, &interaction_id))
            .await
    }
}
