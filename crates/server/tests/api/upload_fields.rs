//! Field rules of the upload: required fields, formats, typed metadata, transcripts, e-mails,
//! participants and tags — and that every rejection names its field and writes nothing.

use crate::harness::*;
use serde_json::{json, Value};

crate::backend_tests!(
    required_fields_and_formats,
    timestamp_without_offset_is_utc,
    typed_custom_metadata,
    derived_transcript_text,
    email_object_is_stored_and_validated,
    participants_match_and_email_drop_warning,
    tags_match_by_id_or_name_and_unknown_warn,
    base64_media_and_bad_urls_rejected,
);

fn with(mut body: Value, key: &str, value: Value) -> Value {
    if value.is_null() {
        body.as_object_mut().unwrap().remove(key);
    } else {
        body[key] = value;
    }
    body
}

async fn required_fields_and_formats(app: &TestApp) {
    let base = chat("req-1");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(base.clone(), "sourceIdentifier", Value::Null),
            "missing_field",
            "sourceIdentifier",
        ),
        (
            with(base.clone(), "sourceIdentifier", json!("")),
            "invalid_field",
            "sourceIdentifier",
        ),
        (
            with(base.clone(), "sourceIdentifier", json!("x".repeat(256))),
            "invalid_field",
            "sourceIdentifier",
        ),
        (
            with(base.clone(), "sourceIdentifier", json!(42)),
            "invalid_field",
            "sourceIdentifier",
        ),
        (
            with(base.clone(), "direction", Value::Null),
            "missing_field",
            "direction",
        ),
        (
            with(base.clone(), "direction", json!("inbound")),
            "invalid_field",
            "direction",
        ),
        (
            with(base.clone(), "direction", json!("SIDEWAYS")),
            "invalid_field",
            "direction",
        ),
        (
            with(base.clone(), "timestamp", Value::Null),
            "missing_field",
            "timestamp",
        ),
        (
            with(base.clone(), "timestamp", json!("yesterday")),
            "invalid_field",
            "timestamp",
        ),
        (
            with(base.clone(), "timestamp", json!("2026-13-45T99:00:00Z")),
            "invalid_field",
            "timestamp",
        ),
        (
            with(base.clone(), "duration", json!(-5)),
            "invalid_field",
            "duration",
        ),
        (
            with(base.clone(), "tags", json!("VIP")),
            "invalid_field",
            "tags",
        ),
        (
            with(base.clone(), "evaluation", json!({ "scorecardId": 5 })),
            "invalid_field",
            "evaluation.scorecardId",
        ),
    ];
    for (body, code, field) in cases {
        let (status, resp) = app.upload(&body).await;
        assert_error(status, &resp, 400, code, Some(field));
    }
    // Invalid JSON and a non-object body.
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 400, "invalid_json", None);
    let (status, body) = app.upload(&json!([1, 2, 3])).await;
    assert_eq!(status, 400, "{body}");
    // The 255-character boundary is accepted.
    let (status, body) = app
        .upload(&with(base, "sourceIdentifier", json!("y".repeat(255))))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.interaction_count().await, 1);
    assert_eq!(app.balance().await, 1000);
}

async fn timestamp_without_offset_is_utc(app: &TestApp) {
    let cases = [
        ("ts-utc", "2026-06-23T14:30:00Z", "2026-06-23T14:30:00Z"),
        ("ts-naive", "2026-06-23T14:30:00", "2026-06-23T14:30:00Z"),
        (
            "ts-offset",
            "2026-06-23T16:30:00+02:00",
            "2026-06-23T14:30:00Z",
        ),
        (
            "ts-frac",
            "2026-06-23T14:30:00.250Z",
            "2026-06-23T14:30:00.25Z",
        ),
    ];
    for (source, given, want) in cases {
        let body = with(chat(source), "timestamp", json!(given));
        let (status, resp) = app.upload(&body).await;
        assert_eq!(status, 200, "{given}: {resp}");
        let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
        assert_eq!(stored["timestamp"], json!(want), "{given}");
    }
}

