//! Multipart uploads of real audio and video files: sniffing AUDIO vs VIDEO, duration and
//! channels from the headers, storage through the object store, the 32 MiB limit (413), and
//! that a rejected file leaves nothing behind.

use crate::harness::*;
use serde_json::{json, Value};
use std::path::PathBuf;

crate::backend_tests!(
    stores_and_probes_real_files,
    not_media_is_rejected_without_trace,
    rejected_for_credits_removes_media,
    multipart_shape_errors,
);

fn shared_fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/audio")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn testdata(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/media")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn payload(source: &str) -> Value {
    json!({ "sourceIdentifier": source, "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
            "agent": { "name": "Jane", "sourceIdentifier": "agent-7" } })
}

/// (file bytes, name, type, channels, approx duration ms, credits for transcription)
type FileCase = (Vec<u8>, &'static str, &'static str, Option<i64>, i64, i64);

async fn stores_and_probes_real_files(app: &TestApp) {
    let cases: Vec<FileCase> = vec![
        (
            shared_fixture("support_call_mono16k.wav"),
            "support.wav",
            "AUDIO",
            Some(1),
            29_000,
            1,
        ),
        (
            shared_fixture("delivery_call_stereo_8k_ulaw.wav"),
            "call.wav",
            "AUDIO",
            Some(2),
            68_300,
            2,
        ),
        (testdata("tone.mp3"), "tone.mp3", "AUDIO", Some(2), 2_038, 1),
        (testdata("tone_opus.ogg"), "tone.ogg", "AUDIO", None, 0, 1),
        (testdata("tone_aac.m4a"), "tone.m4a", "AUDIO", None, 0, 1),
        (testdata("clip_h264.mp4"), "clip.mp4", "VIDEO", None, 0, 1),
        (testdata("clip_vp8.webm"), "clip.webm", "VIDEO", None, 0, 1),
    ];
    let mut balance = app.balance().await;
    for (i, (bytes, name, want_type, channels, approx_ms, cost)) in cases.into_iter().enumerate() {
        let size = bytes.len() as i64;
        let (status, resp) = app
            .upload_file(bytes, name, &payload(&format!("file-{i}")))
            .await;
        assert_eq!(status, 200, "{name}: {resp}");
        assert_eq!(resp["interactionType"], json!(want_type), "{name}");
        assert_eq!(resp["processing"]["transcription"], json!(true), "{name}");
        let (_, stored) = read(app.get(resp["statusUrl"].as_str().unwrap()).await).await;
        let media = &stored["media"];
        assert_eq!(media["status"], json!("COMPLETED"), "{name}: {stored}");
        assert_eq!(media["sizeBytes"], json!(size), "{name}");
        assert!(
            media["contentType"].as_str().unwrap().contains('/'),
            "{name}"
        );
        if let Some(ch) = channels {
            assert_eq!(media["channels"], json!(ch), "{name}: {media}");
        }
        let duration = media["durationMs"]
            .as_i64()
            .unwrap_or_else(|| panic!("{name}: no duration in {media}"));
        if approx_ms > 0 {
            assert!(
                (duration - approx_ms).abs() <= approx_ms / 50,
                "{name}: {duration} vs {approx_ms}"
            );
        } else {
            assert!(duration > 0, "{name}");
        }
        assert_eq!(stored["transcript"]["status"], json!("PENDING"), "{name}");
        assert_eq!(stored["jobs"][0]["kind"], json!("Transcribe"), "{name}");
        balance -= cost;
        assert_eq!(app.balance().await, balance, "{name}");
    }
    assert_eq!(app.media_files().await, 7);
    // A file with its own transcript needs no transcription and is not charged.
    let mut with_transcript = payload("file-with-transcript");
    with_transcript["transcript"] = json!({ "text": "Agent: hi\nCustomer: hello" });
    let (status, resp) = app
        .upload_file(testdata("tone.mp3"), "tone.mp3", &with_transcript)
        .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["processing"]["transcription"], json!(false));
    assert_eq!(app.balance().await, balance);
}

