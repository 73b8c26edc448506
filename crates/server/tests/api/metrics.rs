//! `GET /metrics`: absent without `metrics_token`, 401 without the right bearer token, and in
//! Prometheus's text format with it — requests counted by route pattern and status (never by
//! raw path), latency histograms, and the job backlog read from the database at each scrape.

use crate::evaluations::{create_scorecard, evaluate_handler, rules_card};
use crate::harness::*;
use scorejar_server::config::Settings;
use serde_json::json;

crate::backend_tests_with!(with_metrics_token; metrics_count_requests_and_show_the_backlog);
crate::backend_tests!(no_token_means_no_metrics);

const TOKEN: &str = "metrics-secret-for-tests";

fn with_metrics_token(s: &mut Settings) {
    s.metrics_token = TOKEN.into();
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let resp = request.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The value of the first sample of `name` whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .find(|line| labels.iter().all(|l| line.contains(l)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn metrics_count_requests_and_show_the_backlog(app: &TestApp) {
    assert_eq!(scrape(app, None).await.0, 401);
    assert_eq!(scrape(app, Some("not-the-token")).await.0, 401);

    let card = create_scorecard(app, rules_card()).await;
    let upload = |n: usize| {
        json!({ "sourceIdentifier": format!("metrics-{n}"), "direction": "INBOUND",
            "timestamp": "2026-06-23T14:30:00Z", "evaluation": { "scorecardId": card },
            "transcript": { "text": "Agent: Thank you for calling." } })
    };
    let (status, body) = app.upload(&upload(1)).await;
    assert_eq!(status, 200, "{body}");
    let id = body["interactionId"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/interactions/{id}"))
            .await
            .status(),
        200
    );

    let (status, text) = scrape(app, Some(TOKEN)).await;
    assert_eq!(status, 200, "{text}");
    let uploads = [
        "route=\"/api/v1/upload\"",
        "method=\"POST\"",
        "status=\"200\"",
    ];
    let before = sample(&text, "scorejar_http_requests_total", &uploads).expect(&text);
    assert!(before >= 1.0);
    // By pattern: the interaction's id never becomes a label.
    assert!(
        text.contains("route=\"/api/v1/interactions/{id}\""),
        "{text}"
    );
    assert!(!text.contains(&id), "a raw path leaked into a label");
    assert!(
        text.contains("scorejar_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    // No worker runs here: the evaluation's job waits in the queue, and the database says so.
    let queued = ["kind=\"Evaluate\"", "status=\"QUEUED\""];
    assert_eq!(sample(&text, "scorejar_jobs", &queued), Some(1.0), "{text}");
    let running = ["kind=\"Transcribe\"", "status=\"RUNNING\""];
    assert_eq!(
        sample(&text, "scorejar_jobs", &running),
        Some(0.0),
        "{text}"
    );

    let (status, body) = app.upload(&upload(2)).await;
    assert_eq!(status, 200, "{body}");
    let (_, text) = scrape(app, Some(TOKEN)).await;
    let after = sample(&text, "scorejar_http_requests_total", &uploads).unwrap();
    assert!(after >= before + 1.0, "{before} then {after}");
    assert_eq!(sample(&text, "scorejar_jobs", &queued), Some(2.0), "{text}");

    // A worker runs them: its attempts and their run time are counted, the backlog empties.
    app.run_worker_until(
        vec![evaluate_handler(app, None)],
        &format!("/api/v1/interactions/{id}"),
        std::time::Duration::from_secs(30),
        |v| v["evaluations"][0]["status"] == "COMPLETED",
    )
    .await;
    let (_, text) = scrape(app, Some(TOKEN)).await;
    let done = ["kind=\"Evaluate\"", "outcome=\"done\""];
    let attempts = sample(&text, "scorejar_job_attempts_total", &done).expect(&text);
    assert!(attempts >= 1.0, "{text}");
    assert!(
        text.contains("scorejar_job_run_seconds_bucket{kind=\"Evaluate\""),
        "{text}"
    );
    assert!(
        text.contains("scorejar_job_claim_delay_seconds_bucket{kind=\"Evaluate\""),
        "{text}"
    );
    // The uploads were charged (an evaluation costs credits).
    let charged = sample_total(&text, "scorejar_credits_charged_total").expect(&text);
    assert!(charged >= 1.0, "{text}");
    if app.store.backend() == "postgres" {
        let open = sample(&text, "scorejar_db_pool_connections", &["state=\"open\""]);
        assert!(open.is_some_and(|n| n >= 1.0), "{text}");
    }
}

/// The value of a series without labels.
fn sample_total(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(&format!("{name} ")))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn no_token_means_no_metrics(app: &TestApp) {
    assert_eq!(scrape(app, None).await.0, 404);
    assert_eq!(scrape(app, Some("anything")).await.0, 404);
}
