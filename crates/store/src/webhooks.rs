//! The webhook half of the storage boundary: scorecard actions, event endpoints, the messages
//! sent to them and every attempt (`docs/webhooks.md`).
//!
//! Contract every backend keeps:
//! - a WEBHOOK action and its target (url, secrets, failing state) are one row each with the
//!   same id, written together; deleting an action or endpoint deletes its messages and their
//!   attempts (their `DeliverWebhook` jobs then find nothing and end);
//! - a message is inserted at most once per target and `dedupe_key` (a rerun `Dispatch`
//!   inserts nothing twice), and only an inserted message gets its `DeliverWebhook` job, in the
//!   same transaction;
//! - an action other than a webhook runs at most once per action and `dedupe_key`: its
//!   `action_runs` row is written in the same transaction as its effect;
//! - an attempt is recorded with the message's new state (and a target's failing state, its
//!   disabling, the exhausted events) in one transaction.

use async_trait::async_trait;
use scorejar_core::cursor::Cursor;
use scorejar_core::model::NewEvaluation;
use scorejar_core::paging::{Page, PageRequest};
use time::OffsetDateTime;

use crate::StoreResult;

/// Most actions one scorecard may have.
pub const MAX_ACTIONS_PER_SCORECARD: i64 = 50;
/// Most event endpoints one account may have.
pub const MAX_ENDPOINTS_PER_ACCOUNT: i64 = 50;

/// What a webhook target belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A scorecard action of type WEBHOOK (same id as the action).
    Action,
    /// An account's event endpoint.
    Endpoint,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Action => "ACTION",
            TargetKind::Endpoint => "ENDPOINT",
        }
    }
}

/// A new webhook target.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTarget {
    pub id: String,
    pub account_id: String,
    pub kind: TargetKind,
    pub url: String,
    /// ENDPOINT: the event types it receives; `None`: every type.
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: bool,
    /// `whsec_…`, shown once to the client.
    pub secret: String,
}

/// A webhook target as listed (no secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRecord {
    pub id: String,
    pub kind: TargetKind,
    pub url: String,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why delivery turned it off (a 410, failing too long); `None` when a client did.
    pub disabled_reason: Option<String>,
    /// Start of the current run of failed attempts; `None` after a success.
    pub failing_since: Option<OffsetDateTime>,
    /// Until when the secret before the last rotation still signs.
    pub previous_secret_until: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A change to an endpoint: the fields that are `Some` are replaced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetChange {
    pub url: Option<String>,
    pub event_types: Option<Option<Vec<String>>>,
    pub description: Option<Option<String>>,
    /// Enabling clears `disabled_reason` and `failing_since`.
    pub enabled: Option<bool>,
}

/// A new scorecard action; `webhook` is its target when it is a WEBHOOK.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub id: String,
    pub account_id: String,
    pub scorecard_id: String,
    /// `scorejar_core::actions::Trigger` as JSON.
    pub trigger: serde_json::Value,
    /// `scorejar_core::actions::Action` as JSON.
    pub action: serde_json::Value,
    pub enabled: bool,
    pub webhook: Option<NewTarget>,
}

/// A scorecard action as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRecord {
    pub id: String,
    pub scorecard_id: String,
    pub trigger: serde_json::Value,
    pub action: serde_json::Value,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One run of an action other than a webhook: `outcome` is `done`, why it was skipped, or why
/// it could not run (`insufficient_credits`, `scorecard_not_active`, `not_found`).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRunRecord {
    pub action_id: String,
    pub scorecard_id: String,
    pub action: serde_json::Value,
    pub outcome: String,
    pub ran_at: OffsetDateTime,
}

/// An action's new trigger, action and state (a PATCH applied by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionChange {
    pub trigger: serde_json::Value,
    pub action: serde_json::Value,
    pub enabled: bool,
    /// The webhook URL when the action is (now) a WEBHOOK; `None` removes its target.
    pub webhook_url: Option<String>,
    /// The secret for a target created by this change (an action that becomes a WEBHOOK).
    pub new_secret: String,
}

/// A message to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// `msg_…`: the `webhook-id` of every attempt.
    pub id: String,
    pub account_id: String,
    pub target_id: String,
    pub event_type: String,
    pub event_id: String,
    /// One message per target and cause.
    pub dedupe_key: String,
    pub body: String,
}

/// What a delivery attempt needs: the message and its target.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub message_id: String,
    pub account_id: String,
    pub target_id: String,
    pub event_type: String,
    pub body: String,
    /// PENDING, DELIVERED or FAILED.
    pub status: String,
    pub attempts: i64,
    /// Attempts since the message was last (re)queued: the position in the retry schedule.
    pub round_attempts: i64,
    pub next_attempt_at: Option<OffsetDateTime>,
    pub url: String,
    pub target_enabled: bool,
    /// The current secret, then the previous one while its overlap lasts.
    pub secrets: Vec<String>,
    pub failing_since: Option<OffsetDateTime>,
}

/// What happens to a message after an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptNext {
    Delivered,
    RetryAt(OffsetDateTime),
    /// FAILED for good; `exhausted` are the `message.attempt.exhausted` events to send.
    Failed {
        exhausted: Vec<NewMessage>,
    },
}

/// One delivery attempt and what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttempt {
    pub message_id: String,
    pub target_id: String,
    pub at: OffsetDateTime,
    pub status_code: Option<u16>,
    pub duration_ms: i64,
    /// The first bytes of the answer.
    pub response: Option<String>,
    pub error: Option<String>,
    pub next: AttemptNext,
    /// Turn the target off, with this reason (a 410, failing for too long).
    pub disable: Option<String>,
}

