//! `Dispatch`: an event happened (an evaluation completed or failed, a reviewer changed a
//! result, a transcript completed or failed). Builds the event once, runs the scorecard's
//! actions whose trigger the result fires, and queues a message for each webhook (an action's
//! or an account endpoint's that receives the event type).
//!
//! Idempotent: every message and action run is keyed by this job's id, so a rerun after a
//! crash adds only what the first run did not get to (`scorejar_store::webhooks`). The event id
//! is derived from the job id, so every receiver of one event sees the same id.

use super::{internal, HandlerError, HandlerResult, JobHandler};
use async_trait::async_trait;
use scorejar_core::actions::event::{self, Reason};
use scorejar_core::actions::{Action, Trigger, MAX_CHAIN_DEPTH};
use scorejar_core::evaluation::result::EvaluationResult;
use scorejar_core::ids::new_id;
use scorejar_core::model::{EvaluationRecord, InteractionRecord};
use scorejar_core::pricing::{new_evaluation, Rates};
use scorejar_core::webhooks::template::render_payload;
use scorejar_store::media_links::MediaLinks;
use scorejar_store::queue::{ClaimedJob, JobEffects};
use scorejar_store::webhooks::{ActionEffect, ActionRecord, NewMessage};
use scorejar_store::Store;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub struct Dispatch {
    pub store: Arc<dyn Store>,
    /// Prices the evaluations QUEUE_EVALUATION actions queue.
    pub rates: Rates,
    /// The links WEBHOOK actions with `includeMedia` carry.
    pub media_urls: MediaUrls,
}

/// How a WEBHOOK action with `includeMedia` links to the recording: `{base_url}/media/{token}`,
/// valid for `ttl` from when the event is built (every retry of the message carries that link,
/// so `ttl` should outlast the retry schedule).
#[derive(Clone)]
pub struct MediaUrls {
    pub links: MediaLinks,
    /// The service's public address, without a trailing `/`.
    pub base_url: String,
    pub ttl: Duration,
}

impl MediaUrls {
    /// `data.mediaUrl` and `data.mediaUrlExpiresAt` for the interaction (both null when it has
    /// no stored media).
    async fn add_to(
        &self,
        data: &mut Value,
        account_id: &str,
        interaction: &InteractionRecord,
        now: OffsetDateTime,
    ) -> Result<(), HandlerError> {
        let stored = interaction
            .media
            .as_ref()
            .is_some_and(|m| m.info.object_key.is_some());
        if !stored {
            data["mediaUrl"] = Value::Null;
            data["mediaUrlExpiresAt"] = Value::Null;
            return Ok(());
        }
        let expires_at = now + self.ttl;
        let token = self
            .links
            .token(account_id, &interaction.id, expires_at)
            .await
            .map_err(|e| internal("signing the media link", e))?;
        data["mediaUrl"] = Value::String(format!("{}/media/{token}", self.base_url));
        data["mediaUrlExpiresAt"] = Value::String(
            expires_at
                .replace_nanosecond(0)
                .unwrap_or(expires_at)
                .format(&Rfc3339)
                .unwrap_or_default(),
        );
        Ok(())
    }
}

fn text<'a>(job: &'a ClaimedJob, key: &str) -> Option<&'a str> {
    job.payload.get(key).and_then(Value::as_str)
}

/// A new message id: the `webhook-id` a receiver deduplicates on.
pub(crate) fn message_id() -> String {
    format!("msg_{}", new_id().replace('-', ""))
}

/// What one event is about, as loaded for it.
struct Subject {
    account_id: String,
    interaction: InteractionRecord,
    evaluation: Option<EvaluationRecord>,
}

impl Dispatch {
    async fn subject(&self, job: &ClaimedJob) -> Result<Option<Subject>, HandlerError> {
        let interaction_id = text(job, "interactionId")
            .ok_or_else(|| HandlerError::Permanent("job has no interactionId".into()))?;
        let Some((account_id, interaction)) = self
            .store
            .interaction_for_job(interaction_id)
            .await
            .map_err(|e| internal("loading the interaction", e))?
        else {
            return Ok(None);
        };
        let evaluation = text(job, "scoreSubmissionId").and_then(|id| {
            interaction
                .evaluations
                .iter()
                .find(|e| e.score_submission_id == id)
                .cloned()
        });
        Ok(Some(Subject {
            account_id,
            interaction,
            evaluation,
        }))
    }

    /// Runs one fired action that is not a webhook; at most once per event (`job.id`).
    async fn run_other(
        &self,
        job: &ClaimedJob,
        subject: &Subject,
        action: &ActionRecord,
        kind: Action,
    ) -> Result<(), HandlerError> {
        let effect = match kind {
            Action::AddTag { tag } => ActionEffect::AddTag {
                interaction_id: subject.interaction.id.clone(),
                tag,
            },
            Action::QueueEvaluation { scorecard_id } => {
                let depth = match &subject.evaluation {
                    Some(e) => self
                        .store
                        .action_depth(&e.score_submission_id)
                        .await
                        .map_err(|e| internal("reading the chain depth", e))?,
                    None => 0,
                };
                if depth + 1 >= MAX_CHAIN_DEPTH {
                    ActionEffect::Skip {
                        reason: format!(
                            "skipped: a chain of QUEUE_EVALUATION actions stops at depth {MAX_CHAIN_DEPTH}"
                        ),
                    }
                } else {
                    let evaluation = new_evaluation(
                        &subject.account_id,
                        &subject.interaction,
                        &scorecard_id,
                        &self.rates,
                    );
                    ActionEffect::QueueEvaluation {
                        evaluation: Box::new(evaluation),
                        depth: depth + 1,
                    }
                }
            }
            Action::Webhook { .. } => return Ok(()),
        };
        let outcome = self
            .store
            .run_action(&action.id, &job.id, &subject.interaction.id, effect)
            .await
            .map_err(|e| internal("running an action", e))?;
        if let Some(outcome) = outcome {
            tracing::info!(action = %action.id, %outcome, "action ran");
        }
        Ok(())
    }

