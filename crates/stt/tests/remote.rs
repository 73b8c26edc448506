//! The remote engine against a local stand-in for an OpenAI-compatible server: the request it
//! sends, the answers it reads, its retries and its splitting of long channels.

#[path = "remote/stand_in.rs"]
mod stand_in;

use scorejar_media::{DecodedAudio, PcmChannel};
use scorejar_stt::remote::{wav, RemoteEngine, RemoteSettings};
use scorejar_stt::{ChannelRequest, Hints, SpeechEngine, SttError, Transcriber};
use stand_in::{verbose_json, Recorded, Reply, StandIn};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "sk-test-key-0123456789";
const SEC: usize = 16_000;

fn settings(server: &StandIn, key: Option<&str>) -> RemoteSettings {
    RemoteSettings {
        base_url: server.base_url.clone(),
        api_key: key.map(str::to_string),
        timeout: Duration::from_secs(10),
        concurrency: 2,
        max_retries: 3,
        // Short, so that a test relying on Retry-After would notice it being ignored.
        backoff_base: Duration::from_millis(10),
        ..RemoteSettings::default()
    }
}

/// Deterministic noise ("speech") at 0.5, with near-silent but still unique noise in `gaps`
/// (so every stretch of the signal can be found again in it).
fn speech(len: usize, gaps: &[(usize, usize)]) -> Vec<f32> {
    let mut state: u32 = 0x1234_5678;
    (0..len)
        .map(|i| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0;
            let quiet = gaps.iter().any(|(a, b)| (*a..*b).contains(&i));
            noise * if quiet { 0.004 } else { 0.5 }
        })
        .collect()
}

fn channel(dir: &tempfile::TempDir, name: &str, samples: &[f32]) -> PcmChannel {
    PcmChannel::write(dir.path().join(name), samples).unwrap()
}

/// Whether 16-bit `sent` samples carry `original` (within one quantisation step).
fn same_audio(sent: &[i16], original: &[f32]) -> bool {
    sent.len() == original.len()
        && sent
            .iter()
            .zip(original)
            .all(|(s, o)| (f32::from(*s) / 32767.0 - o).abs() <= 1.0 / 32767.0 + 1e-6)
}

