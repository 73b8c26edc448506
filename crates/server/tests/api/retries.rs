//! `POST /api/v1/interactions/{id}/retry`, on both backends: a transcription refused by a
//! stand-in OpenAI-compatible speech server fails and is refunded with the evaluation waiting
//! on it; the retry charges them again, the server now answers, and the transcript and its
//! evaluation complete — with the ledger telling each movement. Plus what cannot be retried.

use crate::evaluations::{create_scorecard, evaluate_handler, rules_card};
use crate::harness::*;
use crate::transcription::fixture;
use axum::routing::post;
use axum::{Json, Router};
use reqwest::StatusCode;
use scorejar_stt::remote::{RemoteEngine, RemoteSettings};
use scorejar_stt::{LazyTranscriber, Transcriber};
use scorejar_worker::handlers::{JobHandler, Transcribe, TranscribeSettings};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

crate::backend_tests!(
    a_failed_transcription_is_retried_and_billed_again,
    nothing_failed_is_nothing_to_retry
);

/// A speech server that refuses every request (a permanent 400) until `healthy` is set.
struct SpeechStandIn {
    base: String,
    healthy: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
}

async fn speech_stand_in() -> SpeechStandIn {
    let healthy = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicUsize::new(0));
    let (ok, seen) = (healthy.clone(), requests.clone());
    let app = Router::new()
        .route(
            "/v1/audio/transcriptions",
            post(move |_body: axum::body::Bytes| {
                let (ok, seen) = (ok.clone(), seen.clone());
                async move {
                    seen.fetch_add(1, Ordering::SeqCst);
                    if !ok.load(Ordering::SeqCst) {
                        return (
                            axum::http::StatusCode::BAD_REQUEST,
                            Json(json!({ "error": { "message": "audio format rejected" } })),
                        );
                    }
                    (axum::http::StatusCode::OK, Json(verbose_json()))
                }
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::disable());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    SpeechStandIn {
        base: format!("http://{addr}/v1"),
        healthy,
        requests,
    }
}

/// What the server hears: a greeting and an apology, so the rules scorecard has answers.
fn verbose_json() -> Value {
    json!({ "task": "transcribe", "language": "english", "duration": 29.0,
        "text": "Thank you for calling Acme, this is Dana. I'm sorry about that.",
        "segments": [
            { "id": 0, "start": 0.5, "end": 3.0, "text": " Thank you for calling Acme, this is Dana." },
            { "id": 1, "start": 6.5, "end": 9.0, "text": " I'm sorry about that." }
        ] })
}

fn transcribe_handler(app: &TestApp, base: &str) -> Arc<dyn JobHandler> {
    let engine = RemoteEngine::new(RemoteSettings {
        base_url: base.to_owned(),
        timeout: Duration::from_secs(20),
        max_retries: 0,
        backoff_base: Duration::from_millis(10),
        ..RemoteSettings::default()
    })
    .unwrap();
    let spool_dir = app.data_dir.join("spool");
    std::fs::create_dir_all(&spool_dir).unwrap();
    Arc::new(Transcribe::new(
        app.store.clone(),
        app.media.clone(),
        Arc::new(LazyTranscriber::ready(Transcriber::new(Arc::new(engine)))),
        TranscribeSettings {
            spool_dir,
            default_agent_channel: 0,
            rates: app.settings.rates(),
            not_ready_wait: Duration::from_secs(1),
        },
        1,
    ))
}

/// Runs transcription and evaluation until both are finished (COMPLETED or FAILED).
async fn run_pipeline(app: &TestApp, base: &str, status_url: &str) -> Value {
    app.run_worker_until(
        vec![transcribe_handler(app, base), evaluate_handler(app, None)],
        status_url,
        Duration::from_secs(60),
        |v| {
            let done = |s: &Value| matches!(s.as_str(), Some("COMPLETED" | "FAILED"));
            done(&v["transcript"]["status"])
                && done(&v["evaluations"][0]["status"])
                && v["processing"]["complete"] == json!(true)
        },
    )
    .await
}

async fn retry(app: &TestApp, id: &str) -> (StatusCode, Value) {
    read(
        app.post_json(&format!("/api/v1/interactions/{id}/retry"), &json!({}))
            .await,
    )
    .await
}

async fn a_failed_transcription_is_retried_and_billed_again(app: &TestApp) {
    let speech = speech_stand_in().await;
    let scorecard = create_scorecard(app, rules_card()).await;
    let bytes = std::fs::read(fixture("support_call_mono16k.wav")).unwrap();
    let payload = json!({ "sourceIdentifier": "retry-1", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "evaluation": { "scorecardId": scorecard } });
    let (status, resp) = app.upload_file(bytes, "call.wav", &payload).await;
    assert_eq!(status, 200, "{resp}");
    let id = resp["interactionId"].as_str().unwrap().to_owned();
    let url = resp["statusUrl"].as_str().unwrap().to_owned();
    // 29 s of audio: one minute of transcription and one of evaluation.
    assert_eq!(app.balance().await, 998);

    let failed = run_pipeline(app, &speech.base, &url).await;
    assert_eq!(failed["transcript"]["status"], "FAILED", "{failed}");
    assert_eq!(failed["evaluations"][0]["status"], "FAILED", "{failed}");
    assert!(speech.requests.load(Ordering::SeqCst) > 0);
    assert_eq!(app.balance().await, 1000, "refunded");

    speech.healthy.store(true, Ordering::SeqCst);
    let submission = failed["evaluations"][0]["scoreSubmissionId"]
        .as_str()
        .unwrap();
    let (status, answer) = retry(app, &id).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({ "success": true, "interactionId": id,
                "retried": ["transcript", format!("evaluation:{submission}")],
                "creditsCharged": 2, "statusUrl": url })
    );
    assert_eq!(app.balance().await, 998, "billed as the first time");
    // The steps are queued again, so a second retry finds nothing FAILED.
    let (status, again) = retry(app, &id).await;
    assert_error(status, &again, 409, "nothing_to_retry", None);
    assert_eq!(app.balance().await, 998, "a refused retry charges nothing");

    let done = run_pipeline(app, &speech.base, &url).await;
    assert_eq!(done["transcript"]["status"], "COMPLETED", "{done}");
    assert!(
        done["transcript"]["text"]
            .as_str()
            .unwrap()
            .contains("Thank you for calling Acme"),
        "{done}"
    );
    let evaluation = &done["evaluations"][0];
    assert_eq!(evaluation["status"], "COMPLETED", "{evaluation}");
    assert_eq!(evaluation["scoreSubmissionId"], submission);
    assert_eq!(done["creditsCharged"], 2, "{done}");
    assert_eq!(app.balance().await, 998, "kept: the work is done");

    let (_, credits) = read(app.get("/api/v1/credits").await).await;
    let moves: Vec<(i64, String)> = credits["ledger"]
        .as_array()
        .or_else(|| credits["data"].as_array())
        .unwrap()
        .iter()
        .filter(|e| e["interactionId"] == json!(id))
        .map(|e| {
            (
                e["amount"].as_i64().unwrap(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(moves.len(), 3, "{credits}");
    let amounts: Vec<i64> = moves.iter().map(|(a, _)| *a).collect();
    assert_eq!(
        amounts,
        [-2, 2, -2],
        "newest first: retry, refund, upload; {moves:?}"
    );
    assert_eq!(
        moves[0].1, "retry: transcription 1 min + evaluation 1 min",
        "{moves:?}"
    );
    assert_eq!(moves[1].1, "refund: transcription failed");
}

async fn nothing_failed_is_nothing_to_retry(app: &TestApp) {
    let (status, resp) = app.upload(&chat("retry-chat")).await;
    assert_eq!(status, 200, "{resp}");
    let id = resp["interactionId"].as_str().unwrap();
    let before = app.balance().await;
    let (status, body) = retry(app, id).await;
    assert_error(status, &body, 409, "nothing_to_retry", None);
    let (status, body) = retry(app, "no-such-interaction").await;
    assert_error(status, &body, 404, "interaction_not_found", None);
    // Another account's interaction is a missing one.
    let (_, other_token) = app.new_account(100).await;
    let resp = app
        .post_json_as(
            &other_token,
            &format!("/api/v1/interactions/{id}/retry"),
            &json!({}),
        )
        .await;
    let (status, body) = read(resp).await;
    assert_error(status, &body, 404, "interaction_not_found", None);
    assert_eq!(app.balance().await, before);
}
