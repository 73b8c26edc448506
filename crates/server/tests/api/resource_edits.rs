//! Managing resources: `PATCH`/`DELETE /api/v1/tags/{id}`, tagging one interaction
//! (`POST`/`DELETE /api/v1/interactions/{id}/tags`) and `GET /api/v1/tokens/{id}`, with their
//! scopes and the rule that another account's resource is a 404.

use crate::harness::*;
use reqwest::Method;
use serde_json::{json, Value};

crate::backend_tests!(
    tag_rename_and_conflict,
    tag_delete_unlinks_interactions,
    a_reviewer_tags_and_untags_one_interaction,
    other_accounts_tags_are_404,
    token_get,
    edits_need_their_scopes
);

async fn send(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (reqwest::StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    read(req.send().await.unwrap()).await
}

async fn rename(app: &TestApp, token: &str, id: &str, name: &str) -> (reqwest::StatusCode, Value) {
    send(
        app,
        token,
        Method::PATCH,
        &format!("/api/v1/tags/{id}"),
        Some(json!({ "name": name })),
    )
    .await
}

async fn tag_names(app: &TestApp) -> Vec<String> {
    let (_, body) = read(app.get("/api/v1/tags?limit=100").await).await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

async fn tag_rename_and_conflict(app: &TestApp) {
    let vip = app.create_tag("vip").await;
    app.create_tag("Sales").await;

    let (status, body) = rename(app, &app.token, &vip, "  Gold  ").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "id": vip, "name": "Gold" }), "trimmed");

    let (status, body) = rename(app, &app.token, &vip, "sales").await;
    assert_error(status, &body, 409, "tag_exists", Some("name"));
    let (status, body) = rename(app, &app.token, &vip, "GOLD").await;
    assert_eq!(
        (status.as_u16(), &body["name"]),
        (200, &json!("GOLD")),
        "a change of case is fine"
    );

    for (body, field) in [
        (json!({}), "name"),
        (json!({ "name": "  " }), "name"),
        (json!({ "name": 5 }), "name"),
        (json!({ "name": "x".repeat(101) }), "name"),
    ] {
        let (status, got) = send(
            app,
            &app.token,
            Method::PATCH,
            &format!("/api/v1/tags/{vip}"),
            Some(body),
        )
        .await;
        assert_eq!(status, 400, "{got}");
        assert_eq!(got["error"]["field"], field, "{got}");
    }
    let (status, body) = rename(app, &app.token, "0190a0b0-0000-7000-8000-000000000000", "x").await;
    assert_error(status, &body, 404, "tag_not_found", None);
    assert_eq!(tag_names(app).await, ["GOLD", "Sales"]);
    // The old name is free again.
    app.create_tag("vip").await;
}

async fn tag_delete_unlinks_interactions(app: &TestApp) {
    let vip = app.create_tag("vip").await;
    let sales = app.create_tag("sales").await;
    let mut upload = chat("tagged-1");
    upload["tags"] = json!([vip, sales]);
    let (status, body) = app.upload(&upload).await;
    assert_eq!(status, 200, "{body}");
    let id = body["interactionId"].as_str().unwrap().to_string();
    let (_, filtered) = read(app.get("/api/v1/interactions?tag=vip").await).await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);

    let path = format!("/api/v1/tags/{vip}");
    let (status, body) = send(app, &app.token, Method::DELETE, &path, None).await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = send(app, &app.token, Method::DELETE, &path, None).await;
    assert_error(status, &body, 404, "tag_not_found", None);

    let (_, interaction) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    assert_eq!(
        interaction["tags"],
        json!([{ "id": sales, "name": "sales" }]),
        "unlinked, the rest kept"
    );
    let (_, filtered) = read(app.get("/api/v1/interactions?tag=vip").await).await;
    assert_eq!(filtered["data"], json!([]));
    assert_eq!(tag_names(app).await, ["sales"]);
    // An upload naming the deleted tag gets the usual warning, and a new `vip` is a new tag.
    let mut later = chat("tagged-2");
    later["tags"] = json!(["vip"]);
    let (status, body) = app.upload(&later).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["warnings"].to_string().contains("vip"), "{body}");
    assert_ne!(app.create_tag("vip").await, vip);
}

