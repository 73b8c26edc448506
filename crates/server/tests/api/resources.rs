//! Tags, scorecards, health, OpenAPI and unknown routes.

use crate::harness::*;
use serde_json::json;

crate::backend_tests!(
    tags_crud,
    scorecards_crud_and_validation,
    health_openapi_and_fallback
);

async fn tags_crud(app: &TestApp) {
    let id = app.create_tag("VIP").await;
    let (status, body) = read(
        app.post_json("/api/v1/tags", &json!({ "name": "vip" }))
            .await,
    )
    .await;
    assert_error(status, &body, 409, "tag_exists", Some("name"));
    let (status, body) = read(app.post_json("/api/v1/tags", &json!({ "name": "" })).await).await;
    assert_eq!(status, 400, "{body}");
    let (_, list) = read(app.get("/api/v1/tags").await).await;
    assert_eq!(list["data"], json!([{ "id": id, "name": "VIP" }]));
    let (_, other) = app.new_account(0).await;
    let (_, theirs) = read(app.get_as(&other, "/api/v1/tags").await).await;
    assert_eq!(theirs["data"], json!([]));
}

async fn scorecards_crud_and_validation(app: &TestApp) {
    let body = json!({
        "name": "Support QA", "description": "Weekly", "prompt": "You are a QA analyst.", "model": "rules",
        "passingScore": 80,
        "sections": [{ "name": "Opening", "questions": [
            { "id": "greet", "text": "Greeted?", "type": "SINGLE", "answers": [{ "label": "Yes", "points": 5 }, { "label": "No", "points": 0, "autoFail": true }, { "label": "N/A", "points": null }] },
            { "text": "Empathy", "type": "SLIDER", "min": 0, "max": 10, "step": 1, "rules": { "value": { "metric": "agentWordsPerMinute" } } }
        ]}]
    });
    let (status, sc) = read(app.post_json("/api/v1/scorecards", &body).await).await;
    assert_eq!(status, 201, "{sc}");
    assert_eq!(sc["status"], json!("DRAFT"));
    assert_eq!(sc["passingScore"], json!(80.0));
    let id = sc["id"].as_str().unwrap();
    assert_eq!(sc["sections"][0]["questions"][0]["id"], json!("greet"));
    assert!(
        sc["sections"][0]["questions"][1]["id"].is_string(),
        "ids are generated"
    );

    let (status, patched) = read(
        app.client
            .patch(app.url(&format!("/api/v1/scorecards/{id}")))
            .bearer_auth(&app.token)
            .json(&json!({ "status": "ACTIVE", "passingScore": null }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["status"], json!("ACTIVE"));
    assert_eq!(patched["passingScore"], json!(null));
    assert_eq!(patched["name"], json!("Support QA"));
    let (_, got) = read(app.get(&format!("/api/v1/scorecards/{id}")).await).await;
    assert_eq!(got["status"], json!("ACTIVE"));
    let (_, list) = read(app.get("/api/v1/scorecards").await).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    for (bad, field) in [
        (json!({ "sections": [] }), "name"),
        (json!({ "name": "x", "status": "LIVE" }), "status"),
        (json!({ "name": "x", "passingScore": 101 }), "passingScore"),
        (
            json!({ "name": "x", "sections": [{ "name": "s", "questions": [{ "text": "q", "type": "SINGLE", "answers": [] }] }] }),
            "sections[0].questions[0].answers",
        ),
        (
            json!({ "name": "x", "sections": [{ "name": "s", "questions": [{ "text": "q", "type": "SLIDER", "min": 5, "max": 1 }] }] }),
            "sections[0].questions[0]",
        ),
        (
            json!({ "name": "x", "sections": [{ "name": "s", "questions": [{ "text": "q", "type": "ESSAY" }] }] }),
            "sections[0].questions[0].type",
        ),
    ] {
        let (status, resp) = read(app.post_json("/api/v1/scorecards", &bad).await).await;
        assert_eq!(status, 400, "{bad}: {resp}");
        assert!(
            resp["error"]["field"]
                .as_str()
                .unwrap_or("")
                .starts_with(field),
            "{bad}: {resp}"
        );
    }
    let (status, _) = read(
        app.client
            .patch(app.url("/api/v1/scorecards/nope"))
            .bearer_auth(&app.token)
            .json(&json!({ "name": "y" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, resp) = read(
        app.client
            .patch(app.url(&format!("/api/v1/scorecards/{id}")))
            .bearer_auth(&app.token)
            .json(&json!({ "status": "nope" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &resp, 400, "invalid_field", Some("status"));
}

async fn health_openapi_and_fallback(app: &TestApp) {
    let (status, body) = read(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], json!("ok"));
    let (status, doc) = read(
        app.client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/upload",
        "/api/v1/interactions/{id}",
        "/api/v1/tokens",
        "/api/v1/scorecards",
        "/api/v1/ai/queue",
        "/api/v1/credits",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    let (status, body) = read(app.get("/api/v1/nope").await).await;
    assert_error(status, &body, 404, "route_not_found", None);
}