/// Where in `signal` the uploaded piece begins (its first samples are unique in the signal).
fn find_offset(signal: &[f32], piece: &[i16]) -> Option<usize> {
    let probe = &piece[..piece.len().min(64)];
    (0..=signal.len().saturating_sub(piece.len()))
        .find(|at| same_audio(probe, &signal[*at..*at + probe.len()]))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

async fn transcribe(
    engine: &RemoteEngine,
    audio: &PcmChannel,
    language: Option<&str>,
) -> Result<scorejar_stt::ChannelTranscript, SttError> {
    engine
        .transcribe_channel(ChannelRequest {
            audio,
            language,
            siblings: 1,
        })
        .await
}

#[tokio::test]
async fn sends_a_wav_with_the_openai_fields_and_reads_segments_and_words() {
    let server = StandIn::start(Some(KEY), |_, request| {
        Reply::ok(verbose_json(
            "english",
            request.duration_secs(),
            &[
                (0.0, 1.4, "Hello, thanks for calling."),
                (1.6, 2.9, "How can I help?"),
            ],
        ))
    })
    .await;
    let engine = RemoteEngine::new(settings(&server, Some(KEY))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let samples = speech(3 * SEC, &[]);
    let audio = channel(&dir, "c0.f32", &samples);

    let heard = transcribe(&engine, &audio, None).await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.authorization.as_deref(),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(request.field("model"), Some("whisper-1"));
    assert_eq!(request.field("response_format"), Some("verbose_json"));
    assert_eq!(
        request.all("timestamp_granularities[]"),
        ["segment", "word"]
    );
    assert_eq!(
        request.field("language"),
        None,
        "no hint, no language field"
    );
    assert_eq!(request.file_name.as_deref(), Some("audio.wav"));
    assert_eq!(
        request.file_bytes as u64,
        wav::wav_len(samples.len() as u64)
    );
    assert!(
        same_audio(&request.samples, &samples),
        "the WAV carries the channel"
    );

    assert_eq!(
        heard.language.as_deref(),
        Some("en"),
        "\"english\" normalised"
    );
    let texts: Vec<_> = heard.segments.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["Hello, thanks for calling.", "How can I help?"]);
    assert!(close(heard.segments[1].start, 1.6) && close(heard.segments[1].end, 2.9));
    let words: Vec<Vec<&str>> = heard
        .segments
        .iter()
        .map(|s| s.words.iter().flatten().map(|w| w.word.as_str()).collect())
        .collect();
    assert_eq!(
        words,
        [
            vec!["Hello,", "thanks", "for", "calling."],
            vec!["How", "can", "I", "help?"]
        ]
    );
    assert!(heard
        .segments
        .iter()
        .all(|s| s.channel.is_none() && s.speaker.is_none()));
    assert_eq!(engine.engine(), "openai-compatible");
    assert_eq!(engine.model(), "whisper-1");
    assert_eq!(
        engine.check_language(Some("es")),
        Ok(()),
        "the provider decides"
    );
}

#[tokio::test]
async fn passes_the_language_hint_to_a_server_without_a_key() {
    let server = StandIn::start(None, |_, request| {
        Reply::ok(verbose_json(
            "spanish",
            request.duration_secs(),
            &[(0.0, 1.0, "Hola, buenos días.")],
        ))
    })
    .await;
    let engine = RemoteEngine::new(settings(&server, None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(2 * SEC, &[]));

    let heard = transcribe(&engine, &audio, Some("es")).await.unwrap();

    let requests = server.requests();
    assert_eq!(requests[0].field("language"), Some("es"));
    assert_eq!(requests[0].authorization, None);
    assert_eq!(heard.language.as_deref(), Some("es"));
    assert_eq!(heard.segments[0].text, "Hola, buenos días.");
}

#[tokio::test]
async fn waits_as_long_as_retry_after_says_after_a_429() {
    let server = StandIn::start(Some(KEY), |index, request| match index {
        0 => Reply::error(429, "Rate limit reached for requests").header("retry-after", "1"),
        _ => Reply::ok(verbose_json(
            "english",
            request.duration_secs(),
            &[(0.0, 1.0, "Fine.")],
        )),
    })
    .await;
    let engine = RemoteEngine::new(settings(&server, Some(KEY))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let heard = transcribe(&engine, &audio, None).await.unwrap();

    assert_eq!(heard.segments[0].text, "Fine.");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one refusal, one success");
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
}

#[tokio::test]
async fn retries_server_errors_and_timeouts_then_succeeds() {
    let server = StandIn::start(Some(KEY), |index, request| {
        let ok = Reply::ok(verbose_json(
            "english",
            request.duration_secs(),
            &[(0.0, 1.0, "Made it.")],
        ));
        match index {
            0 | 1 => Reply::error(
                500,
                "The server had an error while processing your request.",
            ),
            // Longer than the client's timeout: the attempt is abandoned and retried.
            2 => ok.after(Duration::from_secs(3)),
            _ => ok,
        }
    })
    .await;
    let engine = RemoteEngine::new(RemoteSettings {
        timeout: Duration::from_millis(700),
        ..settings(&server, Some(KEY))
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let heard = transcribe(&engine, &audio, None).await.unwrap();

    assert_eq!(heard.segments[0].text, "Made it.");
    assert_eq!(server.requests().len(), 4, "500, 500, timeout, success");
}

#[tokio::test]
async fn a_rejected_request_is_permanent_with_the_provider_message() {
    let server = StandIn::start(Some(KEY), |_, _| {
        Reply::error(400, "Audio file might be corrupted or unsupported")
    })
    .await;
    let engine = RemoteEngine::new(settings(&server, Some(KEY))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    match &error {
        SttError::Permanent(message) => {
            assert!(
                message.contains("Audio file might be corrupted or unsupported"),
                "{message}"
            );
            assert!(message.contains("400"), "{message}");
        }
        other => panic!("expected Permanent, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "a 400 is not retried");
}

#[tokio::test]
async fn a_persistent_503_is_retryable_after_max_retries() {
    let server = StandIn::start(Some(KEY), |_, _| Reply::error(503, "Service Unavailable")).await;
    let engine = RemoteEngine::new(RemoteSettings {
        max_retries: 2,
        ..settings(&server, Some(KEY))
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    match &error {
        SttError::Retryable(message) => assert!(message.contains("503"), "{message}"),
        other => panic!("expected Retryable, got {other:?}"),
    }
    assert_eq!(
        server.requests().len(),
        3,
        "the first attempt and 2 retries"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let engine = RemoteEngine::new(RemoteSettings {
        base_url,
        max_retries: 1,
        backoff_base: Duration::from_millis(10),
        ..RemoteSettings::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    assert!(
        matches!(&error, SttError::Retryable(m) if m.contains("not reached") && m.contains("2 attempts")),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_api_key_never_appears_in_errors_or_settings() {
    let wrong = "sk-wrong-secret-9876543210";
    let server = StandIn::start(Some(KEY), |_, _| {
        unreachable!("refused before the responder")
    })
    .await;
    let settings = settings(&server, Some(wrong));
    assert!(!format!("{settings:?}").contains(wrong));
    let engine = RemoteEngine::new(settings).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    let shown = error.to_string();
    assert!(matches!(error, SttError::Permanent(_)), "{error:?}");
    assert!(shown.contains("Incorrect API key provided"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(!shown.contains(wrong), "{shown}");
    assert!(!format!("{error:?}").contains(wrong));
}

#[tokio::test]
async fn a_long_channel_is_sent_in_pieces_cut_at_pauses_and_reassembled() {
    // 20 s with pauses near 5.5 s, 11 s and 16 s; uploads limited to 6 s of audio.
    let gaps = [
        (5 * SEC + SEC / 2, 5 * SEC + 7 * SEC / 10),
        (11 * SEC, 11 * SEC + SEC / 5),
        (16 * SEC, 16 * SEC + SEC / 5),
    ];
    let signal = Arc::new(speech(20 * SEC, &gaps));
    let max_upload_bytes = wav::wav_len(6 * SEC as u64);
    let known = signal.clone();
    let server = StandIn::start(Some(KEY), move |_, request: &Recorded| {
        // Name each piece by where it starts in the channel; times are relative to the piece.
        let offset = find_offset(&known, &request.samples).expect("a piece of the channel");
        let end = request.duration_secs() - 0.25;
        Reply::ok(verbose_json(
            "english",
            request.duration_secs(),
            &[(0.25, end, &format!("from {offset}"))],
        ))
        .after(Duration::from_millis(50))
    })
    .await;
    let engine = RemoteEngine::new(RemoteSettings {
        max_upload_bytes,
        concurrency: 3,
        ..settings(&server, Some(KEY))
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &signal);

    let heard = transcribe(&engine, &audio, None).await.unwrap();

    let requests = server.requests();
    assert!(requests.len() >= 4, "{} requests", requests.len());
    assert!(server.max_in_flight() <= 3, "concurrency respected");
    let mut pieces: Vec<(usize, usize)> = requests
        .iter()
        .map(|r| {
            assert!(
                r.file_bytes as u64 <= max_upload_bytes,
                "{} bytes",
                r.file_bytes
            );
            let offset = find_offset(&signal, &r.samples).unwrap();
            assert!(same_audio(
                &r.samples,
                &signal[offset..offset + r.samples.len()]
            ));
            (offset, r.samples.len())
        })
        .collect();
    pieces.sort();
    let mut next = 0;
    for (offset, len) in &pieces {
        assert_eq!(*offset, next, "pieces are contiguous: {pieces:?}");
        next = offset + len;
    }
    assert_eq!(next, signal.len(), "no sample lost");
    for (cut, _) in &pieces[1..] {
        assert!(
            gaps.iter().any(|(a, b)| (a..b).contains(&cut)),
            "cut at {cut} is not in a pause"
        );
    }

    assert_eq!(heard.segments.len(), pieces.len());
    for (segment, (offset, len)) in heard.segments.iter().zip(&pieces) {
        let start = *offset as f64 / SEC as f64;
        assert_eq!(
            segment.text,
            format!("from {offset}"),
            "segments in channel order"
        );
        assert!(close(segment.start, start + 0.25), "{segment:?}");
        assert!(
            close(segment.end, (offset + len) as f64 / SEC as f64 - 0.25),
            "{segment:?}"
        );
        let first_word = &segment.words.as_ref().unwrap()[0];
        assert!(close(first_word.start, start + 0.25), "{first_word:?}");
    }
}

#[tokio::test]
async fn channels_of_a_call_share_the_concurrency_limit_and_are_labelled() {
    let server = StandIn::start(Some(KEY), |_, request| {
        // Tell the channels apart by loudness: the agent's is the loud one.
        let rms = (request
            .samples
            .iter()
            .map(|s| f64::from(*s).powi(2))
            .sum::<f64>()
            / request.samples.len() as f64)
            .sqrt();
        let line = if rms > 5_000.0 {
            (0.5, 1.5, "Agent here.")
        } else {
            (2.0, 3.0, "Customer here.")
        };
        Reply::ok(verbose_json("english", request.duration_secs(), &[line]))
            .after(Duration::from_millis(200))
    })
    .await;
    let engine = RemoteEngine::new(RemoteSettings {
        concurrency: 1,
        ..settings(&server, Some(KEY))
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let loud = speech(4 * SEC, &[]);
    let quiet: Vec<f32> = loud.iter().map(|s| s * 0.1).collect();
    let audio = DecodedAudio {
        channels: vec![
            channel(&dir, "c0.f32", &quiet),
            channel(&dir, "c1.f32", &loud),
        ],
        source_sample_rate: 8_000,
        source_codec: "pcm_mulaw".into(),
    };
    let hints = Hints {
        language: None,
        agent_channel: 1,
    };

    let transcript = Transcriber::new(Arc::new(engine))
        .transcribe(&audio, &hints)
        .await
        .unwrap();

    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        server.max_in_flight(),
        1,
        "one request at a time across channels"
    );
    let lines: Vec<(&str, &str)> = transcript
        .segments
        .iter()
        .map(|s| (s.speaker.as_deref().unwrap(), s.text.as_str()))
        .collect();
    assert_eq!(
        lines,
        [("Agent", "Agent here."), ("Customer", "Customer here.")]
    );
    assert_eq!(transcript.engine, "openai-compatible");
    assert_eq!(transcript.language.as_deref(), Some("en"));
}

#[tokio::test]
async fn a_channel_too_short_to_hold_speech_is_not_sent() {
    let server = StandIn::start(Some(KEY), |_, _| unreachable!("nothing to send")).await;
    let engine = RemoteEngine::new(settings(&server, Some(KEY))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, len) in [("empty.f32", 0), ("blip.f32", SEC / 20)] {
        let audio = channel(&dir, name, &speech(len, &[]));
        let heard = transcribe(&engine, &audio, Some("en")).await.unwrap();
        assert!(heard.segments.is_empty());
        assert_eq!(heard.language.as_deref(), Some("en"));
    }
    assert!(server.requests().is_empty());
}
