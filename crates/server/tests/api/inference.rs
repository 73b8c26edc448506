//! Interaction-type inference through the real endpoint: the reference's order, the 320-character
//! SMS boundary, line breaks, and explicit types missing their content.

use crate::harness::*;
use serde_json::json;

crate::backend_tests!(
    infers_types_in_reference_order,
    explicit_type_needs_content,
    undeterminable_type_is_400
);

async fn infers_types_in_reference_order(app: &TestApp) {
    let sms = "a".repeat(320);
    let chat_long = "a".repeat(321);
    let multibyte = "é".repeat(320); // 640 bytes, 320 characters → still SMS
    let cases = vec![
        (
            "email",
            json!({ "email": { "from": "a@example.com", "to": ["b@example.com"], "body": "hi" } }),
            "EMAIL",
        ),
        (
            "email-wins",
            json!({ "email": { "from": "a@example.com", "to": ["b@example.com"] }, "transcript": { "text": "hi" } }),
            "EMAIL",
        ),
        (
            "segments",
            json!({ "transcript": { "segments": [{ "start": 0.0, "end": 1.0, "text": "hello" }] } }),
            "AUDIO",
        ),
        ("sms-320", json!({ "transcript": { "text": sms } }), "SMS"),
        (
            "chat-321",
            json!({ "transcript": { "text": chat_long } }),
            "CHAT",
        ),
        (
            "sms-multibyte",
            json!({ "transcript": { "text": multibyte } }),
            "SMS",
        ),
        (
            "chat-newline",
            json!({ "transcript": { "text": "hi\nthere" } }),
            "CHAT",
        ),
        (
            "chat-crlf",
            json!({ "transcript": { "text": "hi\r\nthere" } }),
            "CHAT",
        ),
        (
            "download",
            json!({ "downloadUrl": app.media_url("tone.mp3") }),
            "AUDIO",
        ),
        (
            "download-video",
            json!({ "downloadUrl": app.media_url("clip_vp8.webm") }),
            "VIDEO",
        ),
    ];
    for (i, (name, extra, want)) in cases.into_iter().enumerate() {
        let mut body = json!({ "sourceIdentifier": format!("inf-{i}-{name}"), "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z" });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, resp) = app.upload(&body).await;
        assert_eq!(status, 200, "{name}: {resp}");
        assert_eq!(resp["interactionType"], json!(want), "{name}: {resp}");
        let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
        assert_eq!(stored["interactionType"], json!(want), "{name}");
    }
}

async fn explicit_type_needs_content(app: &TestApp) {
    let cases = [
        ("CHAT", json!({})),
        ("SMS", json!({})),
        ("AUDIO", json!({})),
        ("VIDEO", json!({})),
        ("EMAIL", json!({ "transcript": { "text": "hello" } })),
    ];
    for (i, (ty, extra)) in cases.iter().enumerate() {
        let mut body = json!({ "sourceIdentifier": format!("explicit-{i}"), "direction": "OUTBOUND", "timestamp": "2026-06-23T14:30:00Z", "interactionType": ty });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, resp) = app.upload(&body).await;
        assert_eq!(status, 400, "{ty}: {resp}");
        assert_eq!(
            resp["error"]["code"],
            json!("missing_content"),
            "{ty}: {resp}"
        );
    }
    // With content, explicit types are honoured.
    let mut ok = chat("explicit-ok");
    ok["interactionType"] = json!("CHAT");
    ok["transcript"]["text"] = json!("short");
    let (status, resp) = app.upload(&ok).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["interactionType"], json!("CHAT"));
    let mut audio = json!({ "sourceIdentifier": "explicit-audio", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "interactionType": "AUDIO", "transcript": { "text": "hi there" } });
    let (status, resp) = app.upload(&audio).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["interactionType"], json!("AUDIO"));
    assert_eq!(resp["processing"]["transcription"], json!(false));
    audio["interactionType"] = json!("FAX");
    audio["sourceIdentifier"] = json!("explicit-fax");
    let (status, resp) = app.upload(&audio).await;
    assert_error(status, &resp, 400, "invalid_field", Some("interactionType"));
    assert_eq!(app.interaction_count().await, 2);
}

async fn undeterminable_type_is_400(app: &TestApp) {
    let body = json!({ "sourceIdentifier": "nothing", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z" });
    let (status, resp) = app.upload(&body).await;
    assert_error(status, &resp, 400, "undeterminable_type", None);
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("interactionType"),
        "{resp}"
    );
    assert_eq!(app.interaction_count().await, 0);
}
