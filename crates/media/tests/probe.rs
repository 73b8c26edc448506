//! Probes every real file in testdata/media (made with ffmpeg/sox, see its README.md) and the
//! shared call recordings, and checks that corrupt or random bytes never panic the probe.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use scorejar_media::{probe_file, probe_reader, Container, MediaKind, ProbeError};

fn media(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/media")
        .join(name)
}

fn shared_audio(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/audio")
        .join(name)
}

struct Expect {
    file: &'static str,
    kind: MediaKind,
    container: Container,
    content_type: &'static str,
    codec: &'static str,
    channels: Option<u32>,
    rate: Option<u32>,
    duration_ms: i64,
}

const fn audio(
    file: &'static str,
    container: Container,
    content_type: &'static str,
    codec: &'static str,
    channels: u32,
    rate: u32,
    duration_ms: i64,
) -> Expect {
    Expect {
        file,
        kind: MediaKind::Audio,
        container,
        content_type,
        codec,
        channels: Some(channels),
        rate: Some(rate),
        duration_ms,
    }
}

const fn video(
    file: &'static str,
    container: Container,
    content_type: &'static str,
    codec: &'static str,
    channels: Option<u32>,
    rate: Option<u32>,
    duration_ms: i64,
) -> Expect {
    Expect {
        file,
        kind: MediaKind::Video,
        container,
        content_type,
        codec,
        channels,
        rate,
        duration_ms,
    }
}

/// Expected values come from `ffprobe` on each file (README.md lists them too).
const FILES: &[Expect] = &[
    audio(
        "tone_pcm16_mono_8k.wav",
        Container::Wav,
        "audio/wav",
        "pcm_s16le",
        1,
        8000,
        2000,
    ),
    audio(
        "tone_ulaw_stereo_8k.wav",
        Container::Wav,
        "audio/wav",
        "pcm_mulaw",
        2,
        8000,
        2000,
    ),
    audio(
        "tone_alaw_mono_8k.wav",
        Container::Wav,
        "audio/wav",
        "pcm_alaw",
        1,
        8000,
        3000,
    ),
    audio(
        "tone_f32_stereo_16k.wav",
        Container::Wav,
        "audio/wav",
        "pcm_f32le",
        2,
        16_000,
        400,
    ),
    audio(
        "tone_s24_mono_16k.wav",
        Container::Wav,
        "audio/wav",
        "pcm_s24le",
        1,
        16_000,
        1000,
    ),
    audio(
        "tone.mp3",
        Container::Mp3,
        "audio/mpeg",
        "mp3",
        2,
        44_100,
        2038,
    ),
    audio(
        "tone_cbr_noxing.mp3",
        Container::Mp3,
        "audio/mpeg",
        "mp3",
        1,
        22_050,
        3056,
    ),
    audio(
        "tone.flac",
        Container::Flac,
        "audio/flac",
        "flac",
        1,
        16_000,
        2000,
    ),
    audio(
        "tone_vorbis.ogg",
        Container::Ogg,
        "audio/ogg",
        "vorbis",
        2,
        44_100,
        2000,
    ),
    audio(
        "tone_opus.ogg",
        Container::Ogg,
        "audio/ogg",
        "opus",
        2,
        48_000,
        2007,
    ),
    audio(
        "tone_aac.m4a",
        Container::Mp4,
        "audio/mp4",
        "aac",
        1,
        44_100,
        2000,
    ),
    audio(
        "tone_opus.webm",
        Container::WebM,
        "audio/webm",
        "opus",
        1,
        48_000,
        2008,
    ),
    audio(
        "tone_audio_only.mkv",
        Container::Matroska,
        "audio/x-matroska",
        "vorbis",
        1,
        22_050,
        2023,
    ),
    video(
        "clip_h264.mp4",
        Container::Mp4,
        "video/mp4",
        "h264",
        Some(2),
        Some(44_100),
        2000,
    ),
    video(
        "clip.mov",
        Container::QuickTime,
        "video/quicktime",
        "h264",
        Some(1),
        Some(8000),
        1000,
    ),
    video(
        "clip_vp8.webm",
        Container::WebM,
        "video/webm",
        "vp8",
        Some(2),
        Some(48_000),
        2008,
    ),
    video(
        "clip_vp9_live.webm",
        Container::WebM,
        "video/webm",
        "vp9",
        None,
        None,
        2000,
    ),
    video(
        "clip_h264.mkv",
        Container::Matroska,
        "video/x-matroska",
        "h264",
        Some(1),
        Some(22_050),
        2023,
    ),
    video(
        "clip_theora.ogv",
        Container::Ogg,
        "video/ogg",
        "theora",
        Some(1),
        Some(22_050),
        2000,
    ),
];