/// One attempt as the delivery log shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub attempt: i64,
    pub at: OffsetDateTime,
    pub status_code: Option<u16>,
    pub duration_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
}

/// A message as the delivery log shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    pub id: String,
    pub target_id: String,
    pub target_kind: TargetKind,
    pub event_type: String,
    pub event_id: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub attempt_log: Vec<AttemptRecord>,
}

pub use scorejar_core::webhooks::listing::MessageFilter;

/// The effect of an action other than a webhook.
#[derive(Debug, Clone)]
pub enum ActionEffect {
    /// Link the tag (an id of the account's, or a name, created when new).
    AddTag { interaction_id: String, tag: String },
    /// Queue (and bill) an evaluation; `depth` is its place in a chain of actions.
    QueueEvaluation {
        evaluation: Box<NewEvaluation>,
        depth: i64,
    },
    /// Nothing to do, but record why (a chain at its depth limit, a scorecard gone).
    Skip { reason: String },
}

/// See the module docs for the contract.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// `NotFound("scorecard")`; `Conflict("action")` past [`MAX_ACTIONS_PER_SCORECARD`].
    async fn create_action(&self, action: NewAction) -> StoreResult<ActionRecord>;
    /// `None` when the scorecard is not the account's.
    async fn list_actions(
        &self,
        account_id: &str,
        scorecard_id: &str,
    ) -> StoreResult<Option<Vec<ActionRecord>>>;
    async fn get_action(
        &self,
        account_id: &str,
        scorecard_id: &str,
        action_id: &str,
    ) -> StoreResult<Option<ActionRecord>>;
    async fn update_action(
        &self,
        account_id: &str,
        scorecard_id: &str,
        action_id: &str,
        change: ActionChange,
    ) -> StoreResult<Option<ActionRecord>>;
    async fn delete_action(
        &self,
        account_id: &str,
        scorecard_id: &str,
        action_id: &str,
    ) -> StoreResult<bool>;

    /// `Conflict("endpoint")` past [`MAX_ENDPOINTS_PER_ACCOUNT`].
    async fn create_endpoint(&self, target: NewTarget) -> StoreResult<TargetRecord>;
    async fn list_endpoints(
        &self,
        account_id: &str,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<TargetRecord>>;
    /// An action's or endpoint's target.
    async fn get_target(
        &self,
        account_id: &str,
        target_id: &str,
    ) -> StoreResult<Option<TargetRecord>>;
    async fn update_endpoint(
        &self,
        account_id: &str,
        target_id: &str,
        change: TargetChange,
    ) -> StoreResult<Option<TargetRecord>>;
    async fn delete_endpoint(&self, account_id: &str, target_id: &str) -> StoreResult<bool>;
    /// The new secret signs from now on; the old one too until `previous_until`.
    async fn rotate_secret(
        &self,
        account_id: &str,
        target_id: &str,
        secret: &str,
        previous_until: OffsetDateTime,
    ) -> StoreResult<bool>;

    /// The enabled actions of `scorecard_id` (none without one) and the account's enabled
    /// endpoints that receive `event_type`.
    async fn dispatch_targets(
        &self,
        account_id: &str,
        scorecard_id: Option<&str>,
        event_type: &str,
    ) -> StoreResult<(Vec<ActionRecord>, Vec<TargetRecord>)>;
    /// Inserts the messages not yet there (by target and dedupe key), each with its
    /// `DeliverWebhook` job; returns how many were new.
    async fn enqueue_messages(&self, messages: Vec<NewMessage>) -> StoreResult<u64>;
    /// Applies `effect` unless the action already ran for `dedupe_key`: `Some(outcome)` when it
    /// ran now, `None` when it had. A charge that does not fit is recorded as the outcome
    /// `insufficient_credits` (and not retried).
    async fn run_action(
        &self,
        action_id: &str,
        dedupe_key: &str,
        interaction_id: &str,
        effect: ActionEffect,
    ) -> StoreResult<Option<String>>;
    /// What the account's actions did on one interaction (not its webhooks: their messages
    /// are the delivery log), oldest first.
    async fn action_runs(
        &self,
        account_id: &str,
        interaction_id: &str,
    ) -> StoreResult<Vec<ActionRunRecord>>;

    /// How many QUEUE_EVALUATION actions led to this evaluation (0 for one queued by a client).
    async fn action_depth(&self, score_submission_id: &str) -> StoreResult<i64>;

    async fn delivery(&self, message_id: &str) -> StoreResult<Option<Delivery>>;
    async fn record_attempt(&self, attempt: NewAttempt) -> StoreResult<()>;

    async fn list_messages(
        &self,
        account_id: &str,
        filter: &MessageFilter,
        page: &PageRequest<Cursor>,
    ) -> StoreResult<Page<MessageRecord>>;
    async fn get_message(
        &self,
        account_id: &str,
        message_id: &str,
    ) -> StoreResult<Option<MessageRecord>>;
    /// Queues the message again for a new round of the schedule (whatever its status).
    async fn redeliver(&self, account_id: &str, message_id: &str) -> StoreResult<bool>;
    /// Queues again every FAILED message of the target created at or after `since`; `None`
    /// when the target is not the account's.
    async fn replay(
        &self,
        account_id: &str,
        target_id: &str,
        since: OffsetDateTime,
    ) -> StoreResult<Option<u64>>;
}
