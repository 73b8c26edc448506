//! `GET /api/v1/interactions`: filters and cursor pagination.

use crate::harness::*;
use serde_json::{json, Value};
use std::collections::HashSet;

crate::backend_tests!(filters_and_pagination, list_rows_are_summaries);

async fn ids(app: &TestApp, query: &str) -> Vec<String> {
    let (status, body) = read(app.get(&format!("/api/v1/interactions?{query}")).await).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sourceIdentifier"].as_str().unwrap().to_string())
        .collect()
}

async fn filters_and_pagination(app: &TestApp) {
    app.create_tag("VIP").await;
    for i in 0..25 {
        let mut body: Value = chat(&format!("l-{i:02}"));
        body["timestamp"] = json!(format!("2026-06-{:02}T10:00:00Z", i + 1));
        body["direction"] = json!(if i % 2 == 0 { "INBOUND" } else { "OUTBOUND" });
        body["customMetadata"] = json!({ "dealValue": i * 100, "score": i as f64 + 0.5, "team": if i < 10 { "red" } else { "blue" }, "vip": i % 5 == 0 });
        if i % 5 == 0 {
            body["tags"] = json!(["vip"]);
        }
        if i < 3 {
            body["agent"] = json!({ "sourceIdentifier": "agent-7", "name": "Jane" });
        }
        if i == 24 {
            body["transcript"]["text"] = json!("short sms");
        }
        let (status, resp) = app.upload(&body).await;
        assert_eq!(status, 200, "{resp}");
    }
    // Newest event first, paged by cursor with no gaps or repeats.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("limit=10&cursor={c}"),
            None => "limit=10".into(),
        };
        let (_, body) = read(app.get(&format!("/api/v1/interactions?{q}")).await).await;
        for i in body["data"].as_array().unwrap() {
            seen.push(i["sourceIdentifier"].as_str().unwrap().to_string());
        }
        match body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).rev().map(|i| format!("l-{i:02}")).collect();
    assert_eq!(seen, expected);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);

    assert_eq!(ids(app, "direction=OUTBOUND&limit=100").await.len(), 12);
    assert_eq!(ids(app, "type=SMS").await, vec!["l-24"]);
    assert_eq!(
        ids(app, "from=2026-06-03T00:00:00Z&to=2026-06-05T10:00:00Z").await,
        vec!["l-03", "l-02"]
    );
    assert_eq!(
        ids(app, "agent=agent-7").await,
        vec!["l-02", "l-01", "l-00"]
    );
    assert_eq!(
        ids(app, "tag=VIP").await,
        vec!["l-20", "l-15", "l-10", "l-05", "l-00"]
    );
    assert_eq!(ids(app, "metadata.dealValue=300").await, vec!["l-03"]);
    assert_eq!(
        ids(app, "metadata.dealValue[gte]=2200").await,
        vec!["l-24", "l-23", "l-22"]
    );
    assert_eq!(ids(app, "metadata.score[lt]=1.5").await, vec!["l-00"]);
    assert_eq!(
        ids(app, "metadata.team=red&metadata.dealValue[gt]=700").await,
        vec!["l-09", "l-08"]
    );
    assert_eq!(
        ids(app, "metadata.vip=true&direction=INBOUND").await,
        vec!["l-20", "l-10", "l-00"]
    );
    // Bad filters are 400s that name the parameter.
    for bad in [
        "limit=0",
        "limit=500",
        "cursor=garbage",
        "type=FAX",
        "from=yesterday",
        "metadata.team[gt]=red",
        "colour=blue",
    ] {
        let (status, body) = read(app.get(&format!("/api/v1/interactions?{bad}")).await).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
}

/// A page carries previews; the detail endpoint carries the whole transcript and body.
async fn list_rows_are_summaries(app: &TestApp) {
    // Multi-byte characters: the preview is cut on characters, not bytes.
    let long = "é".repeat(150) + &"x".repeat(5_000);
    let mut call = chat("long-call");
    call["transcript"] = json!({ "text": long, "segments": [
        { "speaker": "agent", "start": 0.0, "end": 1.0, "text": "hello" }
    ] });
    let (status, created) = app.upload(&call).await;
    assert_eq!(status, 200, "{created}");
    let body = "b".repeat(1_000);
    let mail = json!({ "sourceIdentifier": "long-mail", "direction": "INBOUND",
        "timestamp": "2026-06-24T14:30:00Z",
        "email": { "from": "a@example.com", "to": ["b@example.com"], "subject": "S", "body": body } });
    let (status, resp) = app.upload(&mail).await;
    assert_eq!(status, 200, "{resp}");

    let (status, page) = read(app.get("/api/v1/interactions").await).await;
    assert_eq!(status, 200, "{page}");
    let row = |source: &str| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["sourceIdentifier"] == source)
            .cloned()
            .unwrap()
    };
    let call_row = row("long-call");
    let transcript = &call_row["transcript"];
    let expected: String = long.chars().take(200).collect();
    assert_eq!(transcript["preview"], json!(expected));
    assert!(transcript.get("text").is_none() && transcript.get("segments").is_none());
    assert_eq!(transcript["status"], "COMPLETED");
    let mail_row = row("long-mail");
    assert_eq!(mail_row["email"]["bodyPreview"], json!("b".repeat(200)));
    assert!(mail_row["email"].get("body").is_none());
    assert_eq!(mail_row["email"]["subject"], "S");

    let id = call_row["id"].as_str().unwrap();
    let (status, detail) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["transcript"]["text"], json!(long));
    assert_eq!(
        detail["transcript"]["segments"].as_array().unwrap().len(),
        1
    );
}
