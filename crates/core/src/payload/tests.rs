use super::*;
use serde_json::json;
use time::macros::datetime;

fn minimal() -> Value {
    json!({
        "sourceIdentifier": "call-12345",
        "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z"
    })
}

/// `minimal()` with `key` set to `value` (`Value::Null` included).
fn with(key: &str, value: Value) -> Value {
    let mut payload = minimal();
    payload[key] = value;
    payload
}

fn without(key: &str) -> Value {
    let mut payload = minimal();
    payload.as_object_mut().unwrap().remove(key);
    payload
}

fn err(value: Value) -> ApiError {
    let e = parse_upload(&value).unwrap_err();
    assert_eq!(e.status, 400, "{e:?}");
    assert!(!e.message.is_empty());
    e
}

#[test]
fn minimal_payload() {
    let p = parse_upload(&minimal()).unwrap();
    assert_eq!(p.source_identifier, "call-12345");
    assert_eq!(p.direction, Direction::Inbound);
    assert_eq!(p.occurred_at, datetime!(2026-06-23 14:30:00 UTC));
    assert_eq!(p.interaction_type, None);
    assert_eq!(p.duration_ms, None);
    assert_eq!(p.download_url, None);
    assert_eq!((p.agent, p.customer), (None, None));
    assert!(p.tags.is_empty() && p.custom_metadata.is_empty());
    assert_eq!((p.transcript, p.email, p.evaluation), (None, None, None));
}

#[test]
fn full_reference_payload() {
    let value = json!({
        "sourceIdentifier": "call-12345",
        "direction": "OUTBOUND",
        "timestamp": "2026-06-23T16:30:00+02:00",
        "interactionType": "AUDIO",
        "duration": 125000,
        "downloadUrl": "https://storage.example.com/calls/67890.mp4",
        "agent": { "name": "Jane", "email": "jane@example.com", "phone": "+1555", "sourceIdentifier": "agent-7" },
        "customer": { "name": "Bob", "email": "bob@example.com", "phone": "+1556", "sourceIdentifier": "cust-9" },
        "tags": ["VIP", "tag-id-or-name"],
        "customMetadata": { "disposition": "sale", "recordingConsent": true, "dealValue": 50000, "score": 9.5 },
        "transcript": { "text": "Agent: Hello\nCustomer: I need help", "language": "EN", "agentChannel": 0 },
        "email": null,
        "evaluation": { "scorecardId": "ACTIVE-scorecard-id" },
        "someFutureField": {"x": 1}
    });
    let p = parse_upload(&value).unwrap();
    assert_eq!(p.direction, Direction::Outbound);
    assert_eq!(p.occurred_at, datetime!(2026-06-23 14:30:00 UTC));
    assert_eq!(p.interaction_type, Some(InteractionType::Audio));
    assert_eq!(p.duration_ms, Some(125_000));
    assert_eq!(
        p.download_url.as_deref(),
        Some("https://storage.example.com/calls/67890.mp4")
    );
    assert_eq!(
        p.agent.unwrap().source_identifier.as_deref(),
        Some("agent-7")
    );
    assert_eq!(
        p.customer.unwrap().email.as_deref(),
        Some("bob@example.com")
    );
    assert_eq!(p.tags, vec!["VIP", "tag-id-or-name"]);
    let metadata: std::collections::HashMap<_, _> = p.custom_metadata.into_iter().collect();
    assert_eq!(
        metadata["disposition"],
        MetadataValue::String("sale".into())
    );
    assert_eq!(metadata["recordingConsent"], MetadataValue::Boolean(true));
    assert_eq!(metadata["dealValue"], MetadataValue::Int(50_000));
    assert_eq!(metadata["score"], MetadataValue::Float(9.5));
    let transcript = p.transcript.unwrap();
    assert_eq!(transcript.language(), Some("en"));
    assert_eq!(
        transcript.provided().map(|t| t.text.as_str()),
        Some("Agent: Hello\nCustomer: I need help")
    );
    assert_eq!(p.email, None);
    assert_eq!(p.evaluation.as_deref(), Some("ACTIVE-scorecard-id"));
}

#[test]
fn body_must_be_an_object() {
    for value in [json!([]), json!("x"), json!(null), json!(1), json!(true)] {
        let e = err(value.clone());
        assert_eq!(e.code, "invalid_json", "{value}");
        assert!(e.message.contains("JSON object"), "{}", e.message);
    }
}

#[test]
fn base64_media_is_rejected_before_anything_else() {
    for key in BASE64_MEDIA_FIELDS {
        let e = err(json!({ key: "UklGRiQAAABXQVZF" }));
        assert_eq!(e.code, "base64_media_not_supported");
        assert_eq!(e.field.as_deref(), Some(key));
        assert!(e.message.contains("multipart/form-data"), "{}", e.message);
        assert!(e.message.contains("downloadUrl"), "{}", e.message);
    }
    // Non-string values under those names are unknown fields, ignored like any other.
    for value in [json!({"name": "a.wav"}), json!(null), json!(1)] {
        assert!(parse_upload(&with("file", value)).is_ok());
    }
}

