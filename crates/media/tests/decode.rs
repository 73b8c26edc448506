//! Decoding every media fixture to 16 kHz mono `f32` per channel: channel counts, durations,
//! the 440 Hz tone surviving decoding and resampling, and the shared call recordings.

mod decode_support;

use decode_support::*;
use scorejar_media::decode::{decode_with, DecodeBackend, DecodeOptions, Decoded, SAMPLE_RATE};
use scorejar_media::DecodeError;

/// One fixture of `testdata/media` (see its README for how each was made).
struct Fixture {
    file: &'static str,
    channels: usize,
    /// The generated tone's length (the `duration=` of the ffmpeg/sox command).
    nominal_secs: f64,
    /// Encoder priming/padding frames (at the source rate) the decoder cannot trim because
    /// the file does not say how many there are, or says it where symphonia 0.5 does not look:
    /// MP3 without a LAME header, AAC in MP4 (the edit list is ignored), Vorbis in Matroska
    /// (no gapless data in the container) and in an Ogg shared with Theora.
    untrimmed_frames_max: u32,
    source_rate: u32,
    codec: &'static str,
}

impl Fixture {
    /// Opus: symphonia has no decoder for it, only the ffmpeg fallback has.
    fn needs_ffmpeg(&self) -> bool {
        self.codec == "opus"
    }
}

const fn fixture(
    file: &'static str,
    channels: usize,
    nominal_secs: f64,
    untrimmed_frames_max: u32,
    source_rate: u32,
    codec: &'static str,
) -> Fixture {
    Fixture {
        file,
        channels,
        nominal_secs,
        untrimmed_frames_max,
        source_rate,
        codec,
    }
}

/// MP3 at 22.05 kHz: LAME's 576 + the decoder's 529 frames of delay, plus the last frame's fill.
const MP3_UNTRIMMED: u32 = 576 + 529 + 576;
/// AAC: 1024 frames of priming plus the last frame's fill.
const AAC_UNTRIMMED: u32 = 1024 + 1024;
/// Vorbis: the last packet's overlap (a long block at this quality is 2048, half of it output).
const VORBIS_UNTRIMMED: u32 = 1024;

const FIXTURES: &[Fixture] = &[
    fixture("tone_pcm16_mono_8k.wav", 1, 2.0, 0, 8_000, "pcm_s16le"),
    fixture("tone_ulaw_stereo_8k.wav", 2, 2.0, 0, 8_000, "pcm_mulaw"),
    fixture("tone_alaw_mono_8k.wav", 1, 3.0, 0, 8_000, "pcm_alaw"),
    fixture("tone_f32_stereo_16k.wav", 2, 0.4, 0, 16_000, "pcm_f32le"),
    fixture("tone_s24_mono_16k.wav", 1, 1.0, 0, 16_000, "pcm_s24le"),
    fixture("tone.mp3", 2, 2.0, 0, 44_100, "mp3"),
    fixture("tone_cbr_noxing.mp3", 1, 3.0, MP3_UNTRIMMED, 22_050, "mp3"),
    fixture("tone.flac", 1, 2.0, 0, 16_000, "flac"),
    fixture("tone_vorbis.ogg", 2, 2.0, 0, 44_100, "vorbis"),
    fixture("tone_opus.ogg", 2, 2.0, 0, 48_000, "opus"),
    fixture("tone_aac.m4a", 1, 2.0, AAC_UNTRIMMED, 44_100, "aac"),
    fixture("tone_opus.webm", 1, 2.0, 0, 48_000, "opus"),
    fixture(
        "tone_audio_only.mkv",
        1,
        2.0,
        VORBIS_UNTRIMMED,
        22_050,
        "vorbis",
    ),
    fixture("clip_h264.mp4", 2, 2.0, AAC_UNTRIMMED, 44_100, "aac"),
    fixture("clip.mov", 1, 1.0, 0, 8_000, "pcm_s16le"),
    fixture("clip_vp8.webm", 2, 2.0, 0, 48_000, "opus"),
    fixture("clip_h264.mkv", 1, 2.0, VORBIS_UNTRIMMED, 22_050, "vorbis"),
    fixture(
        "clip_theora.ogv",
        1,
        2.0,
        VORBIS_UNTRIMMED,
        22_050,
        "vorbis",
    ),
];

