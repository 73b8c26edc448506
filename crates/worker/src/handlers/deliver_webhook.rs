//! `DeliverWebhook`: one attempt to deliver one message, signed per Standard Webhooks, then
//! the attempt recorded with what follows from it (`scorejar_core::webhooks::verdict`): done,
//! the next attempt on the message's schedule (this job comes back then), or FAILED — with
//! a `message.attempt.exhausted` event to the account's other endpoints that want it.
//!
//! The message row is the truth; the job only wakes it. A job that finds its message
//! delivered, failed or deleted ends; one that comes early (a stale copy) waits for the
//! message's own due time. A worker killed mid-attempt loses nothing: the lease lapses and the
//! attempt runs again with the same `webhook-id` (receivers deduplicate on it).
//!
//! At most `endpoint_concurrency` attempts per target run at once in one process; a job
//! that finds its target busy steps aside (no attempt spent) so one slow receiver cannot fill
//! the worker's slots.

use super::dispatch::message_id;
use super::{internal, HandlerError, HandlerResult, JobHandler};
use async_trait::async_trait;
use scorejar_core::actions::event::{envelope, MESSAGE_ATTEMPT_EXHAUSTED};
use scorejar_core::webhooks::signing::signature_header;
use scorejar_core::webhooks::verdict::{failing_too_long, verdict, Verdict};
use scorejar_net::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, USER_AGENT};
use scorejar_net::retry_after::retry_after;
use scorejar_net::{SafeClient, SafeRequest};
use scorejar_store::queue::{ClaimedJob, JobEffects};
use scorejar_store::webhooks::{AttemptNext, Delivery, NewAttempt, NewMessage};
use scorejar_store::Store;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use time::OffsetDateTime;

/// How deliveries behave (`[webhooks]` settings).
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Seconds before each attempt of a round (`scorejar_core::webhooks::schedule`).
    pub schedule_secs: Vec<u64>,
    /// An attempt without a complete answer in this time failed.
    pub timeout: Duration,
    /// A target whose attempts have all failed for this long is disabled.
    pub disable_after: Duration,
    /// The longest wait a receiver's `Retry-After` may impose.
    pub max_retry_after: Duration,
    /// Attempts to one target running at once in one process.
    pub endpoint_concurrency: usize,
    /// Bytes of an answer kept in the delivery log.
    pub response_bytes: usize,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            schedule_secs: scorejar_core::webhooks::schedule::DEFAULT_SCHEDULE_SECS.to_vec(),
            timeout: Duration::from_secs(15),
            disable_after: Duration::from_secs(5 * 24 * 3600),
            max_retry_after: Duration::from_secs(10 * 3600),
            endpoint_concurrency: 16,
            response_bytes: 4096,
        }
    }
}

pub struct DeliverWebhook {
    store: Arc<dyn Store>,
    client: SafeClient,
    settings: DeliverySettings,
    busy: Arc<Mutex<HashMap<String, usize>>>,
}

/// A held slot of one target's concurrency; given back on drop.
struct Slot {
    busy: Arc<Mutex<HashMap<String, usize>>>,
    target: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut busy) = self.busy.lock() {
            if let Some(n) = busy.get_mut(&self.target) {
                *n -= 1;
                if *n == 0 {
                    busy.remove(&self.target);
                }
            }
        }
    }
}

/// How one attempt went on the wire.
struct Answer {
    status: Option<u16>,
    retry_after: Option<Duration>,
    excerpt: Option<String>,
    error: Option<String>,
}

/// A limit as people say it: "5 days", "2 hours", "90 seconds".
fn spoken(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{} hours", s / 3600),
        s => format!("{s} seconds"),
    }
}