#[test]
fn required_fields_missing_or_null() {
    for key in ["sourceIdentifier", "direction", "timestamp"] {
        for payload in [without(key), with(key, Value::Null)] {
            let e = err(payload);
            assert_eq!(e.code, "missing_field", "{key}");
            assert_eq!(e.field.as_deref(), Some(key));
            assert_eq!(e.message, format!("`{key}` is required"));
        }
    }
}

#[test]
fn invalid_top_level_fields() {
    let long_id = "x".repeat(MAX_SOURCE_IDENTIFIER_CHARS + 1);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with("sourceIdentifier", json!(12345)),
            "sourceIdentifier",
            "must be a string, got 12345",
        ),
        (
            with("sourceIdentifier", json!("")),
            "sourceIdentifier",
            "must not be empty",
        ),
        (
            with("sourceIdentifier", json!("  \t")),
            "sourceIdentifier",
            "must not be empty",
        ),
        (
            with("sourceIdentifier", json!(long_id)),
            "sourceIdentifier",
            "at most 255",
        ),
        (
            with("direction", json!("inbound")),
            "direction",
            "`direction` must be \"INBOUND\" or \"OUTBOUND\", got \"inbound\"",
        ),
        (with("direction", json!("IN")), "direction", "got \"IN\""),
        (with("direction", json!(1)), "direction", "got 1"),
        (
            with("timestamp", json!(1750000000)),
            "timestamp",
            "ISO 8601",
        ),
        (
            with("timestamp", json!("yesterday")),
            "timestamp",
            "got \"yesterday\"",
        ),
        (
            with("interactionType", json!("audio")),
            "interactionType",
            "one of \"AUDIO\"",
        ),
        (
            with("interactionType", json!("CALL")),
            "interactionType",
            "got \"CALL\"",
        ),
        (
            with("duration", json!(-1)),
            "duration",
            "non-negative integer",
        ),
        (with("duration", json!(1.5)), "duration", "got 1.5"),
        (
            with("duration", json!("125000")),
            "duration",
            "got \"125000\"",
        ),
        (
            with("downloadUrl", json!(5)),
            "downloadUrl",
            "must be a string",
        ),
        (
            with("downloadUrl", json!("ftp://x.example/a")),
            "downloadUrl",
            "http or https",
        ),
        (
            with("downloadUrl", json!("https://u:p@x.example/a")),
            "downloadUrl",
            "credentials",
        ),
        (with("agent", json!("Jane")), "agent", "must be an object"),
        (
            with("customer", json!({"email": "bob"})),
            "customer.email",
            "e-mail address",
        ),
        (with("tags", json!("VIP")), "tags", "must be an array"),
        (
            with("tags", json!(["VIP", ""])),
            "tags[1]",
            "must not be empty",
        ),
        (
            with("tags", json!(["VIP", 7])),
            "tags[1]",
            "must be a string",
        ),
        (
            with("customMetadata", json!([])),
            "customMetadata",
            "must be an object",
        ),
        (
            with("customMetadata", json!({"a": {"b": 1}})),
            "customMetadata.a",
            "flat",
        ),
        (
            with("transcript", json!("hi")),
            "transcript",
            "must be an object",
        ),
        (with("email", json!([])), "email", "must be an object"),
        (
            with("evaluation", json!("sc_1")),
            "evaluation",
            "must be an object",
        ),
        (
            with("evaluation", json!({})),
            "evaluation.scorecardId",
            "is required",
        ),
        (
            with("evaluation", json!({"scorecardId": ""})),
            "evaluation.scorecardId",
            "must not be empty",
        ),
        (
            with("evaluation", json!({"scorecardId": 5})),
            "evaluation.scorecardId",
            "must be a string",
        ),
        (
            with(
                "evaluation",
                json!({"scorecardId": "sc_1", "evaluatorId": "u1"}),
            ),
            "evaluation.evaluatorId",
            "only accepts `scorecardId`",
        ),
    ];
    for (payload, field, needle) in cases {
        let e = err(payload.clone());
        assert_eq!(e.field.as_deref(), Some(field), "{payload}");
        assert!(e.message.contains(needle), "{field}: {}", e.message);
        assert!(e.message.contains(&format!("`{field}`")) || e.message.contains(field));
    }
}

#[test]
fn source_identifier_is_kept_as_given() {
    let p = parse_upload(&with("sourceIdentifier", json!(" id 1 "))).unwrap();
    assert_eq!(p.source_identifier, " id 1 ");
    let at_limit = "é".repeat(MAX_SOURCE_IDENTIFIER_CHARS);
    assert!(parse_upload(&with("sourceIdentifier", json!(at_limit))).is_ok());
}

#[test]
fn every_interaction_type_spelling() {
    for t in InteractionType::ALL {
        let p = parse_upload(&with("interactionType", json!(t.as_str()))).unwrap();
        assert_eq!(p.interaction_type, Some(*t));
    }
    let p = parse_upload(&with("interactionType", Value::Null)).unwrap();
    assert_eq!(p.interaction_type, None);
}