async fn typed_custom_metadata(app: &TestApp) {
    let body = with(
        chat("meta-1"),
        "customMetadata",
        json!({ "disposition": "sale", "recordingConsent": true, "dealValue": 50000, "score": 4.5, "ratio": 1.0, "big": 9223372036854775807i64 }),
    );
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(stored["customMetadata"]["disposition"], json!("sale"));
    assert_eq!(stored["customMetadata"]["dealValue"], json!(50000));
    assert_eq!(
        stored["customMetadata"]["big"],
        json!(9223372036854775807i64)
    );
    let types = &stored["customMetadataTypes"];
    assert_eq!(types["disposition"], json!("STRING"));
    assert_eq!(types["recordingConsent"], json!("BOOLEAN"));
    assert_eq!(types["dealValue"], json!("INT"));
    assert_eq!(types["big"], json!("INT"));
    assert_eq!(types["score"], json!("FLOAT"));
    assert_eq!(types["ratio"], json!("FLOAT"));

    let too_many: serde_json::Map<String, Value> =
        (0..101).map(|i| (format!("k{i}"), json!(i))).collect();
    let bad = vec![
        (json!({ "nested": { "a": 1 } }), "customMetadata.nested"),
        (json!({ "list": [1, 2] }), "customMetadata.list"),
        (json!({ "nothing": null }), "customMetadata.nothing"),
        (json!({ "": "empty key" }), "customMetadata"),
        (json!({ "k".repeat(65): 1 }), "customMetadata"),
        (json!("flat please"), "customMetadata"),
        (Value::Object(too_many), "customMetadata"),
    ];
    for (i, (meta, field)) in bad.into_iter().enumerate() {
        let (status, resp) = app
            .upload(&with(
                chat(&format!("meta-bad-{i}")),
                "customMetadata",
                meta,
            ))
            .await;
        assert_eq!(status, 400, "{resp}");
        assert!(
            resp["error"]["field"]
                .as_str()
                .unwrap_or("")
                .starts_with(field),
            "{field}: {resp}"
        );
    }
    assert_eq!(app.interaction_count().await, 1);
}

