//! The remote engine against a local stand-in for an OpenAI-compatible server: the request it
//! sends, the answers it reads, its retries and its splitting of long channels.

#[path = "remote/failures.rs"]
mod failures;
#[path = "remote/stand_in.rs"]
mod stand_in;
#[path = "remote/support.rs"]
mod support;

use scorejar_media::DecodedAudio;
use scorejar_stt::remote::{wav, RemoteEngine, RemoteSettings};
use scorejar_stt::{Hints, SpeechEngine, Transcriber};
use stand_in::{verbose_json, Recorded, Reply, StandIn};
use std::sync::Arc;
use std::time::Duration;
use support::{channel, close, find_offset, same_audio, settings, speech, transcribe, KEY, SEC};

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
