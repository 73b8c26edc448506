//! The NUL rule: a `\u0000` in any text field is a 400 naming the field, on both backends
//! (PostgreSQL cannot store it; before the rule it answered 500), and nothing is stored.

use crate::harness::*;
use serde_json::{json, Value};

crate::backend_tests!(
    nul_in_upload_fields,
    nul_in_other_bodies,
    nul_in_path_and_query
);

const NUL: &str = "a\u{0}b";

async fn nul_in_upload_fields(app: &TestApp) {
    let scorecard = app.active_scorecard().await;
    let segment = json!([{ "text": NUL, "start": 0.0, "end": 1.0 }]);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("sourceIdentifier", json!(NUL), "sourceIdentifier"),
        ("transcript", json!({ "text": NUL }), "transcript.text"),
        (
            "transcript",
            json!({ "segments": segment }),
            "transcript.segments[0].text",
        ),
        ("customMetadata", json!({ "k": NUL }), "customMetadata.k"),
        ("customMetadata", json!({ NUL: "v" }), "customMetadata"),
        ("agent", json!({ "name": NUL }), "agent.name"),
        ("tags", json!(["ok", NUL]), "tags[1]"),
        (
            "evaluation",
            json!({ "scorecardId": format!("{scorecard}\u{0}") }),
            "evaluation.scorecardId",
        ),
    ];
    for (key, value, field) in cases {
        let mut body = chat("nul-1");
        body[key] = value;
        let (status, resp) = app.upload(&body).await;
        assert_error(status, &resp, 400, "invalid_field", Some(field));
    }
    // The same in a multipart `payload` part.
    let mut body = chat("nul-2");
    body["transcript"]["text"] = json!(NUL);
    let (status, resp) = app.upload_file(b"RIFF".to_vec(), "a.wav", &body).await;
    assert_error(status, &resp, 400, "invalid_field", Some("transcript.text"));
    assert_eq!(app.interaction_count().await, 0);
}

async fn nul_in_other_bodies(app: &TestApp) {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/api/v1/tags", json!({ "name": NUL }), "name"),
        ("/api/v1/tokens", json!({ "name": NUL }), "name"),
        (
            "/api/v1/scorecards",
            json!({ "name": NUL, "sections": [] }),
            "name",
        ),
        (
            "/api/v1/ai/queue",
            json!({ "interactionId": NUL, "scorecardId": "x" }),
            "interactionId",
        ),
        (
            "/api/v1/auth/login",
            json!({ "email": NUL, "password": "p" }),
            "email",
        ),
        (
            "/api/v1/auth/login",
            json!({ "email": "a@example.com", "password": NUL }),
            "password",
        ),
    ];
    for (path, body, field) in cases {
        let (status, resp) = read(app.post_json(path, &body).await).await;
        assert_error(status, &resp, 400, "invalid_field", Some(field));
    }
}

async fn nul_in_path_and_query(app: &TestApp) {
    let (status, resp) = read(app.get("/api/v1/interactions/a%00b").await).await;
    assert_error(status, &resp, 400, "invalid_field", Some("id"));
    let (status, resp) = read(app.get("/api/v1/interactions?agent=a%00b").await).await;
    assert_error(status, &resp, 400, "invalid_field", Some("agent"));
    let (status, resp) = read(
        app.client
            .delete(app.url("/api/v1/tokens/x%00"))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &resp, 400, "invalid_field", Some("id"));
}
