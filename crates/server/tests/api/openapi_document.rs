//! The OpenAPI document describes the API that runs. The schemas are mirrors of JSON the
//! handlers build by hand (`src/openapi/`), so this checks real answers against them with a
//! strict reading: every key an answer has must be documented (`additionalProperties` is
//! only allowed for free-form objects), every `required` key present, types and enums right.
//! A field added to a handler but not to its schema fails here.

use crate::harness::*;
use serde_json::{json, Value};

crate::backend_tests!(real_answers_match_the_document);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_public_camel_case_and_complete() {
    let app = TestApp::start(Backend::Sqlite).await;
    let resp = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let (status, doc) = read(resp).await;
    assert_eq!(status, 200, "served without a token");
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for key in schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            assert!(!key.contains('_'), "{name}.{key} is not camelCase");
        }
    }
    let upload = &doc["components"]["schemas"]["UploadPayload"];
    assert_eq!(
        upload["required"],
        json!(["sourceIdentifier", "direction", "timestamp"])
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if path.starts_with("/api/v1/")
                && path != "/api/v1/auth/login"
                && path != "/api/v1/openapi.json"
            {
                assert!(secured, "{what} is protected");
            }
            if secured {
                assert!(responses.contains_key("401"), "{what} documents 401");
            }
            assert!(responses.contains_key("429"), "{what} documents 429");
            // Logout, a retry, a secret rotation and a redelivery act on what the path and
            // token name; they take no body.
            let bodyless = [
                "/api/v1/auth/logout",
                "/api/v1/interactions/{id}/retry",
                "/api/v1/scorecards/{id}/actions/{actionId}/rotate-secret",
                "/api/v1/webhook-endpoints/{id}/rotate-secret",
                "/api/v1/webhook-deliveries/{id}/redeliver",
            ];
            if (method == "post" && !bodyless.contains(&path.as_str())) || method == "patch" {
                assert!(op["requestBody"].is_object(), "{what} has a request body");
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    if what == "get /healthz" {
                        continue;
                    }
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/Error",
                        "{what} {status} is the Error envelope"
                    );
                }
            }
        }
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/interactions"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "type",
        "direction",
        "from",
        "to",
        "agent",
        "tag",
        "limit",
        "cursor",
    ] {
        assert!(params.contains(&name), "/interactions documents `{name}`");
    }
    for path in [
        "/api/v1/tags",
        "/api/v1/tokens",
        "/api/v1/scorecards",
        "/api/v1/credits",
    ] {
        let op = &doc["paths"][path]["get"];
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} documents its parameters"))
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(params, ["limit", "cursor"], "{path}");
        let limit = &op["parameters"][0]["schema"];
        assert_eq!(
            (&limit["minimum"], &limit["maximum"]),
            (&json!(1), &json!(100)),
            "{path}"
        );
        assert!(op["responses"]["400"].is_object(), "{path} documents 400");
        let page = &op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        let name = page
            .as_str()
            .unwrap()
            .trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name]["properties"]["nextCursor"].is_object(),
            "{path}: {name} has nextCursor"
        );
    }
    for (method, path) in [
        ("get", "/api/v1/tokens/{id}"),
        ("patch", "/api/v1/tags/{id}"),
        ("delete", "/api/v1/tags/{id}"),
    ] {
        let op = &doc["paths"][path][method];
        assert_eq!(op["x-scope"], "admin", "{method} {path}");
        assert!(
            op["responses"]["404"].is_object(),
            "{method} {path} documents 404"
        );
    }
    assert!(doc["paths"]["/api/v1/tags/{id}"]["patch"]["responses"]["409"].is_object());
    app.finish().await;
}