/// A spool directory that lives as long as the decoded channels in it.
struct Spooled {
    _dir: tempfile::TempDir,
    result: Result<Decoded, DecodeError>,
}

fn decode(path: &std::path::Path, options: &DecodeOptions) -> Spooled {
    let dir = tempfile::tempdir().unwrap();
    let result = decode_with(path, dir.path(), options);
    Spooled { _dir: dir, result }
}

fn check_fixture(fixture: &Fixture, decoded: &Decoded) {
    let name = fixture.file;
    let audio = &decoded.audio;
    assert_eq!(audio.channels.len(), fixture.channels, "{name}: channels");
    assert_eq!(
        audio.source_sample_rate, fixture.source_rate,
        "{name}: rate"
    );
    assert_eq!(audio.source_codec, fixture.codec, "{name}: codec");
    let secs = audio.duration_secs();
    let low = fixture.nominal_secs * 0.99;
    let high = fixture.nominal_secs * 1.01
        + fixture.untrimmed_frames_max as f64 / fixture.source_rate as f64;
    assert!(
        (low..=high).contains(&secs),
        "{name}: {secs:.4} s, expected {low:.4}..{high:.4}"
    );
    let lengths: Vec<u64> = audio.channels.iter().map(|c| c.len()).collect();
    assert!(
        lengths.iter().all(|l| *l == lengths[0]),
        "{name}: {lengths:?}"
    );
    for (index, channel) in audio.channels.iter().enumerate() {
        let samples = channel.read_all().unwrap();
        // 4000 samples at 16 kHz hold exactly 110 cycles of 440 Hz.
        let window = middle(&samples, 4000);
        let fraction = tone_fraction(window, 440.0, RATE);
        assert!(
            fraction > 0.9,
            "{name} channel {index}: only {fraction:.3} of the power is at 440 Hz"
        );
        assert!(rms(window) > 0.05, "{name} channel {index}: too quiet");
    }
}

#[test]
fn every_fixture_with_audio_decodes_with_its_tone_intact() {
    let with_ffmpeg = ffmpeg_available();
    for fixture in FIXTURES {
        let path = testdata(fixture.file);
        if fixture.needs_ffmpeg() {
            // Without the fallback: refused, naming the codec and what would decode it.
            let error = decode(&path, &DecodeOptions::without_ffmpeg())
                .result
                .unwrap_err();
            let message = error.to_string();
            assert!(
                matches!(error, DecodeError::NotDecodable(_))
                    && message.contains("opus")
                    && message.contains("ffmpeg"),
                "{}: {message}",
                fixture.file
            );
            if !with_ffmpeg {
                eprintln!("SKIPPED {}: ffmpeg is not installed", fixture.file);
                continue;
            }
            let spooled = decode(&path, &DecodeOptions::default());
            let decoded = spooled.result.as_ref().unwrap();
            assert_eq!(decoded.stats.backend, DecodeBackend::Ffmpeg);
            check_fixture(fixture, decoded);
        } else {
            let spooled = decode(&path, &DecodeOptions::without_ffmpeg());
            let decoded = spooled
                .result
                .as_ref()
                .unwrap_or_else(|e| panic!("{}: {e}", fixture.file));
            assert_eq!(decoded.stats.backend, DecodeBackend::Symphonia);
            assert_eq!(decoded.stats.packets_skipped, 0, "{}", fixture.file);
            assert_eq!(decoded.stats.concealed_frames, 0, "{}", fixture.file);
            check_fixture(fixture, decoded);
        }
    }
}

#[test]
fn a_missing_ffmpeg_is_named_in_the_refusal() {
    let options = DecodeOptions {
        ffmpeg: Some("/nonexistent/ffmpeg-for-test".into()),
    };
    let error = decode(&testdata("tone_opus.webm"), &options)
        .result
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, DecodeError::NotDecodable(_)), "{message}");
    assert!(
        message.contains("opus")
            && message.contains("not installed")
            && message.contains("/nonexistent/ffmpeg-for-test"),
        "{message}"
    );
}

