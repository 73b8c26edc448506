//! A worker killed with SIGKILL in the middle of a webhook delivery loses nothing: once its
//! lease lapses another worker sends the message again, with the same `webhook-id`, and the
//! delivery log shows it DELIVERED.

mod support;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{create_account, free_port, spawn};

/// A receiver whose first request hangs (as a slow receiver would while the worker dies);
/// every later one is answered 200 at once. Records each request's `webhook-id`.
async fn hanging_receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let ids = Arc::new(Mutex::new(Vec::new()));
    async fn receive(
        State(ids): State<Arc<Mutex<Vec<String>>>>,
        headers: HeaderMap,
    ) -> &'static str {
        let id = headers
            .get("webhook-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let first = {
            let mut ids = ids.lock().unwrap();
            ids.push(id);
            ids.len() == 1
        };
        if first {
            tokio::time::sleep(Duration::from_secs(120)).await;
        }
        "ok"
    }
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(ids.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, ids)
}

async fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_delivery_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (hook_port, ids) = hanging_receiver().await;
    let api_port = free_port();
    let config = dir.path().join("scorejar.toml");
    std::fs::write(&config, format!(
        "data_dir = \"{}\"\nbind = \"127.0.0.1:{api_port}\"\n[fetch]\nallowed_internal_hosts = [\"127.0.0.1:{hook_port}\"]\n[worker]\nlease_secs = 3\npoll_interval_ms = 100\n[webhooks]\ntimeout_secs = 300\n",
        dir.path().join("data").display()
    )).unwrap();
    let token = create_account(&config, 100);
    let _api = spawn(&["serve", "--role", "api"], &config);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{api_port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the API never came up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let post = |path: &str, body: Value| {
        let request = client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body);
        let path = path.to_owned();
        async move {
            let resp = request.send().await.unwrap();
            let status = resp.status();
            let body: Value = resp.json().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {body}");
            body
        }
    };
    let scorecard = post("/api/v1/scorecards", json!({ "name": "QA", "status": "ACTIVE", "model": "rules",
        "sections": [{ "name": "Opening", "questions": [{ "id": "greet", "text": "Greeting?", "type": "SINGLE",
            "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }],
            "rules": { "if": { "phrase": "thank you for calling" }, "then": "Yes", "else": "No" } }] }] }))
    .await;
    let sc = scorecard["id"].as_str().unwrap();
    post(
        &format!("/api/v1/scorecards/{sc}/actions"),
        json!({ "trigger": { "type": "EVALUATION_COMPLETED" },
                "action": { "type": "WEBHOOK", "url": format!("http://127.0.0.1:{hook_port}/hook") } }),
    )
    .await;
    post("/api/v1/upload", json!({ "sourceIdentifier": "kill-1", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "evaluation": { "scorecardId": sc },
        "transcript": { "text": "", "segments": [
            { "start": 0.5, "end": 3.0, "speaker": "agent", "text": "Thank you for calling Acme." }] } }))
    .await;

    let first = spawn(&["worker"], &config);
    let seen = ids.clone();
    wait_until("the first delivery", Duration::from_secs(30), move || {
        !seen.lock().unwrap().is_empty()
    })
    .await;
    drop(first); // SIGKILL, mid-delivery: the receiver has the request, the worker no answer
    let _second = spawn(&["worker"], &config);
    let seen = ids.clone();
    wait_until(
        "the delivery after the kill",
        Duration::from_secs(40),
        move || seen.lock().unwrap().len() >= 2,
    )
    .await;
    let got = ids.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0], got[1], "the same webhook-id again");

    let deadline = Instant::now() + Duration::from_secs(20);
    let log = loop {
        let log: Value = client
            .get(format!("{base}/api/v1/webhook-deliveries"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if log["data"][0]["status"] == "DELIVERED" || Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let messages = log["data"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{log}");
    assert_eq!(messages[0]["status"], "DELIVERED", "{log}");
    assert_eq!(messages[0]["id"], json!(got[0]));
    let attempts = messages[0]["attemptLog"].as_array().unwrap();
    assert_eq!(
        attempts.len(),
        1,
        "the killed attempt left no record: {log}"
    );
    assert_eq!(attempts[0]["statusCode"], 200);
}
