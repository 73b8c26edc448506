//! `GET /api/v1/interactions/{id}` as a status page: each step (media, transcript, each
//! evaluation) shows its status with `attempts` and `lastError` from the job that drives it,
//! and `processing.complete` turns true only once no step and no job is left to run.
//! Jobs are driven by hand through the store's queue (or by a real worker) so every state is
//! reached on purpose.

use crate::harness::*;
use scorejar_core::jobs::EVALUATE;
use scorejar_core::model::{EvaluationStatus, NewJob};
use scorejar_store::queue::{EvaluationUpdate, JobEffects, JobOutcome};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

crate::backend_tests!(
    evaluation_step_shows_attempts_and_last_error,
    media_step_shows_the_retries_of_its_download,
    complete_waits_for_every_job
);

const LEASE: Duration = Duration::from_secs(60);

async fn status(app: &TestApp, url: &str) -> Value {
    let (code, body) = read(app.get(url).await).await;
    assert_eq!(code, 200, "{body}");
    body
}

/// Claims the one due job of `kind` as `worker`.
async fn claim(app: &TestApp, worker: &str, kind: &str) -> String {
    let jobs = app
        .store
        .claim_jobs(worker, &[kind.to_string()], 10, LEASE)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1, "one {kind} job due: {jobs:?}");
    jobs[0].id.clone()
}

fn step(v: &Value) -> (Value, Value, Value) {
    (
        v["status"].clone(),
        v["attempts"].clone(),
        v["lastError"].clone(),
    )
}

async fn evaluation_step_shows_attempts_and_last_error(app: &TestApp) {
    let sc = app.active_scorecard().await;
    let mut body = chat("status-eval");
    body["evaluation"] = json!({ "scorecardId": sc });
    let (code, resp) = app.upload(&body).await;
    assert_eq!(code, 200, "{resp}");
    let url = resp["statusUrl"].as_str().unwrap().to_string();

    let v = status(app, &url).await;
    assert_eq!(v["media"], Value::Null, "a chat has no media step");
    assert_eq!(
        step(&v["transcript"]),
        (json!("COMPLETED"), json!(0), Value::Null),
        "a transcript given in the upload has no job: {v}"
    );
    assert_eq!(
        step(&v["evaluations"][0]),
        (json!("QUEUED"), json!(0), Value::Null)
    );
    assert_eq!(v["processing"]["complete"], json!(false));

    let first = claim(app, "w1", EVALUATE).await;
    let v = status(app, &url).await;
    assert_eq!(
        step(&v["evaluations"][0]),
        (json!("PROCESSING"), json!(1), Value::Null)
    );
    let retry = JobOutcome::Retry {
        error: "model busy".into(),
        run_at: time::OffsetDateTime::now_utc(),
    };
    assert!(app.store.finish_job(&first, "w1", retry).await.unwrap());
    let v = status(app, &url).await;
    assert_eq!(
        step(&v["evaluations"][0]),
        (json!("QUEUED"), json!(1), json!("model busy"))
    );
    assert_eq!(v["processing"]["complete"], json!(false));

    let second = claim(app, "w2", EVALUATE).await;
    let submission = v["evaluations"][0]["scoreSubmissionId"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = JobOutcome::Failed {
        error: "model down".into(),
        effects: JobEffects {
            evaluations: vec![EvaluationUpdate {
                score_submission_id: submission,
                status: EvaluationStatus::Failed,
                result: None,
                error: Some("model down".into()),
                summary: None,
            }],
            ..Default::default()
        },
    };
    assert!(app.store.finish_job(&second, "w2", failed).await.unwrap());
    let v = status(app, &url).await;
    assert_eq!(
        step(&v["evaluations"][0]),
        (json!("FAILED"), json!(2), json!("model down"))
    );
    assert_eq!(v["evaluations"][0]["error"], json!("model down"));
    assert_eq!(v["processing"]["complete"], json!(true), "{v}");
    assert_eq!(
        (&v["jobs"][0]["status"], &v["jobs"][0]["attempts"]),
        (&json!("FAILED"), &json!(2))
    );
}

async fn media_step_shows_the_retries_of_its_download(app: &TestApp) {
    // The flaky route answers the upload's check, then 503 twice, then the file.
    let body = json!({ "sourceIdentifier": "status-dl", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": format!("{}/flaky/{}-status/tone.flac", app.media_base, app.account_id) });
    let (code, resp) = app.upload(&body).await;
    assert_eq!(code, 200, "{resp}");
    let url = resp["statusUrl"].as_str().unwrap().to_string();
    let v = status(app, &url).await;
    assert_eq!(step(&v["media"]), (json!("PENDING"), json!(0), Value::Null));
    assert_eq!(
        step(&v["transcript"]),
        (json!("PENDING"), json!(0), Value::Null)
    );

    let fetch = Arc::new(app.fetch_handler(500_000_000));
    let v = app
        .run_worker_until(vec![fetch], &url, Duration::from_secs(30), |v| {
            v["media"]["status"] == json!("COMPLETED")
        })
        .await;

    let media = &v["media"];
    assert_eq!(media["status"], json!("COMPLETED"), "{v}");
    assert_eq!(media["attempts"], json!(3), "{media}");
    assert!(
        media["lastError"].as_str().unwrap_or("").contains("503"),
        "the last failed attempt's error is kept: {media}"
    );
    assert_eq!(media["error"], Value::Null, "the step itself succeeded");
    // FetchMedia queued the transcription; nothing has run it yet.
    assert_eq!(
        step(&v["transcript"]),
        (json!("PENDING"), json!(0), Value::Null)
    );
    assert_eq!(v["processing"]["complete"], json!(false));
}

async fn complete_waits_for_every_job(app: &TestApp) {
    let (code, resp) = app.upload(&chat("status-complete")).await;
    assert_eq!(code, 200, "{resp}");
    let url = resp["statusUrl"].as_str().unwrap().to_string();
    let id = resp["interactionId"].as_str().unwrap().to_string();
    let v = status(app, &url).await;
    assert_eq!(
        v["processing"]["complete"],
        json!(true),
        "nothing to do: {v}"
    );
    assert_eq!(v["jobs"], json!([]));

    // A job that drives no step (say, a notification) still has to run first.
    let job = NewJob {
        id: scorejar_core::ids::new_id(),
        kind: "Noop".into(),
        interaction_id: Some(id),
        payload: json!({}),
    };
    app.store.enqueue_jobs(vec![job]).await.unwrap();
    let v = status(app, &url).await;
    assert_eq!(v["processing"]["complete"], json!(false), "{v}");
    assert_eq!(v["jobs"][0]["status"], json!("QUEUED"));

    let held = claim(app, "w1", "Noop").await;
    assert_eq!(
        status(app, &url).await["processing"]["complete"],
        json!(false)
    );
    assert_eq!(app.store.finish_jobs_done("w1", &[held]).await.unwrap(), 1);
    let v = status(app, &url).await;
    assert_eq!(v["processing"]["complete"], json!(true), "{v}");
    assert_eq!(
        (&v["jobs"][0]["kind"], &v["jobs"][0]["status"]),
        (&json!("Noop"), &json!("DONE"))
    );
}