async fn real_answers_match_the_document(app: &TestApp) {
    let doc = read(app.get("/api/v1/openapi.json").await).await.1;
    let check = |method: &str, path: &str, status: u16, body: &Value| {
        let schema = response_schema(&doc, method, path, status)
            .unwrap_or_else(|| panic!("{method} {path} does not document {status}"));
        let mut errors = Vec::new();
        validate(&doc, schema, body, "$", &mut errors);
        assert!(
            errors.is_empty(),
            "{method} {path} {status}: {errors:#?}\n{body:#}"
        );
    };

    let scorecard = app.active_scorecard().await;
    let tag = app.create_tag("vip").await;
    let mut upload = chat("doc-1");
    upload["agent"] =
        json!({ "name": "Jane", "email": "jane@example.com", "sourceIdentifier": "agent-7" });
    upload["customer"] = json!({ "name": "Bob", "phone": "+15551234" });
    upload["tags"] = json!([tag]);
    upload["customMetadata"] =
        json!({ "disposition": "sale", "consent": true, "value": 50000, "score": 0.5 });
    upload["evaluation"] = json!({ "scorecardId": scorecard });
    let payload_schema = &doc["components"]["schemas"]["UploadPayload"];
    let mut errors = Vec::new();
    validate(&doc, payload_schema, &upload, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "the documented payload accepts a real one: {errors:#?}"
    );

    let (status, body) = app.upload(&upload).await;
    check("post", "/api/v1/upload", status.as_u16(), &body);
    assert_eq!(status, 200, "{body}");
    let id = body["interactionId"].as_str().unwrap().to_string();
    let (status, body) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    check("get", "/api/v1/interactions/{id}", status.as_u16(), &body);
    let (status, body) = read(app.get("/api/v1/interactions?limit=5").await).await;
    check("get", "/api/v1/interactions", status.as_u16(), &body);
    let (status, body) = read(app.get("/api/v1/interactions?bogus=1").await).await;
    check("get", "/api/v1/interactions", status.as_u16(), &body);
    let (status, body) = read(app.get("/api/v1/interactions/nope").await).await;
    check("get", "/api/v1/interactions/{id}", status.as_u16(), &body);
    let (status, body) = read(
        app.post_json(&format!("/api/v1/interactions/{id}/retry"), &json!({}))
            .await,
    )
    .await;
    check(
        "post",
        "/api/v1/interactions/{id}/retry",
        status.as_u16(),
        &body,
    );
    assert_eq!(status, 409, "nothing of a fresh chat has failed: {body}");
    let (status, body) = read(app.get("/api/v1/tags").await).await;
    check("get", "/api/v1/tags", status.as_u16(), &body);
    let (status, body) = read(
        app.post_json("/api/v1/tags", &json!({ "name": "vip" }))
            .await,
    )
    .await;
    check("post", "/api/v1/tags", status.as_u16(), &body);
    assert_eq!(status, 409);
    let (status, body) = read(app.get("/api/v1/scorecards").await).await;
    check("get", "/api/v1/scorecards", status.as_u16(), &body);
    let (status, body) = read(app.get(&format!("/api/v1/scorecards/{scorecard}")).await).await;
    check("get", "/api/v1/scorecards/{id}", status.as_u16(), &body);
    let (status, body) = read(
        app.post_json(
            "/api/v1/tokens",
            &json!({ "name": "ci", "scopes": ["read"], "expiresAt": "2099-01-01T00:00:00Z" }),
        )
        .await,
    )
    .await;
    check("post", "/api/v1/tokens", status.as_u16(), &body);
    let (status, body) = read(app.get("/api/v1/tokens").await).await;
    check("get", "/api/v1/tokens", status.as_u16(), &body);
    let token_id = body["data"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = read(app.get(&format!("/api/v1/tokens/{token_id}")).await).await;
    check("get", "/api/v1/tokens/{id}", status.as_u16(), &body);
    assert_eq!(status, 200);
    let (status, body) = read(app.get("/api/v1/tokens/nope").await).await;
    check("get", "/api/v1/tokens/{id}", status.as_u16(), &body);
    assert_eq!(status, 404);
    let (status, body) = read(app.get("/api/v1/credits").await).await;
    check("get", "/api/v1/credits", status.as_u16(), &body);
    // Two rows on each list, so that a page of one has a next.
    let second = app.create_tag("second").await;
    app.active_scorecard().await;
    for path in [
        "/api/v1/tags",
        "/api/v1/tokens",
        "/api/v1/scorecards",
        "/api/v1/credits",
    ] {
        let (status, body) = read(app.get(&format!("{path}?limit=1")).await).await;
        assert!(body["nextCursor"].is_string(), "{path}: {body}");
        check("get", path, status.as_u16(), &body);
        let next = format!(
            "{path}?limit=1&cursor={}",
            body["nextCursor"].as_str().unwrap()
        );
        let (status, body) = read(app.get(&next).await).await;
        check("get", path, status.as_u16(), &body);
        let (status, body) = read(app.get(&format!("{path}?limit=0")).await).await;
        check("get", path, status.as_u16(), &body);
        assert_eq!(status, 400);
    }
    let patch = |id: &str, name: &str| {
        app.client
            .patch(app.url(&format!("/api/v1/tags/{id}")))
            .bearer_auth(&app.token)
            .json(&json!({ "name": name }))
            .send()
    };
    let (status, body) = read(patch(&second, "Second").await.unwrap()).await;
    check("patch", "/api/v1/tags/{id}", status.as_u16(), &body);
    assert_eq!(status, 200);
    let (status, body) = read(patch(&second, "VIP").await.unwrap()).await;
    check("patch", "/api/v1/tags/{id}", status.as_u16(), &body);
    assert_eq!(status, 409);
    let (status, body) = read(patch("nope", "x").await.unwrap()).await;
    check("patch", "/api/v1/tags/{id}", status.as_u16(), &body);
    assert_eq!(status, 404);
    let delete = || {
        app.client
            .delete(app.url(&format!("/api/v1/tags/{second}")))
            .bearer_auth(&app.token)
            .send()
    };
    let resp = delete().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert!(
        doc["paths"]["/api/v1/tags/{id}"]["delete"]["responses"]["204"].is_object(),
        "204 documented"
    );
    let (status, body) = read(delete().await.unwrap()).await;
    check("delete", "/api/v1/tags/{id}", status.as_u16(), &body);
    assert_eq!(status, 404);
    let (status, body) = read(
        app.post_json(
            "/api/v1/ai/queue",
            &json!({ "interactionId": id, "scorecardId": scorecard }),
        )
        .await,
    )
    .await;
    check("post", "/api/v1/ai/queue", status.as_u16(), &body);
    let (status, body) = read(
        app.client
            .get(app.url("/api/v1/credits"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    check("get", "/api/v1/credits", status.as_u16(), &body);
    assert_eq!(status, 401);
    let (status, body) = read(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    check("get", "/healthz", status.as_u16(), &body);
}

/// The JSON schema of `method path`'s `status` answer.
fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> Option<&'a Value> {
    let content = &doc["paths"][path][method]["responses"][status.to_string()]["content"];
    content.get("application/json").map(|c| &c["schema"])
}

/// A strict reading of the JSON Schema subset utoipa writes.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return validate(doc, &doc["components"]["schemas"][name], value, at, errors);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options.iter().any(|o| {
                let mut e = Vec::new();
                validate(doc, o, value, at, &mut e);
                e.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: fits no option of {key}"));
            }
            return;
        }
    }
    if let Some(types) = types_of(schema) {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types
            .iter()
            .any(|t| *t == actual || (*t == "number" && actual == "integer"));
        if !ok {
            errors.push(format!("{at}: {actual}, documented {types:?}"));
            return;
        }
    }
    if let (Some(allowed), false) = (schema["enum"].as_array(), value.is_null()) {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    match value {
        Value::Object(map) => {
            let props = schema["properties"].as_object();
            for key in schema["required"].as_array().into_iter().flatten() {
                if !map.contains_key(key.as_str().unwrap()) {
                    errors.push(format!("{at}: required `{key}` missing"));
                }
            }
            for (key, v) in map {
                let path = format!("{at}.{key}");
                match (
                    props.and_then(|p| p.get(key)),
                    &schema["additionalProperties"],
                ) {
                    (Some(s), _) => validate(doc, s, v, &path, errors),
                    (None, extra) if extra.is_object() => validate(doc, extra, v, &path, errors),
                    (None, _) if props.is_none() => {}
                    (None, _) => errors.push(format!("{path}: not documented")),
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for (i, item) in items.iter().enumerate() {
                validate(doc, &schema["items"], item, &format!("{at}[{i}]"), errors);
            }
        }
        _ => {}
    }
}

fn types_of(schema: &Value) -> Option<Vec<&str>> {
    match &schema["type"] {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}
