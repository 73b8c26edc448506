//! Scorecard Actions and webhooks end to end, on both backends, with a local receiver
//! (allow-listed like an operator's internal host): the actions a result fires and only those,
//! signatures checked by a verifier written here from the Standard Webhooks spec (not
//! scorejar's own signing code), retries with one `webhook-id`, exhaustion, 410, redeliver and
//! replay, secret rotation, the chained ADD_TAG and QUEUE_EVALUATION actions, an override
//! that fires again, and URLs refused at save.

use crate::evaluations::{create_scorecard, evaluate_handler, rules_card};
use crate::harness::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use hmac::{Hmac, Mac};
use scorejar_store::media_links::MediaLinks;
use scorejar_worker::handlers::{
    DeliverWebhook, DeliverySettings, Dispatch, JobHandler, MediaUrls,
};
use scorejar_worker::{Worker, WorkerSettings};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Each test on both backends; the test starts its own app (with its receiver allow-listed).
macro_rules! webhook_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                use crate::harness::Backend;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(Backend::Postgres).await
                }
            }
        )+
    };
}

/// For the other tests that start their own app (`media_links.rs`).
pub(crate) use webhook_tests;

webhook_tests!(
    an_evaluation_fires_the_matching_actions_signed,
    a_failing_receiver_is_retried_then_exhausted_and_replayed,
    gone_disables_and_rotation_signs_twice_on_an_override,
    an_endpoint_failing_too_long_is_disabled_with_the_reason,
    blocked_and_broken_actions_are_refused_at_save,
    an_action_changed_into_a_webhook_gets_its_secret_once
);

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub path: String,
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// A local webhook receiver: answers each path with its scripted statuses, then 200.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    hits: Arc<Mutex<Vec<Hit>>>,
    script: Arc<Mutex<HashMap<String, VecDeque<u16>>>>,
    always: Arc<Mutex<HashMap<String, u16>>>,
}

impl Receiver {
    pub(crate) fn hits(&self, path: &str) -> Vec<Hit> {
        let hits = self.hits.lock().unwrap();
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }

    fn script(&self, path: &str, statuses: &[u16]) {
        let mut script = self.script.lock().unwrap();
        script.insert(path.to_owned(), statuses.iter().copied().collect());
    }

    fn always(&self, path: &str, status: Option<u16>) {
        let mut always = self.always.lock().unwrap();
        match status {
            Some(s) => always.insert(path.to_owned(), s),
            None => always.remove(path),
        };
    }
}