async fn a_reviewer_tags_and_untags_one_interaction(app: &TestApp) {
    let vip = app.create_tag("VIP").await;
    let sales = app.create_tag("sales").await;
    let (status, body) = app.upload(&chat("to-tag")).await;
    assert_eq!(status, 200, "{body}");
    let id = body["interactionId"].as_str().unwrap().to_string();
    let tags_path = format!("/api/v1/interactions/{id}/tags");
    let tag = |t: &str| Some(json!({ "tag": t }));
    // By name (any case) and by id; linking twice changes nothing.
    let (status, got) = send(app, &app.token, Method::POST, &tags_path, tag("vip")).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["tags"], json!([{ "id": vip, "name": "VIP" }]));
    let (_, got) = send(app, &app.token, Method::POST, &tags_path, tag(&sales)).await;
    let (_, again) = send(app, &app.token, Method::POST, &tags_path, tag(&sales)).await;
    assert_eq!(got, again);
    assert_eq!(
        got["tags"],
        json!([{ "id": sales, "name": "sales" }, { "id": vip, "name": "VIP" }])
    );
    let (_, listed) = read(app.get("/api/v1/interactions?tag=sales").await).await;
    assert_eq!(listed["data"][0]["id"], json!(id));
    // A tag the account lacks is not made here (that is `POST /api/v1/tags`, admin's).
    let (status, err) = send(app, &app.token, Method::POST, &tags_path, tag("unknown")).await;
    assert_error(status, &err, 404, "tag_not_found", Some("tag"));
    let (status, err) = send(app, &app.token, Method::POST, &tags_path, Some(json!({}))).await;
    assert_error(status, &err, 400, "missing_field", Some("tag"));
    // Removing: once, then again changes nothing.
    let remove = format!("{tags_path}/{vip}");
    for _ in 0..2 {
        let (status, got) = send(app, &app.token, Method::DELETE, &remove, None).await;
        assert_eq!(status, 200, "{got}");
        assert_eq!(got["tags"], json!([{ "id": sales, "name": "sales" }]));
    }
    let (_, detail) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    assert_eq!(detail["tags"], json!([{ "id": sales, "name": "sales" }]));
    // Another account's interaction is not found; a token without `evaluate` is refused.
    let (_, other) = app.new_account(0).await;
    let (status, err) = send(app, &other, Method::POST, &tags_path, tag("vip")).await;
    assert_error(status, &err, 404, "interaction_not_found", None);
    let (status, created) = read(
        app.post_json(
            "/api/v1/tokens",
            &json!({ "name": "uploader", "scopes": ["read", "upload"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let uploader = created["token"].as_str().unwrap();
    let (status, err) = send(app, uploader, Method::POST, &tags_path, tag("vip")).await;
    assert_error(status, &err, 403, "insufficient_scope", None);
}

async fn other_accounts_tags_are_404(app: &TestApp) {
    let mine = app.create_tag("vip").await;
    let (_, other) = app.new_account(0).await;
    let (status, body) = rename(app, &other, &mine, "stolen").await;
    assert_error(status, &body, 404, "tag_not_found", None);
    let (status, body) = send(
        app,
        &other,
        Method::DELETE,
        &format!("/api/v1/tags/{mine}"),
        None,
    )
    .await;
    assert_error(status, &body, 404, "tag_not_found", None);
    assert_eq!(tag_names(app).await, ["vip"], "untouched");
}

async fn token_get(app: &TestApp) {
    let (status, created) = read(
        app.post_json(
            "/api/v1/tokens",
            &json!({ "name": "ci", "scopes": ["read"], "expiresAt": "2099-01-01T00:00:00Z" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/tokens/{id}");
    let (status, got) = read(app.get(&path).await).await;
    assert_eq!(status, 200, "{got}");
    let mut expected = created.clone();
    expected.as_object_mut().unwrap().remove("token");
    assert_eq!(got, expected, "as created, without the secret");
    let (_, list) = read(app.get("/api/v1/tokens").await).await;
    assert!(list["data"].as_array().unwrap().contains(&got), "as listed");

    let (_, other) = app.new_account(0).await;
    let (status, body) = read(app.get_as(&other, &path).await).await;
    assert_error(status, &body, 404, "token_not_found", None);
    let (status, _) = send(app, &app.token, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, body) = read(app.get(&path).await).await;
    assert_error(status, &body, 404, "token_not_found", None);
}

async fn edits_need_their_scopes(app: &TestApp) {
    let vip = app.create_tag("vip").await;
    let (status, created) = read(
        app.post_json(
            "/api/v1/tokens",
            &json!({ "name": "reader", "scopes": ["read", "upload", "evaluate"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let reader = created["token"].as_str().unwrap();
    let id = created["id"].as_str().unwrap();
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/tags/{vip}"),
            Some(json!({ "name": "x" })),
        ),
        (Method::DELETE, format!("/api/v1/tags/{vip}"), None),
        (Method::GET, format!("/api/v1/tokens/{id}"), None),
    ] {
        let (status, got) = send(app, reader, method.clone(), &path, body).await;
        assert_error(status, &got, 403, "insufficient_scope", None);
    }
    for path in ["/api/v1/tags", "/api/v1/scorecards", "/api/v1/credits"] {
        let (status, got) = read(app.get_as(reader, path).await).await;
        assert_eq!(status, 200, "{path} needs `read`: {got}");
    }
    assert_eq!(tag_names(app).await, ["vip"]);
}
