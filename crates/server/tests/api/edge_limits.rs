//! Size rules at the edge: error fields are capped, a second `payload` part is refused, JSON
//! bodies of other routes are capped at 1 MiB, unknown upload fields are skipped (never built).

use crate::harness::*;
use serde_json::json;

crate::backend_tests!(
    error_field_is_capped,
    second_payload_part_is_refused,
    json_routes_take_one_mib,
    unknown_upload_fields_are_skipped
);

async fn error_field_is_capped(app: &TestApp) {
    let key = "k".repeat(1024 * 1024);
    let mut body = chat("cap-1");
    body["customMetadata"] = json!({ key.clone(): "v" });
    let resp = app.post_json("/api/v1/upload", &body).await;
    let text = resp.text().await.unwrap();
    assert!(text.len() < 4096, "{} bytes came back", text.len());
    let resp: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(resp["error"]["code"], "invalid_field", "{resp}");
    let field = resp["error"]["field"].as_str().unwrap();
    assert!(
        field.starts_with("customMetadata.kkkk") && field.ends_with('…'),
        "{field}"
    );
}

async fn second_payload_part_is_refused(app: &TestApp) {
    let part = || chat("two-payloads").to_string();
    let form = reqwest::multipart::Form::new()
        .text("payload", part())
        .text("payload", part());
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 400, "invalid_multipart", Some("payload"));
    assert_eq!(app.interaction_count().await, 0);
}

async fn json_routes_take_one_mib(app: &TestApp) {
    let big = json!({ "name": "x".repeat(1024 * 1024 + 1) });
    let (status, body) = read(app.post_json("/api/v1/tags", &big).await).await;
    assert_error(status, &body, 413, "payload_too_large", None);
    // The upload keeps its own, larger limit.
    let mut up = chat("big-text");
    up["transcript"]["text"] = json!("y".repeat(1024 * 1024 + 1));
    let (status, body) = app.upload(&up).await;
    assert_eq!(status, 200, "{body}");
}

async fn unknown_upload_fields_are_skipped(app: &TestApp) {
    let mut body = chat("hostile-1");
    body["junk"] = json!(vec![0; 200_000]);
    body["agent"] = json!({ "name": "Ann", "deep": [[[[[[[[1]]]]]]]] });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    // Arrays the upload knows are cut off at their limit while reading.
    let mut body = chat("hostile-2");
    body["tags"] = json!(vec!["t"; 5000]);
    let (status, resp) = app.upload(&body).await;
    assert_error(status, &resp, 400, "invalid_field", Some("tags"));
}
