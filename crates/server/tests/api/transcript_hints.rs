//! Transcription hints: a `transcript` holding only `language` and/or `agentChannel` on an upload
//! with media (a multipart file or a `downloadUrl`). The media is still transcribed and billed;
//! the hints wait on the PENDING transcript (no text) for the Transcribe job. Without media the
//! hints are refused as a transcript without text or segments, and bad hints are refused by name.

use crate::harness::*;
use crate::upload_files::testdata;
use serde_json::{json, Value};

crate::backend_tests!(
    file_with_hints_is_transcribed_with_them,
    download_url_with_hints_is_transcribed_with_them,
    hints_without_media_are_refused,
    bad_hints_are_refused,
);

fn audio_upload(source: &str, transcript: Value) -> Value {
    json!({ "sourceIdentifier": source, "direction": "INBOUND",
            "timestamp": "2026-06-23T14:30:00Z", "transcript": transcript })
}

/// The stored interaction behind an upload response.
async fn fetch_stored(app: &TestApp, resp: &Value) -> Value {
    let (status, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(status, 200, "{stored}");
    stored
}

/// A transcript waiting for the engine: PENDING, no text, no segments, the given hints.
fn assert_pending_with(stored: &Value, language: Value, agent_channel: Value) {
    let t = &stored["transcript"];
    assert_eq!(t["status"], json!("PENDING"), "{stored}");
    assert_eq!(
        t["text"],
        Value::Null,
        "no text, not an empty one: {stored}"
    );
    assert_eq!(t["source"], Value::Null, "{stored}");
    assert_eq!(t["segments"], json!([]), "{stored}");
    assert_eq!(t["language"], language, "{stored}");
    assert_eq!(t["agentChannel"], agent_channel, "{stored}");
}

fn job_kinds(stored: &Value) -> Vec<String> {
    stored["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn file_with_hints_is_transcribed_with_them(app: &TestApp) {
    let sc = app.active_scorecard().await;
    // tone.mp3 is a 2 s stereo file: 1 minute of transcription + 1 of evaluation, as without
    // hints. "Spanish" is stored as the language code.
    let mut payload = audio_upload(
        "hints-file",
        json!({ "language": "Spanish", "agentChannel": 1 }),
    );
    payload["evaluation"] = json!({ "scorecardId": sc });
    let (status, resp) = app
        .upload_file(testdata("tone.mp3"), "tone.mp3", &payload)
        .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["interactionType"], json!("AUDIO"));
    assert_eq!(
        resp["processing"],
        json!({ "transcription": true, "evaluation": true })
    );
    assert_eq!(app.balance().await, 998);
    let stored = fetch_stored(app, &resp).await;
    assert_pending_with(&stored, json!("es"), json!(1));
    assert_eq!(stored["media"]["status"], json!("COMPLETED"));
    assert_eq!(stored["media"]["channels"], json!(2));
    assert_eq!(stored["creditsCharged"], json!(2));
    // Transcription first; the evaluation waits for its transcript.
    assert_eq!(job_kinds(&stored), ["Transcribe"]);
    assert_eq!(stored["evaluations"][0]["status"], json!("QUEUED"));

    // One hint alone is enough; agent channel 0 is a value, not "absent".
    let (status, resp) = app
        .upload_file(
            testdata("tone.mp3"),
            "tone.mp3",
            &audio_upload("hints-channel", json!({ "agentChannel": 0 })),
        )
        .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["processing"]["transcription"], json!(true));
    assert_pending_with(&fetch_stored(app, &resp).await, Value::Null, json!(0));
    assert_eq!(app.balance().await, 997);

    // A retry is a duplicate as ever: same interaction, nothing charged or stored again.
    let (status, again) = app
        .upload_file(testdata("tone.mp3"), "tone.mp3", &payload)
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["duplicate"], json!(true));
    assert_eq!(
        again["interactionId"], stored["id"],
        "the first interaction"
    );
    assert_eq!(app.balance().await, 997);
    assert_eq!(app.interaction_count().await, 2);
    assert_eq!(app.media_files().await, 2);
}

async fn download_url_with_hints_is_transcribed_with_them(app: &TestApp) {
    let mut body = audio_upload("hints-url", json!({ "language": "en", "agentChannel": 1 }));
    body["downloadUrl"] = json!(app.media_url("delivery_call_stereo_8k_ulaw.wav"));
    body["duration"] = json!(125_000);
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["interactionType"], json!("AUDIO"));
    assert_eq!(resp["processing"]["transcription"], json!(true));
    // Reserved for the declared 125 s: 3 minutes of transcription.
    assert_eq!(app.balance().await, 997);
    let stored = fetch_stored(app, &resp).await;
    assert_pending_with(&stored, json!("en"), json!(1));
    assert_eq!(stored["media"]["status"], json!("PENDING"));
    assert_eq!(job_kinds(&stored), ["FetchMedia"]);
}

async fn hints_without_media_are_refused(app: &TestApp) {
    let hints = json!({ "language": "es", "agentChannel": 1 });
    let mut cases = Vec::new();
    for kind in [
        None,
        Some("CHAT"),
        Some("SMS"),
        Some("AUDIO"),
        Some("VIDEO"),
    ] {
        let mut body = audio_upload("no-media", hints.clone());
        if let Some(kind) = kind {
            body["interactionType"] = json!(kind);
        }
        cases.push(body);
    }
    let mut email = audio_upload("no-media", json!({ "language": "en" }));
    email["email"] = json!({ "from": "a@example.com", "to": ["b@example.com"], "body": "hi" });
    cases.push(email);
    for body in &cases {
        let (status, resp) = app.upload(body).await;
        assert_error(status, &resp, 400, "invalid_field", Some("transcript"));
        let message = resp["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("`text`") && message.contains("segment"),
            "{body}: {message}"
        );
    }
    assert_eq!(app.interaction_count().await, 0);
    assert_eq!(app.balance().await, 1000);
}

async fn bad_hints_are_refused(app: &TestApp) {
    let cases = [
        (json!({ "language": "klingon" }), "transcript.language"),
        (json!({ "language": "e1" }), "transcript.language"),
        (json!({ "agentChannel": -1 }), "transcript.agentChannel"),
        (json!({ "agentChannel": 0.5 }), "transcript.agentChannel"),
    ];
    for (i, (transcript, field)) in cases.into_iter().enumerate() {
        let payload = audio_upload(&format!("bad-{i}"), transcript);
        let (status, resp) = app
            .upload_file(testdata("tone.mp3"), "tone.mp3", &payload)
            .await;
        assert_error(status, &resp, 400, "invalid_field", Some(field));
        let mut body = payload.clone();
        body["downloadUrl"] = json!(app.media_url("tone.flac"));
        let (status, resp) = app.upload(&body).await;
        assert_error(status, &resp, 400, "invalid_field", Some(field));
    }
    assert_eq!(app.interaction_count().await, 0);
    assert_eq!(app.media_files().await, 0);
    assert_eq!(app.balance().await, 1000);
}