#[test]
fn duration_accepts_whole_numbers() {
    for (raw, expected) in [
        (json!(0), 0),
        (json!(125000), 125_000),
        (json!(125000.0), 125_000),
    ] {
        let p = parse_upload(&with("duration", raw)).unwrap();
        assert_eq!(p.duration_ms, Some(expected));
    }
}

#[test]
fn tags_are_deduplicated_and_limited() {
    let p = parse_upload(&with("tags", json!(["VIP", "vip", "VIP", "x"]))).unwrap();
    assert_eq!(p.tags, vec!["VIP", "vip", "x"]);
    let at_limit: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
    assert_eq!(
        parse_upload(&with("tags", json!(at_limit)))
            .unwrap()
            .tags
            .len(),
        MAX_TAGS
    );
    let over: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
    assert_eq!(
        err(with("tags", json!(over))).field.as_deref(),
        Some("tags")
    );
}

#[test]
fn empty_participants_are_absent() {
    let p = parse_upload(&with("agent", json!({}))).unwrap();
    assert_eq!(p.agent, None);
}

#[test]
fn metadata_types_through_the_payload() {
    let body = r#"{"sourceIdentifier":"s","direction":"INBOUND","timestamp":"2026-06-23T14:30:00Z",
        "customMetadata":{"max":9223372036854775807,"over":9223372036854775808,"negZero":-0,
        "one":1.0,"hundred":1e2,"big":1180591620717411303424,"flag":false,"s":"x"}}"#;
    let value: Value = serde_json::from_str(body).unwrap();
    let p = parse_upload(&value).unwrap();
    let m: std::collections::HashMap<_, _> = p.custom_metadata.into_iter().collect();
    assert_eq!(m["max"], MetadataValue::Int(i64::MAX));
    assert_eq!(m["over"], MetadataValue::Float(9_223_372_036_854_775_808.0));
    assert_eq!(m["negZero"], MetadataValue::Float(-0.0));
    assert_eq!(m["one"], MetadataValue::Float(1.0));
    assert_eq!(m["hundred"], MetadataValue::Float(100.0));
    assert_eq!(
        m["big"],
        MetadataValue::Float(1_180_591_620_717_411_303_424.0)
    );
    assert_eq!(m["flag"], MetadataValue::Boolean(false));
    assert_eq!(m["s"], MetadataValue::String("x".into()));
}

#[test]
fn email_and_transcript_paths_are_prefixed() {
    let e = err(with(
        "email",
        json!({"from": "a@example.com", "to": ["ok@example.com", "nope"]}),
    ));
    assert_eq!(e.field.as_deref(), Some("email.to[1]"));
    let e = err(with(
        "transcript",
        json!({"segments": [{"start": 0, "end": 1, "text": "a"}, {"start": 0, "end": 1, "text": "b"}, {"start": 2, "end": 1, "text": "c"}]}),
    ));
    assert_eq!(e.field.as_deref(), Some("transcript.segments[2].end"));
}

#[test]
fn first_problem_in_field_order_is_reported() {
    let mut payload = minimal();
    payload["direction"] = json!("sideways");
    payload["duration"] = json!(-5);
    payload["tags"] = json!("x");
    assert_eq!(err(payload).field.as_deref(), Some("direction"));
}

/// Every key the parsers read survives `read_upload_json` (`shape.rs` is in step with them).
#[test]
fn the_upload_shape_keeps_every_field_the_parsers_read() {
    let full = json!({
        "sourceIdentifier": "s-1", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "interactionType": "CALL", "duration": 1000, "downloadUrl": "https://example.com/a.mp3",
        "agent": { "name": "A", "email": "a@example.com", "phone": "1", "sourceIdentifier": "a1" },
        "customer": { "name": "C", "email": "c@example.com", "phone": "2", "sourceIdentifier": "c1" },
        "tags": ["x", "y"], "customMetadata": { "k": "v", "n": 1.5, "b": true },
        "transcript": { "text": "hi", "language": "en", "agentChannel": 0, "segments": [
            { "channel": 0, "speaker": "Agent", "text": "hi", "start": 0.0, "end": 1.0,
              "words": [{ "word": "hi", "start": 0.0, "end": 1.0 }] } ] },
        "email": { "from": "a@example.com", "to": ["b@example.com"], "cc": ["c@example.com"],
            "bcc": ["d@example.com"], "subject": "s", "body": "b", "threadId": "t",
            "sourceId": "m", "timeToReply": 5, "isReply": false },
        "evaluation": { "scorecardId": "sc" },
        "file": 1, "media": 2, "audio": 3
    });
    let read = read_upload_json(full.to_string().as_bytes(), "the body").unwrap();
    assert_eq!(read, full);
    let with_unknown = json!({ "sourceIdentifier": "s", "extra": [1, 2, 3], "agent": { "x": 1 } });
    let read = read_upload_json(with_unknown.to_string().as_bytes(), "the body").unwrap();
    assert_eq!(read, json!({ "sourceIdentifier": "s", "agent": {} }));
}
