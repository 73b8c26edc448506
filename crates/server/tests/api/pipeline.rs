//! The background pipeline end to end: a `downloadUrl` upload is fetched by a real worker from a
//! local (allow-listed) server, probed, stored, and its credits settled; 5xx answers are retried
//! to success; an over-size body is cut off and FAILED with the reservation refunded.

use crate::harness::*;
use crate::worker_run::step_finished;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

crate::backend_tests!(
    download_is_fetched_probed_and_settled,
    retries_5xx_to_success,
    oversize_download_fails_and_refunds,
    an_explicit_type_survives_the_download
);

/// Runs a worker (FetchMedia only) until the media step is COMPLETED or FAILED, or `limit`
/// passes; returns the final interaction.
async fn run_pipeline(app: &TestApp, status_url: &str, max_bytes: u64, limit: Duration) -> Value {
    let fetch = Arc::new(app.fetch_handler(max_bytes));
    app.run_worker_until(vec![fetch], status_url, limit, |v| {
        step_finished(v, "media")
    })
    .await
}

async fn download_is_fetched_probed_and_settled(app: &TestApp) {
    let sc = app.active_scorecard().await;
    // Declared 5 minutes: 5 (transcription) + 5 (evaluation) reserved; the file is 68.3 s,
    // so 2 + 2 are due and 6 come back.
    let body = json!({ "sourceIdentifier": "dl-1", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": app.media_url("delivery_call_stereo_8k_ulaw.wav"), "duration": 300000,
        "evaluation": { "scorecardId": sc } });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(app.balance().await, 990);
    let url = resp["statusUrl"].as_str().unwrap();
    let stored = run_pipeline(app, url, 500_000_000, Duration::from_secs(20)).await;
    let media = &stored["media"];
    assert_eq!(media["status"], json!("COMPLETED"), "{stored}");
    assert_eq!(media["channels"], json!(2));
    assert_eq!(media["sampleRate"], json!(8000));
    assert!(
        (media["durationMs"].as_i64().unwrap() - 68_300).abs() < 100,
        "{media}"
    );
    assert_eq!(
        media["sizeBytes"],
        json!(std::fs::metadata(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/fixtures/audio/delivery_call_stereo_8k_ulaw.wav")
        )
        .unwrap()
        .len())
    );
    assert_eq!(app.media_files().await, 1, "exactly one stored object");
    assert_eq!(
        app.balance().await,
        996,
        "settled to the real 2 + 2 credits"
    );
    assert_eq!(stored["creditsCharged"], json!(4));
    let jobs = stored["jobs"].as_array().unwrap();
    assert!(
        jobs.iter()
            .any(|j| j["kind"] == json!("FetchMedia") && j["status"] == json!("DONE")),
        "{jobs:?}"
    );
    assert!(
        jobs.iter()
            .any(|j| j["kind"] == json!("Transcribe") && j["status"] == json!("QUEUED")),
        "{jobs:?}"
    );
    let (_, credits) = read(app.get("/api/v1/credits").await).await;
    assert_eq!(credits["ledger"][0]["amount"], json!(6), "{credits}");
}

async fn retries_5xx_to_success(app: &TestApp) {
    let tag = format!("{}-{}", app.account_id, "retry");
    let body = json!({ "sourceIdentifier": "dl-retry", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": format!("{}/flaky/{tag}/tone.flac", app.media_base) });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    let stored = run_pipeline(
        app,
        resp["statusUrl"].as_str().unwrap(),
        500_000_000,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(stored["media"]["status"], json!("COMPLETED"), "{stored}");
    let fetch = stored["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == json!("FetchMedia"))
        .unwrap()
        .clone();
    assert_eq!(fetch["attempts"], json!(3), "{fetch}");
    assert!(
        fetch["lastError"].as_str().unwrap_or("").contains("503"),
        "{fetch}"
    );
}

async fn oversize_download_fails_and_refunds(app: &TestApp) {
    // No Content-Length, so only the download itself can notice; the limit is 10 KB here.
    let body = json!({ "sourceIdentifier": "dl-big", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": format!("{}/chunked/support_call_mono16k.wav", app.media_base) });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(app.balance().await, 999);
    let stored = run_pipeline(
        app,
        resp["statusUrl"].as_str().unwrap(),
        10_000,
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(stored["media"]["status"], json!("FAILED"), "{stored}");
    assert!(
        stored["media"]["error"].as_str().unwrap().contains("10000"),
        "{stored}"
    );
    assert_eq!(stored["transcript"]["status"], json!("FAILED"));
    assert_eq!(app.balance().await, 1000, "reservation refunded");
    assert_eq!(app.media_files().await, 0);
    assert_eq!(
        std::fs::read_dir(app.data_dir.join("spool"))
            .unwrap()
            .count(),
        0
    );
}

async fn an_explicit_type_survives_the_download(app: &TestApp) {
    // A video file: an explicit AUDIO is the client's word; without one, the bytes decide.
    let cases = [
        ("dl-type-given", Some("AUDIO"), "AUDIO"),
        ("dl-type-inferred", None, "VIDEO"),
    ];
    for (source, given, want) in cases {
        let mut body = json!({ "sourceIdentifier": source, "direction": "INBOUND",
            "timestamp": "2026-06-23T14:30:00Z", "downloadUrl": app.media_url("clip_h264.mp4") });
        if let Some(given) = given {
            body["interactionType"] = json!(given);
        }
        let (status, resp) = app.upload(&body).await;
        assert_eq!(status, 200, "{resp}");
        let url = resp["statusUrl"].as_str().unwrap();
        let stored = run_pipeline(app, url, 500_000_000, Duration::from_secs(20)).await;
        assert_eq!(stored["media"]["status"], json!("COMPLETED"), "{stored}");
        assert_eq!(stored["interactionType"], json!(want), "{source}: {stored}");
    }
}