async fn not_media_is_rejected_without_trace(app: &TestApp) {
    let junk = b"this is a text file, not audio at all. ".repeat(100);
    let (status, resp) = app.upload_file(junk, "notes.wav", &payload("junk")).await;
    assert_error(status, &resp, 400, "unsupported_media", Some("file"));
    let mut truncated = shared_fixture("support_call_mono16k.wav");
    truncated.truncate(20);
    let (status, resp) = app.upload_file(truncated, "cut.wav", &payload("cut")).await;
    assert_error(status, &resp, 400, "unsupported_media", Some("file"));
    // WAV headers the decoder would refuse later: refused now, with the reason.
    let call = shared_fixture("support_call_mono16k.wav");
    let patched = |at: usize, value: &[u8]| {
        let mut bytes = call.clone();
        bytes[at..at + value.len()].copy_from_slice(value);
        bytes
    };
    for (bytes, reason) in [
        (patched(40, &0u32.to_le_bytes()), "0 bytes of audio"),
        (
            patched(4, &12u32.to_le_bytes()),
            "runs past the RIFF header",
        ),
        (patched(22, &65535u16.to_le_bytes()), "65535 channels"),
    ] {
        let (status, resp) = app.upload_file(bytes, "bad.wav", &payload("bad-wav")).await;
        assert_error(status, &resp, 400, "unsupported_media", Some("file"));
        let message = resp["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{reason}: {message}");
    }
    assert_eq!(app.interaction_count().await, 0);
    assert_eq!(app.media_files().await, 0);
    assert_eq!(app.balance().await, 1000);
    let spooled = std::fs::read_dir(app.data_dir.join("spool"))
        .unwrap()
        .count();
    assert_eq!(spooled, 0, "spool files are removed");
}

async fn rejected_for_credits_removes_media(app: &TestApp) {
    // 68 s stereo call = 2 credits; an account with 1 credit gets 402 and no stored object.
    let (_, token) = app.new_account(1).await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(shared_fixture("delivery_call_stereo_8k_ulaw.wav"))
                .file_name("call.wav"),
        )
        .text("payload", payload("poor-file").to_string());
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 402, "insufficient_credits", None);
    assert_eq!(
        app.media_files().await,
        0,
        "the streamed object was removed"
    );
}

async fn multipart_shape_errors(app: &TestApp) {
    // No payload part.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(testdata("tone.mp3")).file_name("a.mp3"),
    );
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 400, "missing_field", Some("payload"));
    // Payload that is not JSON.
    let form = reqwest::multipart::Form::new().text("payload", "{oops");
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 400, "invalid_json", None);
    // Both a file and a downloadUrl.
    let mut p = payload("both");
    p["downloadUrl"] = json!(app.media_url("tone.mp3"));
    let (status, body) = app.upload_file(testdata("tone.mp3"), "a.mp3", &p).await;
    assert_error(status, &body, 400, "invalid_field", Some("downloadUrl"));
    // Multipart without a file is fine for text interactions.
    let form = reqwest::multipart::Form::new().text("payload", chat("mp-chat").to_string());
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Neither JSON nor multipart.
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&app.token)
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 400, "unsupported_content_type", None);
    assert_eq!(app.media_files().await, 0);
}

mod limits {
    use super::*;

    const LIMIT: u64 = 1024 * 1024;

    fn chunked(bytes: Vec<u8>) -> reqwest::Body {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            bytes.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
        reqwest::Body::wrap_stream(futures::stream::iter(chunks))
    }

    async fn too_large(backend: Backend) {
        assert_eq!(
            scorejar_server::config::Settings::default().max_request_bytes,
            32 * 1024 * 1024
        );
        // A 1 MiB limit keeps the over-size bodies small enough to sit in socket buffers, so the
        // client reads the 413 instead of a reset; the rule is the same at 32 MiB.
        let app = TestApp::start_with(backend, |s| s.max_request_bytes = LIMIT).await;
        let big = vec![0u8; (LIMIT + LIMIT / 2) as usize];
        // Declared length over the limit: refused before reading.
        let (status, body) = app
            .upload_file(big.clone(), "big.wav", &payload("big"))
            .await;
        assert_error(status, &body, 413, "payload_too_large", None);
        // Multipart without a length (chunked): cut off while streaming the file to the spool.
        let boundary = "XyZbOuNdArY";
        let mut raw = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n", payload("big2")).into_bytes();
        raw.extend_from_slice(&big);
        raw.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = app
            .client
            .post(app.url("/api/v1/upload"))
            .bearer_auth(&app.token)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(chunked(raw))
            .send()
            .await
            .unwrap();
        let (status, body) = read(resp).await;
        assert_error(status, &body, 413, "payload_too_large", None);
        // A chunked JSON body over the limit.
        let huge = json!({ "sourceIdentifier": "huge", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
            "transcript": { "text": "x".repeat(big.len()) } }).to_string();
        let resp = app
            .client
            .post(app.url("/api/v1/upload"))
            .bearer_auth(&app.token)
            .header("content-type", "application/json")
            .body(chunked(huge.into_bytes()))
            .send()
            .await
            .unwrap();
        let (status, body) = read(resp).await;
        assert_error(status, &body, 413, "payload_too_large", None);
        assert_eq!(app.interaction_count().await, 0);
        assert_eq!(app.media_files().await, 0);
        assert_eq!(
            std::fs::read_dir(app.data_dir.join("spool"))
                .unwrap()
                .count(),
            0,
            "partial spool files removed"
        );
        app.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        too_large(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        too_large(Backend::Postgres).await;
    }
}
