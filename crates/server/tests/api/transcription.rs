//! Transcription end to end: uploads of the shared audio fixtures (multipart and `downloadUrl`)
//! go through a real worker running `FetchMedia` and `Transcribe` with the built-in whisper.cpp
//! engine and the real tiny.en model (converted by scorejar-models into the shared test cache).

use crate::harness::*;
use crate::worker_run::step_finished;
use scorejar_models::{test_support::ensure_model, ModelName, WeightType};
use scorejar_stt::whisper::{WhisperEngine, WhisperSettings};
use scorejar_stt::{wer::wer, LazyTranscriber, Transcriber};
use scorejar_worker::handlers::{Transcribe, TranscribeSettings};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

crate::backend_tests!(
    multipart_mono_call_is_transcribed,
    download_of_two_channel_call_is_labelled_per_channel,
    undecodable_media_fails_and_refunds,
    spanish_hint_with_english_only_model_fails_and_refunds
);

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/audio")
        .join(name)
}

/// One engine per test binary: the model is loaded once and shared, as in a worker.
fn transcriber() -> Transcriber {
    static ENGINE: OnceLock<Transcriber> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            // The default model (`transcription.whisper.quantize = "q8_0-head"`).
            let model = ensure_model(ModelName::TinyEn, WeightType::F16Q8Head);
            let settings = WhisperSettings::new(model, "tiny.en-q8_0-head", 2);
            Transcriber::new(Arc::new(
                WhisperEngine::load(settings).expect("load tiny.en"),
            ))
        })
        .clone()
}

/// Runs a worker with `FetchMedia` and `Transcribe` until the transcript is COMPLETED or
/// FAILED (or `limit` passes); returns the interaction as the API shows it.
async fn run_until_transcribed(app: &TestApp, status_url: &str, limit: Duration) -> Value {
    let fetch = Arc::new(app.fetch_handler(500_000_000));
    let transcribe = transcribe_handler(app).await;
    app.run_worker_until(vec![fetch, transcribe], status_url, limit, |v| {
        step_finished(v, "transcript")
    })
    .await
}

/// A `Transcribe` handler on this app with the shared tiny.en engine (one at a time).
pub(crate) async fn transcribe_handler(app: &TestApp) -> Arc<Transcribe> {
    let spool_dir = app.data_dir.join("spool");
    std::fs::create_dir_all(&spool_dir).unwrap();
    let engine = tokio::task::spawn_blocking(transcriber).await.unwrap();
    Arc::new(Transcribe::new(
        app.store.clone(),
        app.media.clone(),
        Arc::new(LazyTranscriber::ready(engine)),
        TranscribeSettings {
            spool_dir,
            default_agent_channel: 0,
            rates: Default::default(),
            not_ready_wait: Duration::from_secs(1),
        },
        1,
    ))
}