    /// The message of a fired WEBHOOK action: the event (with the transcript on request), or
    /// the action's template rendered with it. A template that fails on this event is recorded
    /// as the action's outcome and sends nothing.
    async fn webhook_message(
        &self,
        job: &ClaimedJob,
        subject: &Subject,
        action: &ActionRecord,
        event: &Value,
        event_type: &str,
        kind: &Action,
    ) -> Result<Option<NewMessage>, HandlerError> {
        let Action::Webhook {
            payload,
            include_transcript,
            include_media,
            ..
        } = kind
        else {
            return Ok(None);
        };
        let mut event = event.clone();
        if *include_transcript {
            event["data"]["transcript"] = event::transcript(&subject.interaction);
        }
        if *include_media {
            self.media_urls
                .add_to(
                    &mut event["data"],
                    &subject.account_id,
                    &subject.interaction,
                    OffsetDateTime::now_utc(),
                )
                .await?;
        }
        let body = match payload {
            None => event.to_string(),
            Some(template) => match render_payload(template, &event) {
                Ok(body) => body,
                Err(error) => {
                    let reason = format!("not sent: the payload template failed: {error}");
                    tracing::warn!(action = %action.id, %reason);
                    self.store
                        .run_action(
                            &action.id,
                            &job.id,
                            &subject.interaction.id,
                            ActionEffect::Skip { reason },
                        )
                        .await
                        .map_err(|e| internal("recording an action", e))?;
                    return Ok(None);
                }
            },
        };
        Ok(Some(NewMessage {
            id: message_id(),
            account_id: subject.account_id.clone(),
            target_id: action.id.clone(),
            event_type: event_type.to_owned(),
            event_id: event["id"].as_str().unwrap_or_default().to_owned(),
            dedupe_key: job.id.clone(),
            body,
        }))
    }
}

#[async_trait]
impl JobHandler for Dispatch {
    fn kind(&self) -> &'static str {
        scorejar_core::jobs::DISPATCH
    }

    async fn run(&self, job: &ClaimedJob) -> HandlerResult {
        let event_type = text(job, "event")
            .ok_or_else(|| HandlerError::Permanent("job has no event".into()))?
            .to_owned();
        let reason = text(job, "reason")
            .and_then(Reason::parse)
            .unwrap_or(Reason::Completed);
        let Some(subject) = self.subject(job).await? else {
            // The interaction is gone: nothing left to tell anyone about.
            return Ok(JobEffects::default());
        };
        let data = match &subject.evaluation {
            Some(e) => event::evaluation_data(&subject.interaction, e, reason),
            None => event::interaction_data(&subject.interaction),
        };
        let event_id = format!("evt_{}", job.id.replace('-', ""));
        let event = event::envelope(&event_type, &event_id, OffsetDateTime::now_utc(), data);

        // Actions fire on a completed evaluation's result.
        let result: Option<EvaluationResult> = match &subject.evaluation {
            Some(e) if event_type == event::EVALUATION_COMPLETED => e
                .result
                .clone()
                .and_then(|r| serde_json::from_value(r).ok()),
            _ => None,
        };
        let scorecard_id = result
            .as_ref()
            .and(subject.evaluation.as_ref())
            .map(|e| e.scorecard_id.as_str());
        let (actions, endpoints) = self
            .store
            .dispatch_targets(&subject.account_id, scorecard_id, &event_type)
            .await
            .map_err(|e| internal("reading the webhook targets", e))?;

        let mut messages: Vec<NewMessage> = endpoints
            .iter()
            .map(|endpoint| NewMessage {
                id: message_id(),
                account_id: subject.account_id.clone(),
                target_id: endpoint.id.clone(),
                event_type: event_type.clone(),
                event_id: event_id.clone(),
                dedupe_key: job.id.clone(),
                body: event.to_string(),
            })
            .collect();
        if let Some(result) = &result {
            for action in &actions {
                let (Ok(trigger), Ok(kind)) = (
                    serde_json::from_value::<Trigger>(action.trigger.clone()),
                    serde_json::from_value::<Action>(action.action.clone()),
                ) else {
                    tracing::error!(action = %action.id, "stored action does not parse; skipped");
                    continue;
                };
                if !trigger.fires(result) {
                    continue;
                }
                match &kind {
                    Action::Webhook { .. } => {
                        let message = self
                            .webhook_message(job, &subject, action, &event, &event_type, &kind)
                            .await?;
                        messages.extend(message);
                    }
                    _ => self.run_other(job, &subject, action, kind).await?,
                }
            }
        }
        self.store
            .enqueue_messages(messages)
            .await
            .map_err(|e| internal("queueing webhook messages", e))?;
        Ok(JobEffects::default())
    }

    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}
