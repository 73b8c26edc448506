//! Idempotency on `sourceIdentifier`: a retry returns the original answer, charges nothing and
//! changes nothing — also when the retries arrive at the same time.

use crate::harness::*;
use serde_json::json;

crate::backend_tests!(
    retry_returns_original,
    concurrent_retries_make_one_interaction
);

async fn retry_returns_original(app: &TestApp) {
    let sc = app.active_scorecard().await;
    let mut body = chat("idem-1");
    body["evaluation"] = json!({ "scorecardId": sc });
    let (status, first) = app.upload(&body).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["duplicate"], json!(false));
    assert!(first["scoreSubmissionId"].is_string());
    let balance = app.balance().await;
    let ledger = app.ledger_len().await;

    // Same sourceIdentifier, different content: the original answer, nothing changed.
    body["transcript"]["text"] = json!("something else entirely");
    body["customMetadata"] = json!({ "x": 1 });
    let (status, again) = app.upload(&body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["duplicate"], json!(true));
    for key in [
        "interactionId",
        "interactionType",
        "statusUrl",
        "processing",
        "scoreSubmissionId",
    ] {
        assert_eq!(again[key], first[key], "{key}");
    }
    assert_eq!(app.balance().await, balance);
    assert_eq!(app.ledger_len().await, ledger);
    let (_, stored) = read(app.get(first["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(
        stored["transcript"]["text"],
        json!("Agent: Hello\nCustomer: I need help with my order")
    );
    assert_eq!(stored["customMetadata"], json!({}));
    assert_eq!(stored["evaluations"].as_array().unwrap().len(), 1);

    // Another account may use the same sourceIdentifier.
    let (_, other) = app.new_account(10).await;
    let (status, theirs) = read(
        app.post_json_as(&other, "/api/v1/upload", &chat("idem-1"))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(theirs["duplicate"], json!(false));
    assert_ne!(theirs["interactionId"], first["interactionId"]);
}

async fn concurrent_retries_make_one_interaction(app: &TestApp) {
    let sc = app.active_scorecard().await;
    let mut body = chat("idem-race");
    body["evaluation"] = json!({ "scorecardId": sc });
    let before = app.balance().await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/v1/upload");
        let token = app.token.clone();
        let body = body.clone();
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
        }));
    }
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    for t in tasks {
        let (status, resp) = t.await.unwrap();
        assert_eq!(status, 200, "{resp}");
        ids.insert(resp["interactionId"].as_str().unwrap().to_string());
        if resp["duplicate"] == json!(false) {
            created += 1;
        }
    }
    assert_eq!(ids.len(), 1, "all retries resolve to one interaction");
    assert_eq!(created, 1, "exactly one request created it");
    assert_eq!(app.interaction_count().await, 1);
    assert_eq!(
        before - app.balance().await,
        1,
        "charged once (1 credit for a short chat evaluation)"
    );
}