async fn derived_transcript_text(app: &TestApp) {
    let body = json!({
        "sourceIdentifier": "tx-1", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": { "agentChannel": 1, "language": "en", "segments": [
            { "start": 0.0, "end": 1.0, "text": "Hello, thanks for calling", "channel": 1 },
            { "start": 1.2, "end": 2.0, "text": "Hi, I need help", "channel": 0,
              "words": [{ "word": "Hi,", "start": 1.2, "end": 1.4 }, { "word": "I", "start": 1.4, "end": 1.5 },
                        { "word": "need", "start": 1.5, "end": 1.7 }, { "word": "help", "start": 1.7, "end": 2.0 }] }
        ]}
    });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["interactionType"], json!("AUDIO"));
    assert_eq!(resp["processing"]["transcription"], json!(false));
    let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
    let t = &stored["transcript"];
    assert_eq!(t["status"], json!("COMPLETED"));
    assert_eq!(t["source"], json!("PROVIDED"));
    assert_eq!(
        t["text"],
        json!("Agent: Hello, thanks for calling\nCustomer: Hi, I need help")
    );
    assert_eq!(t["segments"].as_array().unwrap().len(), 2);
    assert_eq!(t["segments"][1]["words"][0]["word"], json!("Hi,"));
    assert_eq!(
        stored["jobs"],
        json!([]),
        "a provided transcript queues no transcription"
    );

    let speakers = json!({
        "sourceIdentifier": "tx-2", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": { "segments": [
            { "start": 0.0, "end": 1.0, "text": "One", "speaker": 1 },
            { "start": 1.0, "end": 2.0, "text": "Two", "speaker": 2 }
        ]}
    });
    let (_, resp) = app.upload(&speakers).await;
    let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(
        stored["transcript"]["text"],
        json!("Speaker 1: One\nSpeaker 2: Two")
    );

    for (i, seg) in [
        json!({ "start": 2.0, "end": 1.0, "text": "backwards" }),
        json!({ "start": -1.0, "end": 1.0, "text": "negative" }),
        json!({ "start": "0", "end": 1.0, "text": "string" }),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({ "sourceIdentifier": format!("tx-bad-{i}"), "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "transcript": { "segments": [seg] } });
        let (status, resp) = app.upload(&body).await;
        assert_eq!(status, 400, "{resp}");
        assert!(
            resp["error"]["field"]
                .as_str()
                .unwrap()
                .starts_with("transcript.segments[0]"),
            "{resp}"
        );
    }
}

async fn email_object_is_stored_and_validated(app: &TestApp) {
    let email = json!({ "from": "bob@example.com", "to": ["support@example.com"], "cc": [], "bcc": [],
        "subject": "Re: order", "body": "Where is my order?", "threadId": "thread-1", "sourceId": "msg-1",
        "timeToReply": 3600, "isReply": true });
    let body = json!({ "sourceIdentifier": "mail-1", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "email": email });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["interactionType"], json!("EMAIL"));
    let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(stored["email"]["subject"], json!("Re: order"));
    assert_eq!(stored["email"]["to"], json!(["support@example.com"]));
    assert_eq!(stored["email"]["timeToReply"], json!(3600));
    for (i, (bad, field)) in [
        (json!({ "to": ["a@example.com"] }), "email.from"),
        (
            json!({ "from": "not-an-address", "to": ["a@example.com"] }),
            "email.from",
        ),
        (json!({ "from": "a@example.com", "to": [] }), "email.to"),
        (
            json!({ "from": "a@example.com", "to": ["nope"] }),
            "email.to[0]",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({ "sourceIdentifier": format!("mail-bad-{i}"), "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "email": bad });
        let (status, resp) = app.upload(&body).await;
        assert_error(
            status,
            &resp,
            400,
            resp["error"]["code"].as_str().unwrap_or("?"),
            Some(field),
        );
    }
}

async fn participants_match_and_email_drop_warning(app: &TestApp) {
    let first = with(
        chat("p-1"),
        "agent",
        json!({ "name": "Jane", "email": "jane@example.com", "sourceIdentifier": "agent-7" }),
    );
    let (_, r1) = app.upload(&first).await;
    let (_, s1) = read(app.get(r1["statusUrl"].as_str().unwrap()).await).await;
    let jane = s1["agent"]["id"].as_str().unwrap().to_string();
    assert_eq!(s1["agent"]["email"], json!("jane@example.com"));

    // Same sourceIdentifier → same participant.
    let (_, r2) = app
        .upload(&with(
            chat("p-2"),
            "agent",
            json!({ "sourceIdentifier": "agent-7" }),
        ))
        .await;
    let (_, s2) = read(app.get(r2["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(s2["agent"]["id"], json!(jane));
    // Same e-mail (any case) → same participant.
    let (_, r3) = app
        .upload(&with(
            chat("p-3"),
            "customer",
            json!({ "email": "JANE@example.com" }),
        ))
        .await;
    let (_, s3) = read(app.get(r3["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(s3["customer"]["id"], json!(jane));

    // A different participant claiming Jane's e-mail: the e-mail is dropped, the upload succeeds.
    let body = with(
        chat("p-4"),
        "agent",
        json!({ "name": "Other", "email": "jane@example.com", "sourceIdentifier": "agent-8" }),
    );
    let (status, r4) = app.upload(&body).await;
    assert_eq!(status, 200, "{r4}");
    let warnings = r4["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("jane@example.com")),
        "{r4}"
    );
    let (_, s4) = read(app.get(r4["statusUrl"].as_str().unwrap()).await).await;
    assert_ne!(s4["agent"]["id"], json!(jane));
    assert_eq!(s4["agent"]["email"], Value::Null);
    assert_eq!(s4["agent"]["sourceIdentifier"], json!("agent-8"));

    let (status, resp) = app
        .upload(&with(
            chat("p-bad"),
            "agent",
            json!({ "email": "no-at-sign" }),
        ))
        .await;
    assert_error(status, &resp, 400, "invalid_field", Some("agent.email"));
}

async fn tags_match_by_id_or_name_and_unknown_warn(app: &TestApp) {
    let vip = app.create_tag("VIP").await;
    let _billing = app.create_tag("Billing").await;
    let body = with(
        chat("tags-1"),
        "tags",
        json!([vip, "billing", "does-not-exist", "vip"]),
    );
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    let warnings: Vec<String> = resp["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("does-not-exist"), "{warnings:?}");
    let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
    let mut names: Vec<&str> = stored["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["Billing", "VIP"]);
    // Tags are never created by uploads.
    let (_, tags) = read(app.get("/api/v1/tags").await).await;
    assert_eq!(tags["data"].as_array().unwrap().len(), 2);
}

async fn base64_media_and_bad_urls_rejected(app: &TestApp) {
    for field in ["file", "media", "audio"] {
        let body = with(
            chat(&format!("b64-{field}")),
            field,
            json!("UklGRiQAAABXQVZF"),
        );
        let (status, resp) = app.upload(&body).await;
        assert_error(status, &resp, 400, "base64_media_not_supported", None);
        let msg = resp["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("multipart") && msg.contains("downloadUrl"),
            "{msg}"
        );
    }
    for (i, url) in [
        "ftp://example.com/a.mp3",
        "file:///etc/passwd",
        "https://user:pw@example.com/a.mp3",
        "not a url",
        "https://",
    ]
    .iter()
    .enumerate()
    {
        let body = json!({ "sourceIdentifier": format!("url-{i}"), "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "downloadUrl": url });
        let (status, resp) = app.upload(&body).await;
        assert_error(status, &resp, 400, "invalid_field", Some("downloadUrl"));
    }
    assert_eq!(app.interaction_count().await, 0);
}