fn assert_close(file: &str, got: Option<i64>, expected: i64) {
    let got = got.unwrap_or_else(|| panic!("{file}: no duration"));
    let tolerance = expected / 20; // ±5%
    assert!(
        (got - expected).abs() <= tolerance,
        "{file}: duration {got} ms, expected {expected} ms ±5%"
    );
}

#[test]
fn probes_every_test_file() {
    for e in FILES {
        let probe = probe_file(&media(e.file)).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        assert_eq!(probe.kind, e.kind, "{}", e.file);
        assert_eq!(probe.container, e.container, "{}", e.file);
        assert_eq!(probe.content_type, e.content_type, "{}", e.file);
        assert_eq!(probe.codec.as_deref(), Some(e.codec), "{}", e.file);
        assert_eq!(probe.channels, e.channels, "{}", e.file);
        assert_eq!(probe.sample_rate, e.rate, "{}", e.file);
        assert_close(e.file, probe.duration_ms, e.duration_ms);
    }
}

#[test]
fn probes_the_shared_call_recordings() {
    let delivery = probe_file(&shared_audio("delivery_call_stereo_8k_ulaw.wav")).unwrap();
    assert_eq!(delivery.kind, MediaKind::Audio);
    assert_eq!(delivery.container, Container::Wav);
    assert_eq!(delivery.codec.as_deref(), Some("pcm_mulaw"));
    assert_eq!(delivery.channels, Some(2));
    assert_eq!(delivery.sample_rate, Some(8000));
    assert_close("delivery_call", delivery.duration_ms, 68_300);

    let support = probe_file(&shared_audio("support_call_mono16k.wav")).unwrap();
    assert_eq!(support.kind, MediaKind::Audio);
    assert_eq!(support.codec.as_deref(), Some("pcm_s16le"));
    assert_eq!(support.channels, Some(1));
    assert_eq!(support.sample_rate, Some(16_000));
    assert_close("support_call", support.duration_ms, 29_000);
}

#[test]
fn non_media_files_are_rejected_with_a_reason() {
    for (file, needle) in [
        ("not_media.txt", "text"),
        ("random.bin", "match no supported"),
    ] {
        match probe_file(&media(file)) {
            Err(ProbeError::NotMedia(reason)) => {
                assert!(reason.contains(needle), "{file}: {reason}")
            }
            other => panic!("{file}: {other:?}"),
        }
    }
}

/// Every real file cut at many lengths: the probe may fail (NotMedia) or succeed on what is
/// left, but must never panic or report an I/O error.
#[test]
fn truncated_files_never_panic() {
    for e in FILES {
        let bytes = std::fs::read(media(e.file)).unwrap();
        let mut cuts: Vec<usize> = (0..bytes.len().min(600)).collect();
        cuts.extend((600..bytes.len()).step_by(97));
        for cut in cuts {
            let result = probe_reader(std::io::Cursor::new(&bytes[..cut]));
            assert!(
                !matches!(result, Err(ProbeError::Io(_))),
                "{} cut at {cut}: {result:?}",
                e.file
            );
        }
    }
}

fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        FILES
            .iter()
            .map(|e| std::fs::read(media(e.file)).unwrap())
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = probe_reader(std::io::Cursor::new(bytes));
    }

    /// Real files with bytes overwritten: exercises the parsers past the magic numbers.
    #[test]
    fn corrupted_real_files_never_panic(
        file in 0..FILES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    ) {
        let mut bytes = corpus()[file].clone();
        for (index, value) in edits {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = probe_reader(std::io::Cursor::new(bytes));
    }
}