#[test]
fn a_video_without_audio_is_refused_as_such() {
    let error = decode(&testdata("clip_vp9_live.webm"), &DecodeOptions::default())
        .result
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, DecodeError::NotDecodable(_)), "{message}");
    assert!(message.contains("no audio track"), "{message}");
}

#[test]
fn sixteen_khz_pcm_passes_through_sample_exact() {
    let path = shared_fixture("support_call_mono16k.wav");
    let spooled = decode(&path, &DecodeOptions::without_ffmpeg());
    let audio = &spooled.result.as_ref().unwrap().audio;
    assert_eq!(audio.channels.len(), 1);
    assert_eq!(audio.source_sample_rate, SAMPLE_RATE);
    assert!(
        (audio.duration_secs() - 29.0).abs() < 0.29,
        "{}",
        audio.duration_secs()
    );
    let source = read_pcm16_wav(&path);
    let decoded = audio.channels[0].read_all().unwrap();
    assert_eq!(decoded.len(), source.len());
    let first_difference = decoded.iter().zip(&source).position(|(a, b)| a != b);
    assert_eq!(
        first_difference, None,
        "decoded samples differ from the source"
    );
}

#[test]
fn two_channel_call_keeps_agent_and_customer_apart() {
    let path = shared_fixture("delivery_call_stereo_8k_ulaw.wav");
    let spooled = decode(&path, &DecodeOptions::without_ffmpeg());
    let audio = &spooled.result.as_ref().unwrap().audio;
    assert_eq!(audio.channels.len(), 2);
    assert_eq!(audio.source_codec, "pcm_mulaw");
    assert_eq!(audio.source_sample_rate, 8_000);
    assert!(
        (audio.duration_secs() - 68.3).abs() < 0.683,
        "{}",
        audio.duration_secs()
    );
    let agent = audio.channels[0].read_all().unwrap();
    let customer = audio.channels[1].read_all().unwrap();
    let second = SAMPLE_RATE as usize;
    let levels: Vec<(f64, f64)> = agent
        .chunks(second)
        .zip(customer.chunks(second))
        .map(|(a, c)| (rms(a), rms(c)))
        .collect();
    // Loud: speech (RMS above -46 dBFS). Near silent: below -60 dBFS.
    const LOUD: f64 = 0.005;
    const SILENT: f64 = 0.001;
    let mut turns: Vec<usize> = Vec::new();
    for (second, (a, c)) in levels.iter().enumerate() {
        assert!(
            a.min(*c) < SILENT,
            "second {second}: both channels carry sound (agent {a:.4}, customer {c:.4})"
        );
        if a.max(*c) > LOUD {
            let speaker = if a > c { 0 } else { 1 };
            if turns.last() != Some(&speaker) {
                turns.push(speaker);
            }
        }
    }
    // The reference transcripts: one line per turn, the agent opening the call.
    let lines = |name: &str| {
        std::fs::read_to_string(shared_fixture(name))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
    };
    let agent_turns = turns.iter().filter(|s| **s == 0).count();
    let customer_turns = turns.len() - agent_turns;
    assert_eq!(turns.first(), Some(&0), "the agent speaks first: {turns:?}");
    assert_eq!(
        agent_turns,
        lines("delivery_call_agent_ch0.txt"),
        "{turns:?}"
    );
    assert_eq!(
        customer_turns,
        lines("delivery_call_customer_ch1.txt"),
        "{turns:?}"
    );
}

/// The samples of a 16-bit PCM WAV as `f32` (`i16 / 32768`), read independently of symphonia.
fn read_pcm16_wav(path: &std::path::Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap();
    let mut at = 12;
    while &bytes[at..at + 4] != b"data" {
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 8 + size + (size & 1);
    }
    let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
    let data = &bytes[at + 8..(at + 8 + size).min(bytes.len())];
    data.chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0)
        .collect()
}
