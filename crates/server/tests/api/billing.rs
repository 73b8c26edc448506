//! Credits: what is charged when, 402 with nothing created, the ledger, and a balance that never
//! goes negative under concurrent uploads.

use crate::harness::*;
use serde_json::json;

crate::backend_tests!(
    charges_follow_the_rules,
    insufficient_credits_creates_nothing,
    balance_never_negative_concurrently,
    ai_queue_bills_and_checks,
    a_file_is_billed_for_the_longer_of_declared_and_probed
);

async fn charges_follow_the_rules(app: &TestApp) {
    let sc = app.active_scorecard().await;
    // Chat without evaluation: free.
    let (_, r) = app.upload(&chat("bill-free")).await;
    assert_eq!(
        r["processing"],
        json!({ "transcription": false, "evaluation": false })
    );
    assert_eq!(app.balance().await, 1000);
    // Chat with evaluation: 250 words → 3 started hundreds.
    let mut body = chat("bill-words");
    body["transcript"]["text"] = json!(vec!["word"; 250].join(" "));
    body["evaluation"] = json!({ "scorecardId": sc });
    let (_, r) = app.upload(&body).await;
    assert_eq!(
        r["processing"],
        json!({ "transcription": false, "evaluation": true })
    );
    assert_eq!(app.balance().await, 997);
    // downloadUrl with a declared 125 s duration: transcription reserves 3 started minutes.
    let body = json!({ "sourceIdentifier": "bill-url", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": app.media_url("tone.mp3"), "duration": 125000 });
    let (_, r) = app.upload(&body).await;
    assert_eq!(
        r["processing"],
        json!({ "transcription": true, "evaluation": false })
    );
    assert_eq!(app.balance().await, 994);
    // downloadUrl without duration + evaluation: 1 minute reserved for each.
    let body = json!({ "sourceIdentifier": "bill-url-2", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": app.media_url("tone.flac"), "evaluation": { "scorecardId": sc } });
    let (_, r) = app.upload(&body).await;
    assert_eq!(
        r["processing"],
        json!({ "transcription": true, "evaluation": true })
    );
    assert_eq!(app.balance().await, 992);
    // Audio with its own transcript and a known duration: evaluation only, per minute.
    let body = json!({ "sourceIdentifier": "bill-provided", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "duration": 61000, "transcript": { "segments": [{ "start": 0, "end": 1, "text": "hi" }] }, "evaluation": { "scorecardId": sc } });
    let (_, r) = app.upload(&body).await;
    assert_eq!(
        r["processing"],
        json!({ "transcription": false, "evaluation": true })
    );
    assert_eq!(app.balance().await, 990);
    let (_, credits) = read(app.get("/api/v1/credits").await).await;
    assert_eq!(credits["balance"], json!(990));
    let ledger = credits["ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 5, "grant + four charges: {credits}");
    assert_eq!(ledger[0]["amount"], json!(-2));
    assert_eq!(ledger[0]["balanceAfter"], json!(990));
    assert_eq!(ledger.last().unwrap()["amount"], json!(1000));
    let (_, stored) = read(app.get(r["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(stored["creditsCharged"], json!(2));
}

async fn insufficient_credits_creates_nothing(app: &TestApp) {
    let sc = app.active_scorecard().await;
    let (account, token) = app.new_account(2).await;
    let _ = account;
    let body = json!({ "sourceIdentifier": "poor-1", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": app.media_url("tone.mp3"), "duration": 180000,
        "agent": { "name": "Jane", "sourceIdentifier": "agent-7" }, "customMetadata": { "a": 1 } });
    let (status, resp) = read(app.post_json_as(&token, "/api/v1/upload", &body).await).await;
    assert_error(status, &resp, 402, "insufficient_credits", None);
    let (_, list) = read(app.get_as(&token, "/api/v1/interactions").await).await;
    assert_eq!(list["data"], json!([]));
    let (_, credits) = read(app.get_as(&token, "/api/v1/credits").await).await;
    assert_eq!(credits["balance"], json!(2));
    assert_eq!(
        credits["ledger"].as_array().unwrap().len(),
        1,
        "only the grant"
    );
    // The scorecard of another account is a 404, before any charge.
    let mut body = chat("poor-2");
    body["evaluation"] = json!({ "scorecardId": sc });
    let (status, resp) = read(app.post_json_as(&token, "/api/v1/upload", &body).await).await;
    assert_error(
        status,
        &resp,
        404,
        "scorecard_not_found",
        Some("evaluation.scorecardId"),
    );
    // A DRAFT scorecard is a 404 too.
    let (_, draft) = read(
        app.post_json(
            "/api/v1/scorecards",
            &json!({ "name": "Draft", "sections": [] }),
        )
        .await,
    )
    .await;
    let mut body = chat("draft-1");
    body["evaluation"] = json!({ "scorecardId": draft["id"] });
    let (status, resp) = app.upload(&body).await;
    assert_error(
        status,
        &resp,
        404,
        "scorecard_not_found",
        Some("evaluation.scorecardId"),
    );
    assert_eq!(app.interaction_count().await, 0);
}

async fn balance_never_negative_concurrently(app: &TestApp) {
    let sc = app.active_scorecard().await;
    let (_, token) = app.new_account(10).await;
    // The scorecard belongs to the main account; give the poor account its own.
    let (_, own) = read(app.post_json_as(&token, "/api/v1/scorecards", &json!({
        "name": "QA", "status": "ACTIVE", "sections": [{ "name": "S", "questions": [{ "text": "Q?", "type": "SINGLE", "answers": [{ "label": "Y", "points": 1 }] }] }]
    })).await).await;
    let _ = sc;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let client = app.client.clone();
        let url = app.url("/api/v1/upload");
        let token = token.clone();
        let mut body = chat(&format!("race-{i}"));
        body["evaluation"] = json!({ "scorecardId": own["id"] });
        tasks.push(tokio::spawn(async move {
            read(
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
            .0
        }));
    }
    let mut ok = 0;
    let mut poor = 0;
    for t in tasks {
        match t.await.unwrap().as_u16() {
            200 => ok += 1,
            402 => poor += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((ok, poor), (10, 20));
    let (_, credits) = read(app.get_as(&token, "/api/v1/credits").await).await;
    assert_eq!(credits["balance"], json!(0));
    assert_eq!(credits["ledger"].as_array().unwrap().len(), 11);
}

async fn ai_queue_bills_and_checks(app: &TestApp) {
    let sc = app.active_scorecard().await;
    let (_, r) = app.upload(&chat("q-1")).await;
    let id = r["interactionId"].as_str().unwrap();
    let (status, resp) = read(
        app.post_json(
            "/api/v1/ai/queue",
            &json!({ "interactionId": id, "scorecardId": sc }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{resp}");
    let sub = resp["scoreSubmissionId"].as_str().unwrap();
    assert_eq!(app.balance().await, 999);
    let (_, stored) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    assert_eq!(stored["evaluations"][0]["scoreSubmissionId"], json!(sub));
    assert_eq!(stored["evaluations"][0]["status"], json!("QUEUED"));
    assert!(stored["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["kind"] == json!("Evaluate")));
    let (status, resp) = read(
        app.post_json(
            "/api/v1/ai/queue",
            &json!({ "interactionId": "nope", "scorecardId": sc }),
        )
        .await,
    )
    .await;
    assert_error(
        status,
        &resp,
        404,
        "interaction_not_found",
        Some("interactionId"),
    );
    let (status, resp) = read(
        app.post_json(
            "/api/v1/ai/queue",
            &json!({ "interactionId": id, "scorecardId": "nope" }),
        )
        .await,
    )
    .await;
    assert_error(
        status,
        &resp,
        404,
        "scorecard_not_found",
        Some("scorecardId"),
    );
    let (status, resp) = read(
        app.post_json("/api/v1/ai/queue", &json!({ "interactionId": id }))
            .await,
    )
    .await;
    assert_error(status, &resp, 400, "missing_field", Some("scorecardId"));
    assert_eq!(app.balance().await, 999);
}

/// A WAV of `seconds` of silence (8 kHz, 8-bit mono: one byte a sample).
fn silent_wav(seconds: u32) -> Vec<u8> {
    let data_len = 8_000 * seconds;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&8_000u32.to_le_bytes());
    wav.extend_from_slice(&8_000u32.to_le_bytes()); // bytes per second
    wav.extend_from_slice(&1u16.to_le_bytes()); // block align
    wav.extend_from_slice(&8u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0x80);
    wav
}

async fn a_file_is_billed_for_the_longer_of_declared_and_probed(app: &TestApp) {
    // A 10-minute file declared as one second: billed for ten started minutes, not one.
    let payload = json!({ "sourceIdentifier": "bill-short-claim", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "duration": 1000 });
    let (status, r) = app.upload_file(silent_wav(600), "long.wav", &payload).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(app.balance().await, 990);
    let (_, stored) = read(app.get(r["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(stored["creditsCharged"], json!(10), "{stored}");
    assert_eq!(
        stored["duration"],
        json!(1000),
        "the declared duration is kept: {stored}"
    );
    // A 2-second file declared as three minutes: the declaration is what was asked for.
    let payload = json!({ "sourceIdentifier": "bill-long-claim", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "duration": 180000 });
    let (status, r) = app.upload_file(silent_wav(2), "short.wav", &payload).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(app.balance().await, 987);
}