impl DeliverWebhook {
    pub fn new(store: Arc<dyn Store>, client: SafeClient, settings: DeliverySettings) -> Self {
        DeliverWebhook {
            store,
            client,
            settings,
            busy: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn slot(&self, target: &str) -> Option<Slot> {
        let mut busy = self.busy.lock().ok()?;
        let n = busy.entry(target.to_owned()).or_insert(0);
        if *n >= self.settings.endpoint_concurrency.max(1) {
            return None;
        }
        *n += 1;
        Some(Slot {
            busy: self.busy.clone(),
            target: target.to_owned(),
        })
    }

    fn headers(&self, d: &Delivery, timestamp: i64) -> Result<HeaderMap, HandlerError> {
        let secrets: Vec<&str> = d.secrets.iter().map(String::as_str).collect();
        let signature = signature_header(&secrets, &d.message_id, timestamp, d.body.as_bytes())
            .map_err(|e| internal("signing a webhook", e))?;
        let mut headers = HeaderMap::new();
        let pairs = [
            ("webhook-id", d.message_id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ];
        for (name, value) in pairs {
            let value =
                HeaderValue::from_str(&value).map_err(|e| internal("building headers", e))?;
            headers.insert(HeaderName::from_static(name), value);
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static("scorejar-webhooks/1"));
        Ok(headers)
    }

    /// Sends the message once; never an error: what went wrong is the answer.
    async fn send(&self, d: &Delivery, headers: HeaderMap) -> Answer {
        let request = SafeRequest::post(d.url.clone(), d.body.clone())
            .with_headers(headers)
            .with_timeout(self.settings.timeout)
            .without_redirects();
        let exchange = async {
            let response = self.client.send(request).await?;
            let status = response.status().as_u16();
            let wait = retry_after(response.headers(), SystemTime::now());
            let body = response.first_bytes(self.settings.response_bytes).await;
            Ok::<_, scorejar_net::NetError>((status, wait, body))
        };
        match tokio::time::timeout(self.settings.timeout, exchange).await {
            Err(_) => Answer {
                status: None,
                retry_after: None,
                excerpt: None,
                error: Some(format!(
                    "no complete answer within {} s",
                    self.settings.timeout.as_secs()
                )),
            },
            Ok(Err(e)) => Answer {
                status: None,
                retry_after: None,
                excerpt: None,
                error: Some(e.public_message()),
            },
            Ok(Ok((status, wait, body))) => Answer {
                status: Some(status),
                retry_after: wait,
                excerpt: body
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .filter(|s| !s.is_empty()),
                error: match status {
                    200..=299 => None,
                    300..=399 => Some(format!("answered {status}: redirects are not followed")),
                    _ => Some(format!("answered {status}")),
                },
            },
        }
    }

    /// The `message.attempt.exhausted` events about `d`, for the account's other endpoints.
    async fn exhausted_events(&self, d: &Delivery, error: &str) -> Vec<NewMessage> {
        if d.event_type == MESSAGE_ATTEMPT_EXHAUSTED {
            // Never about an exhausted event itself: two failing endpoints would tell each
            // other about each other forever.
            return Vec::new();
        }
        let endpoints = match self
            .store
            .dispatch_targets(&d.account_id, None, MESSAGE_ATTEMPT_EXHAUSTED)
            .await
        {
            Ok((_, endpoints)) => endpoints,
            Err(e) => {
                tracing::error!(error = %e, "reading endpoints for an exhausted event");
                return Vec::new();
            }
        };
        let event_id = format!("evt_exhausted_{}_{}", d.message_id, d.attempts + 1);
        let event = envelope(
            MESSAGE_ATTEMPT_EXHAUSTED,
            &event_id,
            OffsetDateTime::now_utc(),
            json!({
                "messageId": d.message_id,
                "targetId": d.target_id,
                "eventType": d.event_type,
                "attempts": d.attempts + 1,
                "lastError": error,
            }),
        );
        endpoints
            .into_iter()
            .filter(|t| t.id != d.target_id)
            .map(|t| NewMessage {
                id: message_id(),
                account_id: d.account_id.clone(),
                target_id: t.id,
                event_type: MESSAGE_ATTEMPT_EXHAUSTED.to_owned(),
                event_id: event_id.clone(),
                dedupe_key: event_id.clone(),
                body: event.to_string(),
            })
            .collect()
    }

    async fn record(&self, attempt: NewAttempt) -> Result<(), HandlerError> {
        self.store
            .record_attempt(attempt)
            .await
            .map_err(|e| internal("recording a delivery attempt", e))
    }
}

#[async_trait]
impl JobHandler for DeliverWebhook {
    fn kind(&self) -> &'static str {
        scorejar_core::jobs::DELIVER_WEBHOOK
    }

    fn max_run_time(&self) -> Duration {
        self.settings.timeout + Duration::from_secs(60)
    }

    async fn run(&self, job: &ClaimedJob) -> HandlerResult {
        let id = job
            .payload
            .get("messageId")
            .and_then(|v| v.as_str())
            .ok_or_else(|| HandlerError::Permanent("job has no messageId".into()))?;
        let Some(d) = self
            .store
            .delivery(id)
            .await
            .map_err(|e| internal("loading a webhook message", e))?
        else {
            return Ok(JobEffects::default());
        };
        if d.status != "PENDING" {
            return Ok(JobEffects::default());
        }
        let now = OffsetDateTime::now_utc();
        if let Some(due) = d.next_attempt_at {
            let early = due - now;
            if early > time::Duration::milliseconds(500) {
                let wait = Duration::from_millis(early.whole_milliseconds() as u64);
                return Err(HandlerError::Reschedule("not due yet".into(), wait));
            }
        }
        if !d.target_enabled {
            let error = "not sent: the endpoint is disabled".to_owned();
            self.record(NewAttempt {
                message_id: d.message_id.clone(),
                target_id: d.target_id.clone(),
                at: now,
                status_code: None,
                duration_ms: 0,
                response: None,
                error: Some(error),
                next: AttemptNext::Failed {
                    exhausted: Vec::new(),
                },
                disable: None,
            })
            .await?;
            return Ok(JobEffects::default());
        }
        let Some(_slot) = self.slot(&d.target_id) else {
            return Err(HandlerError::Wait(
                "waiting: the endpoint has as many deliveries running as it may".into(),
                Duration::from_millis(250 + rand::random::<u64>() % 500),
            ));
        };
        let headers = self.headers(&d, now.unix_timestamp())?;
        let started = Instant::now();
        let answer = self.send(&d, headers).await;
        let duration_ms = started.elapsed().as_millis() as i64;
        let round_attempt = usize::try_from(d.round_attempts + 1).unwrap_or(usize::MAX);
        let judged = verdict(
            answer.status,
            round_attempt,
            &self.settings.schedule_secs,
            rand::random::<f64>(),
            answer.retry_after,
            self.settings.max_retry_after,
        );
        let outcome = match judged {
            Verdict::Delivered => "delivered",
            Verdict::Retry(_) => "retry",
            Verdict::Exhausted => "exhausted",
            Verdict::Gone => "gone",
        };
        metrics::counter!("scorejar_webhook_attempts_total", "outcome" => outcome).increment(1);
        metrics::histogram!("scorejar_webhook_attempt_seconds").record(duration_ms as f64 / 1000.0);
        let failing_for = (judged != Verdict::Delivered).then(|| {
            let since = d.failing_since.unwrap_or(now);
            Duration::try_from(now - since).unwrap_or_default()
        });
        let mut disable = None;
        if judged == Verdict::Gone {
            disable = Some("disabled: the endpoint answered 410 Gone".to_owned());
        } else if failing_too_long(failing_for, self.settings.disable_after) {
            disable = Some(format!(
                "disabled: every delivery failed for more than {}",
                spoken(self.settings.disable_after)
            ));
        }
        let error = answer.error.clone().unwrap_or_default();
        let (next, reschedule) = match judged {
            Verdict::Delivered => (AttemptNext::Delivered, None),
            Verdict::Retry(wait) => (AttemptNext::RetryAt(now + wait), Some(wait)),
            Verdict::Exhausted => (
                AttemptNext::Failed {
                    exhausted: self.exhausted_events(&d, &error).await,
                },
                None,
            ),
            Verdict::Gone => (
                AttemptNext::Failed {
                    exhausted: Vec::new(),
                },
                None,
            ),
        };
        self.record(NewAttempt {
            message_id: d.message_id.clone(),
            target_id: d.target_id.clone(),
            at: now,
            status_code: answer.status,
            duration_ms,
            response: answer.excerpt,
            error: answer.error,
            next,
            disable,
        })
        .await?;
        match reschedule {
            Some(wait) => Err(HandlerError::Reschedule(error, wait)),
            None => Ok(JobEffects::default()),
        }
    }

    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}