async fn receive(
    State(r): State<Receiver>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    r.hits.lock().unwrap().push(Hit {
        path: path.clone(),
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    let scripted = r
        .script
        .lock()
        .unwrap()
        .get_mut(&path)
        .and_then(|q| q.pop_front());
    let always = r.always.lock().unwrap().get(&path).copied();
    StatusCode::from_u16(scripted.or(always).unwrap_or(200)).unwrap()
}

/// Starts a receiver; returns it and its base URL.
async fn start_receiver() -> (Receiver, String) {
    let receiver = Receiver::default();
    let app = Router::new()
        .route("/{*path}", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, format!("http://{addr}"))
}

/// Verifies a delivery from the Standard Webhooks spec: HMAC-SHA256 keyed with the
/// base64-decoded secret (after `whsec_`) over `{id}.{timestamp}.{body}`, base64, any of the
/// space-separated `v1,` signatures.
pub(crate) fn verifies(secret: &str, hit: &Hit) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", hit.id, hit.timestamp, hit.body).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    hit.signature
        .split(' ')
        .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

/// The app with the receiver allow-listed and a compressed retry schedule.
pub(crate) async fn app_with_receiver(backend: Backend) -> (TestApp, Receiver, String) {
    app_with_receiver_and(backend, |_| {}).await
}

/// [`app_with_receiver`] with more settings adjusted.
async fn app_with_receiver_and(
    backend: Backend,
    tweak: impl FnOnce(&mut scorejar_server::config::Settings),
) -> (TestApp, Receiver, String) {
    let (receiver, base) = start_receiver().await;
    let host = base.trim_start_matches("http://").to_owned();
    let app = TestApp::start_with(backend, |s| {
        s.fetch.allowed_internal_hosts.push(host);
        s.webhooks.retry_schedule_secs = vec![0, 1, 1];
        tweak(s);
    })
    .await;
    (app, receiver, base)
}

/// Runs evaluation, dispatch and delivery until `done` holds (or 30 s pass).
pub(crate) async fn run_until(app: &TestApp, done: impl Fn() -> bool) {
    run_until_async(app, || std::future::ready(done())).await
}

/// [`run_until`] with a condition that has to ask the API.
pub(crate) async fn run_until_async<F: std::future::Future<Output = bool>>(
    app: &TestApp,
    done: impl Fn() -> F,
) {
    let hooks = &app.settings.webhooks;
    let deliver = DeliverWebhook::new(
        app.store.clone(),
        app.settings.fetch.client(),
        DeliverySettings {
            schedule_secs: hooks.retry_schedule_secs.clone(),
            timeout: Duration::from_secs(5),
            disable_after: Duration::from_secs(hooks.disable_after_secs),
            max_retry_after: Duration::from_secs(hooks.max_retry_after_secs),
            endpoint_concurrency: hooks.endpoint_concurrency,
            response_bytes: hooks.response_bytes,
        },
    );
    let handlers: Vec<Arc<dyn JobHandler>> = vec![
        evaluate_handler(app, None),
        Arc::new(Dispatch {
            store: app.store.clone(),
            rates: app.settings.rates(),
            media_urls: MediaUrls {
                links: MediaLinks::new(app.store.clone()),
                base_url: app.base.clone(),
                ttl: Duration::from_secs(hooks.media_url_ttl_secs),
            },
        }),
        Arc::new(deliver),
    ];
    let worker = Arc::new(Worker::new(
        app.store.clone(),
        handlers,
        WorkerSettings {
            concurrency: 4,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(50),
            shutdown_grace: Duration::from_secs(5),
        },
    ));
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done().await && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    running.await.unwrap();
}

pub(crate) async fn add_action(app: &TestApp, scorecard: &str, body: Value) -> Value {
    let (status, action) = read(
        app.post_json(&format!("/api/v1/scorecards/{scorecard}/actions"), &body)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{action}");
    action
}

fn webhook(url: String) -> Value {
    json!({ "type": "WEBHOOK", "url": url })
}

pub(crate) fn transcript() -> Value {
    json!({ "text": "", "segments": [
        { "start": 0.5, "end": 3.0, "speaker": "agent", "text": "Thank you for calling Acme, this is Dana." },
        { "start": 3.5, "end": 6.0, "speaker": "customer", "text": "Hi, my bill is wrong." },
        { "start": 6.5, "end": 9.0, "speaker": "agent", "text": "I'm sorry about that, let me check." }
    ]})
}

/// Uploads a call scored by `scorecard` (the rules card: 75 %, passed); returns the receipt.
pub(crate) async fn upload_scored(app: &TestApp, source: &str, scorecard: &str) -> Value {
    let body = json!({ "sourceIdentifier": source, "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "transcript": transcript(),
        "agent": { "name": "Dana", "email": "dana@example.com" },
        "evaluation": { "scorecardId": scorecard } });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    resp
}

async fn deliveries(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, page) = read(app.get(&format!("/api/v1/webhook-deliveries{query}")).await).await;
    assert_eq!(status, 200, "{page}");
    page["data"].as_array().unwrap().clone()
}

async fn an_evaluation_fires_the_matching_actions_signed(backend: Backend) {
    let (app, receiver, base) = app_with_receiver(backend).await;
    let sc = create_scorecard(&app, rules_card()).await;
    let mut second = rules_card();
    second["name"] = json!("Second opinion");
    let second = create_scorecard(&app, second).await;
    let passed = add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "PASS_FAIL", "passed": true },
                "action": { "type": "WEBHOOK", "url": format!("{base}/pass"), "includeTranscript": true } }),
    )
    .await;
    let secret = passed["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{passed}");
    add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "PASS_FAIL", "passed": false },
                "action": webhook(format!("{base}/fail")) }),
    )
    .await;
    add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "SCORE", "op": ">=", "percentage": 70 },
                "action": { "type": "ADD_TAG", "tag": "good-call" } }),
    )
    .await;
    add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "ANSWER", "questionId": "hold", "answer": "Yes" },
                "action": { "type": "ADD_TAG", "tag": "never" } }),
    )
    .await;
    add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "EVALUATION_COMPLETED" },
                "action": { "type": "QUEUE_EVALUATION", "scorecardId": second } }),
    )
    .await;
    let (status, listed) = read(app.get(&format!("/api/v1/scorecards/{sc}/actions")).await).await;
    assert_eq!(status, 200);
    assert_eq!(listed["data"].as_array().unwrap().len(), 5);
    assert!(
        listed["data"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    let (status, endpoint) = read(
        app.post_json(
            "/api/v1/webhook-endpoints",
            &json!({ "url": format!("{base}/all"),
                     "eventTypes": ["interaction.created", "evaluation.completed"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{endpoint}");
    let balance_before = app.balance().await;

    let receipt = upload_scored(&app, "wh-1", &sc).await;
    let status_url = receipt["statusUrl"].as_str().unwrap().to_owned();
    let finished = || async {
        let (_, stored) = read(app.get(&status_url).await).await;
        let evaluations = stored["evaluations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        evaluations.len() == 2
            && evaluations.iter().all(|e| e["status"] == "COMPLETED")
            && stored["tags"].to_string().contains("good-call")
            && !receiver.hits("pass").is_empty()
            && receiver.hits("all").len() >= 3
    };
    run_until_async(&app, finished).await;
    let hits = receiver.hits("pass");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        receiver.hits("fail").is_empty(),
        "a failed-only action did not fire"
    );
    let hit = &hits[0];
    assert!(hit.id.starts_with("msg_"), "{hit:?}");
    assert!(verifies(&secret, hit), "signature verifies: {hit:?}");
    let mut tampered = hit.clone();
    tampered.body.push(' ');
    assert!(
        !verifies(&secret, &tampered),
        "a changed body does not verify"
    );
    let event: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(event["type"], "evaluation.completed");
    assert_eq!(event["version"], 1);
    assert_eq!(event["data"]["reason"], "completed");
    assert_eq!(event["data"]["interaction"]["sourceIdentifier"], "wh-1");
    assert_eq!(event["data"]["interaction"]["agent"]["name"], "Dana");
    assert_eq!(event["data"]["evaluation"]["passed"], true);
    assert_eq!(event["data"]["evaluation"]["score"]["percentage"], 75.0);
    assert_eq!(
        event["data"]["transcript"]["segments"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let (_, stored) = read(app.get(&status_url).await).await;
    let tags = stored["tags"].to_string();
    assert!(
        tags.contains("good-call") && !tags.contains("never"),
        "{tags}"
    );
    let scorecards: Vec<&str> = stored["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["scorecardId"].as_str().unwrap())
        .collect();
    assert!(scorecards.contains(&second.as_str()), "{scorecards:?}");
    assert!(
        app.balance().await < balance_before,
        "the queued evaluation is billed"
    );
    // The endpoint heard of the interaction and of both evaluations, signed with its secret.
    let all = receiver.hits("all");
    let mut types: Vec<String> = all
        .iter()
        .map(|h| {
            serde_json::from_str::<Value>(&h.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "evaluation.completed",
            "evaluation.completed",
            "interaction.created"
        ]
    );
    let endpoint_secret = endpoint["secret"].as_str().unwrap();
    assert!(all.iter().all(|h| verifies(endpoint_secret, h)));
    let action_id = passed["id"].as_str().unwrap();
    let log = deliveries(&app, &format!("?status=DELIVERED&endpointId={action_id}")).await;
    assert_eq!(log.len(), 1, "{log:?} of {:?}", deliveries(&app, "").await);
    assert_eq!(log[0]["id"], json!(hit.id));
    assert_eq!(log[0]["attemptLog"][0]["statusCode"], 200);
    app.finish().await;
}

async fn a_failing_receiver_is_retried_then_exhausted_and_replayed(backend: Backend) {
    let (app, receiver, base) = app_with_receiver(backend).await;
    let sc = create_scorecard(&app, rules_card()).await;
    let completed = json!({ "type": "EVALUATION_COMPLETED" });
    add_action(
        &app,
        &sc,
        json!({ "trigger": completed, "action": webhook(format!("{base}/flaky")) }),
    )
    .await;
    let down = add_action(
        &app,
        &sc,
        json!({ "trigger": completed, "action": webhook(format!("{base}/down")) }),
    )
    .await;
    // An account endpoint that wants to hear of exhausted messages.
    let (status, endpoint) = read(
        app.post_json(
            "/api/v1/webhook-endpoints",
            &json!({ "url": format!("{base}/ops"), "eventTypes": ["message.attempt.exhausted"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{endpoint}");
    receiver.script("flaky", &[500, 503]);
    receiver.always("down", Some(500));
    upload_scored(&app, "wh-2", &sc).await;
    let r = receiver.clone();
    run_until(&app, move || {
        r.hits("flaky").len() >= 3 && r.hits("down").len() >= 3 && !r.hits("ops").is_empty()
    })
    .await;
    let flaky = receiver.hits("flaky");
    assert_eq!(flaky.len(), 3, "two failures, then one success");
    assert!(
        flaky.iter().all(|h| h.id == flaky[0].id),
        "one webhook-id on every attempt"
    );
    let down_id = down["id"].as_str().unwrap();
    let log = deliveries(&app, &format!("?endpointId={down_id}")).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "FAILED", "{}", log[0]);
    assert_eq!(log[0]["attemptLog"].as_array().unwrap().len(), 3);
    assert!(log[0]["attemptLog"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["statusCode"] == 500));
    let ops = receiver.hits("ops");
    assert_eq!(ops.len(), 1, "{ops:?}");
    let exhausted: Value = serde_json::from_str(&ops[0].body).unwrap();
    assert_eq!(exhausted["type"], "message.attempt.exhausted");
    assert_eq!(exhausted["data"]["messageId"], log[0]["id"]);
    assert!(verifies(endpoint["secret"].as_str().unwrap(), &ops[0]));
    let delivered = deliveries(&app, "?status=DELIVERED").await;
    assert_eq!(
        delivered.len(),
        2,
        "flaky and the ops endpoint: {delivered:?}"
    );

    // The receiver is back: replay what failed since before the upload.
    receiver.always("down", None);
    let (status, queued) = read(
        app.post_json(
            "/api/v1/webhook-deliveries/replay",
            &json!({ "endpointId": down_id, "since": "2026-01-01T00:00:00Z" }),
        )
        .await,
    )
    .await;
    assert_eq!((status.as_u16(), queued["queued"].clone()), (202, json!(1)));
    let r = receiver.clone();
    run_until(&app, move || r.hits("down").len() >= 4).await;
    let log = deliveries(&app, &format!("?endpointId={down_id}")).await;
    assert_eq!(log[0]["status"], "DELIVERED", "{}", log[0]);
    assert_eq!(log[0]["attemptLog"].as_array().unwrap().len(), 4);
    let downs = receiver.hits("down");
    assert!(downs.iter().all(|h| h.id == downs[0].id));

    // Redeliver a delivered message: once more, same id.
    let id = log[0]["id"].as_str().unwrap();
    let (status, _) = read(
        app.post_json(
            &format!("/api/v1/webhook-deliveries/{id}/redeliver"),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 202);
    let r = receiver.clone();
    run_until(&app, move || r.hits("down").len() >= 5).await;
    assert_eq!(receiver.hits("down")[4].id, id);
    app.finish().await;
}

async fn gone_disables_and_rotation_signs_twice_on_an_override(backend: Backend) {
    let (app, receiver, base) = app_with_receiver(backend).await;
    let sc = create_scorecard(&app, rules_card()).await;
    let completed = json!({ "type": "EVALUATION_COMPLETED" });
    let gone = add_action(
        &app,
        &sc,
        json!({ "trigger": completed, "action": webhook(format!("{base}/gone")) }),
    )
    .await;
    let kept = add_action(
        &app,
        &sc,
        json!({ "trigger": completed, "action": webhook(format!("{base}/kept")) }),
    )
    .await;
    receiver.always("gone", Some(410));
    let receipt = upload_scored(&app, "wh-3", &sc).await;
    let r = receiver.clone();
    run_until(&app, move || {
        !r.hits("gone").is_empty() && !r.hits("kept").is_empty()
    })
    .await;
    let gone_id = gone["id"].as_str().unwrap();
    let (_, action) = read(
        app.get(&format!("/api/v1/scorecards/{sc}/actions/{gone_id}"))
            .await,
    )
    .await;
    assert_eq!(action["enabled"], false, "{action}");
    assert!(
        action["disabledReason"].as_str().unwrap().contains("410"),
        "{action}"
    );

    // Rotate the kept action's secret, then a reviewer's override fires it again.
    let kept_id = kept["id"].as_str().unwrap();
    let old_secret = kept["secret"].as_str().unwrap();
    let (status, rotated) = read(
        app.post_json(
            &format!("/api/v1/scorecards/{sc}/actions/{kept_id}/rotate-secret"),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, old_secret);
    let submission = receipt["scoreSubmissionId"].as_str().unwrap();
    let resp = app
        .client
        .patch(app.url(&format!("/api/v1/score-submissions/{submission}")))
        .bearer_auth(&app.token)
        .json(
            &json!({ "answers": [{ "questionId": "hold", "answers": ["Yes"] }],
                        "reason": "the agent did ask" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let r = receiver.clone();
    run_until(&app, move || r.hits("kept").len() >= 2).await;
    let kept_hits = receiver.hits("kept");
    assert_eq!(kept_hits.len(), 2, "the override fired the action again");
    let again = &kept_hits[1];
    assert_ne!(again.id, kept_hits[0].id, "a new message");
    let event: Value = serde_json::from_str(&again.body).unwrap();
    assert_eq!(event["data"]["reason"], "override");
    assert_eq!(event["data"]["evaluation"]["score"]["percentage"], 100.0);
    assert_eq!(again.signature.split(' ').count(), 2, "{again:?}");
    assert!(verifies(new_secret, again) && verifies(old_secret, again));
    assert_eq!(
        receiver.hits("gone").len(),
        1,
        "a disabled action does not fire"
    );
    app.finish().await;
}

async fn an_endpoint_failing_too_long_is_disabled_with_the_reason(backend: Backend) {
    let (app, receiver, base) = app_with_receiver_and(backend, |s| {
        s.webhooks.retry_schedule_secs = vec![0, 2, 2];
        s.webhooks.disable_after_secs = 1;
    })
    .await;
    receiver.always("sick", Some(500));
    let (status, endpoint) = read(
        app.post_json(
            "/api/v1/webhook-endpoints",
            &json!({ "url": format!("{base}/sick"), "eventTypes": ["interaction.created"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{endpoint}");
    let id = endpoint["id"].as_str().unwrap().to_owned();
    let (status, _) = app.upload(&crate::harness::chat("sick-1")).await;
    assert_eq!(status, 200);
    let path = format!("/api/v1/webhook-endpoints/{id}");
    let failed = || async {
        let (_, log) = read(app.get("/api/v1/webhook-deliveries?status=FAILED").await).await;
        log["data"].as_array().is_some_and(|d| d.len() == 1)
    };
    run_until_async(&app, failed).await;
    let (_, endpoint) = read(app.get(&path).await).await;
    assert_eq!(
        endpoint["enabled"],
        false,
        "{endpoint} {:?}",
        deliveries(&app, "").await
    );
    assert_eq!(
        endpoint["disabledReason"],
        "disabled: every delivery failed for more than 1 seconds"
    );
    assert!(endpoint["failingSince"].is_string(), "{endpoint}");
    assert_eq!(
        receiver.hits("sick").len(),
        2,
        "the third attempt finds the endpoint disabled and sends nothing"
    );
    let log = deliveries(&app, "?status=FAILED").await;
    let attempts = log[0]["attemptLog"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{log:?}");
    assert_eq!(attempts[2]["error"], "not sent: the endpoint is disabled");
    // Enabling it again clears the reason.
    let resp = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.token)
        .json(&json!({ "enabled": true }))
        .send()
        .await
        .unwrap();
    let (status, endpoint) = read(resp).await;
    assert_eq!(status, 200, "{endpoint}");
    assert_eq!(
        (
            &endpoint["enabled"],
            &endpoint["disabledReason"],
            &endpoint["failingSince"]
        ),
        (&json!(true), &Value::Null, &Value::Null)
    );
    app.finish().await;
}

async fn blocked_and_broken_actions_are_refused_at_save(backend: Backend) {
    let owned = TestApp::start(backend).await;
    let app = &owned;
    let sc = create_scorecard(app, rules_card()).await;
    let path = format!("/api/v1/scorecards/{sc}/actions");
    let completed = json!({ "type": "EVALUATION_COMPLETED" });
    let cases = [
        (
            json!({ "trigger": completed, "action": webhook("http://127.0.0.1:9/hook".into()) }),
            "action.url",
        ),
        (
            json!({ "trigger": completed, "action": webhook("http://169.254.169.254/latest".into()) }),
            "action.url",
        ),
        (
            json!({ "trigger": completed, "action": webhook("ftp://example.com/x".into()) }),
            "action.url",
        ),
        (
            json!({ "trigger": completed, "action": { "type": "WEBHOOK", "url": "https://example.com/h",
                    "payload": "{\"score\": {{ data.evaluation.scroe }}}" } }),
            "action.payload",
        ),
        (
            json!({ "trigger": completed, "action": { "type": "WEBHOOK", "url": "https://example.com/h",
                    "payload": "{\"who\": {{ data.interaction.sourceIdentifier }}}" } }),
            "action.payload",
        ),
        (
            json!({ "trigger": { "type": "SCORE", "op": ">=" }, "action": { "type": "ADD_TAG", "tag": "x" } }),
            "trigger.percentage",
        ),
    ];
    for (body, field) in cases {
        let (status, error) = read(app.post_json(&path, &body).await).await;
        assert_error(status, &error, 400, "invalid_field", Some(field));
    }
    let (status, listed) = read(app.get(&path).await).await;
    assert_eq!(status, 200);
    assert_eq!(listed["data"], json!([]), "nothing was saved");
    // The preview renders a good template against the sample event.
    let (status, preview) = read(
        app.post_json(
            &format!("{path}/preview"),
            &json!({ "trigger": completed, "action": { "type": "ADD_TAG", "tag": "x" } }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    let (status, preview) = read(
        app.post_json(
            &format!("{path}/preview"),
            &json!({ "trigger": completed, "action": { "type": "WEBHOOK", "url": "https://example.com/h",
                "payload": "{\"who\": {{ data.interaction.sourceIdentifier | tojson }}, \"pct\": {{ data.evaluation.score.percentage }}}" } }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        preview["payload"],
        json!({ "who": "call-12345", "pct": 80.0 })
    );
    let resp = app
        .post_json(
            "/api/v1/scorecards/nope/actions",
            &json!({ "trigger": completed, "action": { "type": "ADD_TAG", "tag": "x" } }),
        )
        .await;
    assert_eq!(resp.status(), 404);
    owned.finish().await;
}

async fn an_action_changed_into_a_webhook_gets_its_secret_once(backend: Backend) {
    let (app, _receiver, base) = app_with_receiver(backend).await;
    let sc = create_scorecard(&app, rules_card()).await;
    let tag = add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "EVALUATION_COMPLETED" },
                "action": { "type": "ADD_TAG", "tag": "reviewed" } }),
    )
    .await;
    assert!(tag.get("secret").is_none(), "{tag}");
    let path = format!(
        "/api/v1/scorecards/{sc}/actions/{}",
        tag["id"].as_str().unwrap()
    );
    let patch = |body: Value| {
        let request = app.client.patch(app.url(&path)).bearer_auth(&app.token);
        async move { read(request.json(&body).send().await.unwrap()).await }
    };
    let (status, hook) = patch(json!({ "action": webhook(format!("{base}/changed")) })).await;
    assert_eq!(status, 200, "{hook}");
    let secret = hook["secret"].as_str().unwrap_or_default();
    assert!(secret.starts_with("whsec_"), "{hook}");
    // Changed again while a webhook: its secret stays, and is not shown again.
    let (status, again) = patch(json!({ "action": webhook(format!("{base}/again")) })).await;
    assert_eq!(status, 200, "{again}");
    assert!(again.get("secret").is_none(), "{again}");
    assert_eq!(again["action"]["url"], format!("{base}/again"));
    app.finish().await;
}
