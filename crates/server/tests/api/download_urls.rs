//! `downloadUrl` at upload time: the SSRF rules (every blocked range and numeric host form,
//! internal names), the existence check (a 404 source is a 400), sniffing, and the allow-list
//! that lets an operator reach a named internal host (how these tests reach their local server).

use crate::harness::*;
use serde_json::json;

crate::backend_tests!(
    blocked_urls_are_400_and_write_nothing,
    source_must_exist_and_be_media
);

fn upload_of(source: &str, url: &str) -> serde_json::Value {
    json!({ "sourceIdentifier": source, "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "downloadUrl": url })
}

async fn blocked_urls_are_400_and_write_nothing(app: &TestApp) {
    // The media server's own port is allow-listed only as 127.0.0.1:<port>; every other spelling
    // or port of a loopback/private address stays blocked. No request below leaves the machine:
    // blocked hosts are refused before any connection.
    let port = app.media_base.rsplit(':').next().unwrap();
    let blocked = [
        "http://localhost/a.mp3".to_string(),
        "http://foo.localhost/a.mp3".into(),
        "http://recordings.internal/a.mp3".into(),
        "http://127.0.0.1/a.mp3".into(),
        format!("http://127.0.0.2:{port}/media/tone.mp3"),
        "http://0.0.0.0/a.mp3".into(),
        "http://10.1.2.3/a.mp3".into(),
        "http://100.64.0.1/a.mp3".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://172.16.0.1/a.mp3".into(),
        "http://192.168.1.1/a.mp3".into(),
        "http://192.0.2.1/a.mp3".into(),
        "http://198.18.0.1/a.mp3".into(),
        "http://224.0.0.1/a.mp3".into(),
        "http://255.255.255.255/a.mp3".into(),
        "http://2130706433/a.mp3".into(),
        "http://0x7f000001/a.mp3".into(),
        "http://0177.0.0.1/a.mp3".into(),
        "http://127.1/a.mp3".into(),
        "http://[::1]/a.mp3".into(),
        "http://[::ffff:127.0.0.1]/a.mp3".into(),
        "http://[fe80::1]/a.mp3".into(),
        "http://[fc00::1]/a.mp3".into(),
    ];
    for (i, url) in blocked.iter().enumerate() {
        let (status, resp) = app.upload(&upload_of(&format!("ssrf-{i}"), url)).await;
        assert_eq!(status, 400, "{url}: {resp}");
        assert_eq!(
            resp["error"]["field"],
            json!("downloadUrl"),
            "{url}: {resp}"
        );
    }
    assert_eq!(app.interaction_count().await, 0);
    assert_eq!(app.balance().await, 1000);
}

async fn source_must_exist_and_be_media(app: &TestApp) {
    let (status, resp) = app
        .upload(&upload_of("missing", &app.media_url("nope.mp3")))
        .await;
    assert_error(status, &resp, 400, "invalid_field", Some("downloadUrl"));
    assert!(
        resp["error"]["message"].as_str().unwrap().contains("404"),
        "{resp}"
    );
    let (status, resp) = app
        .upload(&upload_of("text", &app.media_url("not_media.txt")))
        .await;
    assert_error(status, &resp, 400, "unsupported_media", Some("downloadUrl"));
    let (status, resp) = app
        .upload(&upload_of("ok", &app.media_url("clip_h264.mp4")))
        .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["interactionType"], json!("VIDEO"));
    let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
    assert_eq!(stored["media"]["status"], json!("PENDING"));
    assert_eq!(stored["jobs"][0]["kind"], json!("FetchMedia"));
    assert_eq!(app.interaction_count().await, 1);
}
