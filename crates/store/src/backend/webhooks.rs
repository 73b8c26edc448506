//! [`WebhookStore`] for every [`Backend`], written once as calls into `ops`.

use super::{retry_transient, Backend};
use crate::ops::{actions, webhook_messages, webhook_targets};
use crate::webhooks::*;
use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use scorejar_core::cursor::{to_micros, Cursor};
use scorejar_core::paging::{Page, PageRequest};
use std::sync::Arc;
use time::OffsetDateTime;

/// What `run_action` records when the effect itself could not be applied for a reason that
/// will not change on a retry.
fn unrunnable(error: &StoreError) -> Option<&'static str> {
    match error {
        StoreError::InsufficientCredits { .. } => Some("insufficient_credits"),
        StoreError::ScorecardNotActive => Some("scorecard_not_active"),
        StoreError::NotFound(_) => Some("not_found"),
        _ => None,
    }
}

#[async_trait]
impl<B: Backend> WebhookStore for B {
    async fn create_action(&self, action: NewAction) -> StoreResult<ActionRecord> {
        self.write(work!(db => actions::create(db, &action).await))
            .await
    }

    async fn list_actions(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Option<Vec<ActionRecord>>> {
        let (account_id, scorecard_id) = (account_id.to_owned(), scorecard_id.to_owned());
        self.read(work!(db => actions::list(db, &account_id, &scorecard_id).await))
            .await
    }

    async fn get_action(
        &self,
        account_id: &str,
        scorecard_id: &str,
        action_id: &str,
    ) -> StoreResult<Option<ActionRecord>> {
        let (a, s, id) = (
            account_id.to_owned(),
            scorecard_id.to_owned(),
            action_id.to_owned(),
        );
        self.read(work!(db => actions::get(db, &a, &s, &id).await))
            .await
    }

    async fn update_action(
        &self,
        account_id: &str,
        scorecard_id: &str,
        action_id: &str,
        change: ActionChange,
    ) -> StoreResult<Option<ActionRecord>> {
        let (a, s, id) = (
            account_id.to_owned(),
            scorecard_id.to_owned(),
            action_id.to_owned(),
        );
        self.write(work!(db => actions::update(db, &a, &s, &id, &change).await))
            .await
    }

    async fn delete_action(
        &self,
        account_id: &str,
        scorecard_id: &str,
        action_id: &str,
    ) -> StoreResult<bool> {
        let (a, s, id) = (
            account_id.to_owned(),
            scorecard_id.to_owned(),
            action_id.to_owned(),
        );
        self.write(work!(db => actions::delete(db, &a, &s, &id).await))
            .await
    }

    async fn create_endpoint(&self, target: NewTarget) -> StoreResult<TargetRecord> {
        self.write(work!(db => {
            let count = webhook_targets::count_endpoints(db, &target.account_id).await?;
            if count >= MAX_ENDPOINTS_PER_ACCOUNT {
                return Err(StoreError::Conflict("endpoint"));
            }
            webhook_targets::insert(db, &target, crate::codec::now_micros()).await?;
            webhook_targets::get(db, &target.account_id, &target.id)
                .await?
                .ok_or(StoreError::NotFound("endpoint"))
        }))
        .await
    }

    async fn list_endpoints(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<TargetRecord>> {
        let (account_id, page) = (account_id.to_owned(), page.clone());
        self.read(work!(db => webhook_targets::list_endpoints(db, &account_id, &page).await))
            .await
    }

    async fn get_target(
        &self,
        account_id: &str,
        target_id: &str,
    ) -> StoreResult<Option<TargetRecord>> {
        let (a, id) = (account_id.to_owned(), target_id.to_owned());
        self.read(work!(db => webhook_targets::get(db, &a, &id).await))
            .await
    }

    async fn update_endpoint(
        &self,
        account_id: &str,
        target_id: &str,
        change: TargetChange,
    ) -> StoreResult<Option<TargetRecord>> {
        let (a, id) = (account_id.to_owned(), target_id.to_owned());
        self.write(work!(db => webhook_targets::update_endpoint(db, &a, &id, &change).await))
            .await
    }

    async fn delete_endpoint(&self, account_id: &str, target_id: &str) -> StoreResult<bool> {
        let (a, id) = (account_id.to_owned(), target_id.to_owned());
        self.write(work!(db => webhook_targets::delete(db, &a, &id, TargetKind::Endpoint).await))
            .await
    }

    async fn rotate_secret(
        &self,
        account_id: &str,
        target_id: &str,
        secret: &str,
        previous_until: OffsetDateTime,
    ) -> StoreResult<bool> {
        let (a, id, secret) = (
            account_id.to_owned(),
            target_id.to_owned(),
            secret.to_owned(),
        );
        let until = to_micros(previous_until);
        self.write_one(
            work!(db => webhook_targets::rotate_secret(db, &a, &id, &secret, until).await),
        )
        .await
    }

    async fn dispatch_targets(
        &self,
        account_id: &str,
        scorecard_id: Option<&str>,
        event_type: &str,
    ) -> StoreResult<(Vec<ActionRecord>, Vec<TargetRecord>)> {
        let (a, s, event) = (
            account_id.to_owned(),
            scorecard_id.map(str::to_owned),
            event_type.to_owned(),
        );
        self.read(work!(db => {
            let actions = match &s {
                Some(s) => actions::enabled_for(db, &a, s).await?,
                None => Vec::new(),
            };
            let endpoints = webhook_targets::subscribed_endpoints(db, &a, &event).await?;
            Ok((actions, endpoints))
        }))
        .await
    }

    async fn enqueue_messages(&self, messages: Vec<NewMessage>) -> StoreResult<u64> {
        if messages.is_empty() {
            return Ok(0);
        }
        let messages = Arc::new(messages);
        let added = retry_transient(|| {
            let messages = messages.clone();
            self.write(work!(db => {
                webhook_messages::enqueue(db, &messages, crate::codec::now_micros()).await
            }))
        })
        .await?;
        if added > 0 {
            self.jobs_committed();
        }
        Ok(added)
    }

    async fn run_action(
        &self,
        action_id: &str,
        dedupe_key: &str,
        interaction_id: &str,
        effect: ActionEffect,
    ) -> StoreResult<Option<String>> {
        let outcome = match &effect {
            ActionEffect::Skip { reason } => reason.clone(),
            _ => "done".to_owned(),
        };
        let (id, key, on) = (
            action_id.to_owned(),
            dedupe_key.to_owned(),
            interaction_id.to_owned(),
        );
        let effect = Arc::new(effect);
        let ran = retry_transient(|| {
            let (id, key, on, outcome, effect) = (
                id.clone(),
                key.clone(),
                on.clone(),
                outcome.clone(),
                effect.clone(),
            );
            self.write(work!(db => {
                if !actions::claim_run(db, &id, &key, &on, &outcome).await? {
                    return Ok(None);
                }
                actions::apply(db, &effect).await?;
                Ok(Some(outcome))
            }))
        })
        .await;
        let reason = match &ran {
            Err(error) => unrunnable(error),
            Ok(_) => None,
        };
        match (ran, reason) {
            (Ok(ran), _) => {
                if ran.is_some() {
                    self.jobs_committed();
                }
                Ok(ran)
            }
            (Err(_), Some(reason)) => {
                let first = self
                    .write(work!(db => actions::claim_run(db, &id, &key, &on, reason).await))
                    .await?;
                Ok(first.then(|| reason.to_owned()))
            }
            (Err(error), None) => Err(error),
        }
    }

    async fn action_runs(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Vec<ActionRunRecord>> {
        let (account_id, interaction_id) = (account_id.to_owned(), interaction_id.to_owned());
        self.read(work!(db => actions::runs_on(db, &account_id, &interaction_id).await))
            .await
    }

    async fn action_depth(&self, score_submission_id: &str) -> StoreResult<i64> {
        let id = score_submission_id.to_owned();
        self.read(work!(db => actions::depth(db, &id).await)).await
    }

    async fn delivery(&self, message_id: &str) -> StoreResult<Option<Delivery>> {
        let id = message_id.to_owned();
        self.read(work!(db => webhook_messages::delivery(db, &id).await))
            .await
    }

    async fn record_attempt(&self, attempt: NewAttempt) -> StoreResult<()> {
        let attempt = Arc::new(attempt);
        retry_transient(|| {
            let attempt = attempt.clone();
            self.write(work!(db => webhook_messages::record_attempt(db, &attempt).await))
        })
        .await?;
        self.jobs_committed();
        Ok(())
    }

    async fn list_messages(
        &self,
        account_id: &str,
        filter: &MessageFilter,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<MessageRecord>> {
        let (a, filter, page) = (account_id.to_owned(), filter.clone(), page.clone());
        self.read(work!(db => webhook_messages::list(db, &a, &filter, &page).await))
            .await
    }

    async fn get_message(
        &self,
        account_id: &str,
        message_id: &str,
    ) -> StoreResult<Option<MessageRecord>> {
        let (a, id) = (account_id.to_owned(), message_id.to_owned());
        self.read(work!(db => webhook_messages::get(db, &a, &id).await))
            .await
    }

    async fn redeliver(&self, account_id: &str, message_id: &str) -> StoreResult<bool> {
        let (a, id) = (account_id.to_owned(), message_id.to_owned());
        let done = self
            .write(work!(db => webhook_messages::redeliver(db, &a, &id).await))
            .await?;
        match done {
            None => Err(StoreError::NotFound("message")),
            Some(false) => Err(StoreError::Conflict("delivery")),
            Some(true) => {
                self.jobs_committed();
                Ok(true)
            }
        }
    }

    async fn replay(
        &self,
        account_id: &str,
        target_id: &str,
        since: OffsetDateTime,
    ) -> StoreResult<Option<u64>> {
        let (a, id) = (account_id.to_owned(), target_id.to_owned());
        let since = to_micros(since);
        let queued = self
            .write(work!(db => {
                if webhook_targets::get(db, &a, &id).await?.is_none() {
                    return Ok(None);
                }
                Ok(Some(webhook_messages::replay(db, &id, since).await?))
            }))
            .await?;
        if queued.is_some_and(|n| n > 0) {
            self.jobs_committed();
        }
        Ok(queued)
    }
}