fn segments(stored: &Value) -> Vec<Value> {
    stored["transcript"]["segments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn text_of(segments: &[Value], channel: Option<i64>) -> String {
    segments
        .iter()
        .filter(|s| channel.is_none() || s["channel"].as_i64() == channel)
        .map(|s| s["text"].as_str().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

async fn multipart_mono_call_is_transcribed(app: &TestApp) {
    let bytes = std::fs::read(fixture("support_call_mono16k.wav")).unwrap();
    // Declared ten minutes long: reserved for ten, settled on the 29 s decoded.
    let payload = json!({ "sourceIdentifier": "mono-1", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "duration": 600000 });
    let (status, resp) = app
        .upload_file(bytes, "support_call_mono16k.wav", &payload)
        .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["processing"]["transcription"], json!(true), "{resp}");
    let url = resp["statusUrl"].as_str().unwrap();
    let stored = run_until_transcribed(app, url, Duration::from_secs(240)).await;
    let transcript = &stored["transcript"];
    assert_eq!(transcript["status"], json!("COMPLETED"), "{stored}");
    assert_eq!(transcript["source"], json!("ENGINE"), "{stored}");
    assert_eq!(transcript["language"], json!("en"), "{stored}");
    assert_eq!(transcript["engine"], json!("whisper.cpp"), "{stored}");
    assert_eq!(transcript["model"], json!("tiny.en-q8_0-head"), "{stored}");

    let segments = segments(&stored);
    assert!(!segments.is_empty());
    let reference = std::fs::read_to_string(fixture("support_call_mono16k.txt")).unwrap();
    let error = wer(&reference, &text_of(&segments, None));
    assert!(
        error <= 0.05,
        "WER {error:.3} > 5%: {}",
        text_of(&segments, None)
    );
    let mut last_start = 0.0;
    for s in &segments {
        // A mono recording: nobody is labelled.
        assert!(s.get("channel").is_none_or(Value::is_null), "{s}");
        assert!(s.get("speaker").is_none_or(Value::is_null), "{s}");
        let (start, end) = (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap());
        assert!(start >= last_start && end >= start && end <= 29.1, "{s}");
        last_start = start;
        assert!(s["words"].as_array().is_some_and(|w| !w.is_empty()), "{s}");
    }
    assert_eq!(stored["creditsCharged"], json!(1), "{stored}");
    let (_, credits) = read(app.get("/api/v1/credits").await).await;
    let refund = &credits["ledger"][0];
    assert_eq!(refund["amount"], json!(9), "{credits}");
    assert!(
        refund["reason"].as_str().unwrap().contains("settlement"),
        "{credits}"
    );
    // The plain-text view is derived from the segments.
    assert_eq!(
        transcript["text"].as_str().unwrap().lines().count(),
        segments.len()
    );
}

async fn download_of_two_channel_call_is_labelled_per_channel(app: &TestApp) {
    let body = json!({ "sourceIdentifier": "stereo-1", "direction": "OUTBOUND",
        "timestamp": "2026-06-23T14:30:00Z",
        "downloadUrl": app.media_url("delivery_call_stereo_8k_ulaw.wav") });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    let url = resp["statusUrl"].as_str().unwrap();
    let stored = run_until_transcribed(app, url, Duration::from_secs(300)).await;
    assert_eq!(
        stored["transcript"]["status"],
        json!("COMPLETED"),
        "{stored}"
    );
    let segments = segments(&stored);

    // Every line says who spoke, by channel: agent on 0, customer on 1.
    let mut last_start = 0.0;
    for s in &segments {
        let want = match s["channel"].as_i64() {
            Some(0) => "Agent",
            Some(1) => "Customer",
            other => panic!("segment without a channel ({other:?}): {s}"),
        };
        assert_eq!(s["speaker"], json!(want), "{s}");
        let start = s["start"].as_f64().unwrap();
        assert!(start >= last_start, "segments out of time order: {s}");
        last_start = start;
    }
    // Both sides were heard, and each side's words are that side's script.
    let agent_ref = std::fs::read_to_string(fixture("delivery_call_agent_ch0.txt")).unwrap();
    let customer_ref = std::fs::read_to_string(fixture("delivery_call_customer_ch1.txt")).unwrap();
    let (agent, customer) = (text_of(&segments, Some(0)), text_of(&segments, Some(1)));
    let (agent_wer, customer_wer) = (wer(&agent_ref, &agent), wer(&customer_ref, &customer));
    // tiny.en is weak on 8 kHz telephone audio (faster-whisper measured 13.6% / 45.9% on
    // these channels); the bounds prove the right words landed on the right side.
    assert!(agent_wer < 0.35, "agent WER {agent_wer:.3}: {agent}");
    assert!(
        customer_wer < 0.70,
        "customer WER {customer_wer:.3}: {customer}"
    );
    // Swapped, the sides would be far off: the labels are not a coin toss.
    assert!(wer(&agent_ref, &customer) > 0.8 && wer(&customer_ref, &agent) > 0.8);

    // No text where nobody spoke: each segment lies where its own channel has a voice.
    let spool = tempfile::tempdir().unwrap();
    let audio =
        scorejar_media::decode_to_pcm(&fixture("delivery_call_stereo_8k_ulaw.wav"), spool.path())
            .unwrap();
    for s in &segments {
        let channel = &audio.channels[s["channel"].as_i64().unwrap() as usize];
        let (start, end) = (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap());
        let from = (start * 16_000.0) as u64;
        let samples = channel
            .read(from, ((end - start) * 16_000.0) as usize)
            .unwrap();
        let rms = (samples.iter().map(|x| x * x).sum::<f32>() / samples.len().max(1) as f32).sqrt();
        assert!(
            rms > 0.003,
            "segment on a silent stretch of its channel (rms {rms}): {s}"
        );
    }
}

/// `testdata/media/tone.flac` with its header intact (so it probes fine at upload) and every
/// audio frame replaced by noise bytes: FLAC frames carry sync codes and CRCs, so no decoder
/// (symphonia, nor ffmpeg when installed) gets a sample out of it.
fn corrupted_flac() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/media/tone.flac");
    let mut bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..4], b"fLaC");
    let mut at = 4;
    loop {
        let last = bytes[at] & 0x80 != 0;
        let len = u32::from_be_bytes([0, bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        at += 4 + len;
        if last {
            break;
        }
    }
    let mut x: u32 = 1;
    for b in &mut bytes[at..] {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345) & 0x7fff_ffff;
        let v = (x >> 16) as u8;
        *b = if v == 0xff { 0 } else { v }; // never a frame sync byte
    }
    bytes
}

async fn undecodable_media_fails_and_refunds(app: &TestApp) {
    let payload = json!({ "sourceIdentifier": "broken-1", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z" });
    let (status, resp) = app
        .upload_file(corrupted_flac(), "call.flac", &payload)
        .await;
    assert_eq!(status, 200, "{resp}");
    assert!(
        app.balance().await < 1000,
        "transcription is charged at upload"
    );
    let url = resp["statusUrl"].as_str().unwrap();
    let stored = run_until_transcribed(app, url, Duration::from_secs(60)).await;
    let transcript = &stored["transcript"];
    assert_eq!(transcript["status"], json!("FAILED"), "{stored}");
    let error = transcript["error"].as_str().unwrap_or_default();
    assert!(error.contains("could not be decoded"), "{stored}");
    assert_eq!(app.balance().await, 1000, "the charge is refunded");
    assert_eq!(stored["creditsCharged"], json!(0), "{stored}");
}

async fn spanish_hint_with_english_only_model_fails_and_refunds(app: &TestApp) {
    let bytes = std::fs::read(fixture("support_call_mono16k.wav")).unwrap();
    let payload = json!({ "sourceIdentifier": "es-1", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "transcript": { "language": "es" } });
    let (status, resp) = app.upload_file(bytes, "call.wav", &payload).await;
    assert_eq!(status, 200, "{resp}");
    let url = resp["statusUrl"].as_str().unwrap();
    let stored = run_until_transcribed(app, url, Duration::from_secs(60)).await;
    let transcript = &stored["transcript"];
    assert_eq!(transcript["status"], json!("FAILED"), "{stored}");
    let error = transcript["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("English-only") && error.contains("`es`"),
        "{stored}"
    );
    assert!(
        transcript["segments"].as_array().is_none_or(Vec::is_empty),
        "{stored}"
    );
    assert_eq!(app.balance().await, 1000, "the charge is refunded");
}
