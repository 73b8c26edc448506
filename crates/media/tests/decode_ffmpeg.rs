//! The ffmpeg fallback on codecs symphonia cannot read (files made here by ffmpeg itself; the
//! tests that need ffmpeg print `SKIPPED` and pass when it is not installed), and its failure
//! modes, which need no ffmpeg at all.

mod decode_support;

use decode_support::*;
use scorejar_media::decode::{decode_with, DecodeBackend, DecodeOptions};
use scorejar_media::DecodeError;
use std::path::Path;
use std::process::Command;

/// Has ffmpeg make `name` from a 2 s 440 Hz sine at `rate` with `codec_args`.
fn make(dir: &Path, name: &str, rate: u32, codec_args: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let source = format!("sine=frequency=440:sample_rate={rate}:duration=2");
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            &source,
        ])
        .args(codec_args)
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg could not make {name}");
    path
}

#[test]
fn codecs_symphonia_lacks_decode_through_ffmpeg() {
    if !ffmpeg_available() {
        eprintln!("SKIPPED codecs_symphonia_lacks_decode_through_ffmpeg: ffmpeg is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // (file, source rate, encoder arguments, codec name, frames of encoder padding allowed)
    let cases: [(&str, u32, &[&str], &str, u32); 5] = [
        // symphonia's MP4 reader drops the track: the header probe finds it.
        ("ac3.mp4", 44_100, &["-c:a", "ac3"], "ac3", 1536),
        // symphonia's Matroska reader knows the track but not its codec.
        ("ac3.mkv", 44_100, &["-c:a", "ac3"], "ac3", 1536),
        // symphonia's WAV reader refuses the format tag: the container cannot be opened.
        ("g722.wav", 16_000, &["-c:a", "g722"], "adpcm_g722", 0),
        ("mulaw.mov", 8_000, &["-c:a", "pcm_mulaw"], "pcm_mulaw", 0),
        ("opus.mkv", 48_000, &["-c:a", "libopus"], "opus", 0),
    ];
    for (name, rate, args, codec, padding) in cases {
        let path = make(dir.path(), name, rate, args);
        let refusal = decode_with(&path, dir.path(), &DecodeOptions::without_ffmpeg())
            .unwrap_err()
            .to_string();
        assert!(refusal.contains("built-in decoder"), "{name}: {refusal}");

        let decoded = decode_with(&path, dir.path(), &DecodeOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.stats.backend, DecodeBackend::Ffmpeg, "{name}");
        let audio = &decoded.audio;
        assert_eq!(audio.source_codec, codec, "{name}");
        assert_eq!(audio.source_sample_rate, rate, "{name}");
        assert_eq!(audio.channels.len(), 1, "{name}");
        let secs = audio.duration_secs();
        let high = 2.02 + padding as f64 / rate as f64;
        assert!((1.98..=high).contains(&secs), "{name}: {secs} s");
        let samples = audio.channels[0].read_all().unwrap();
        let fraction = tone_fraction(middle(&samples, 4000), 440.0, RATE);
        assert!(
            fraction > 0.9,
            "{name}: {fraction:.3} of the power at 440 Hz"
        );
    }
}

#[test]
fn a_failing_ffmpeg_is_reported_with_the_first_reason() {
    // `false` stands in for an ffmpeg that dies without a word: no ffmpeg needed.
    let Ok(program) = which_false() else {
        eprintln!("SKIPPED a_failing_ffmpeg_is_reported_with_the_first_reason: no `false`");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = DecodeOptions {
        ffmpeg: Some(program),
    };
    let error = decode_with(&testdata("tone_opus.ogg"), dir.path(), &options).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, DecodeError::NotDecodable(_)), "{message}");
    assert!(
        message.contains("cannot decode opus audio")
            && message.contains("ffmpeg could not decode it either"),
        "{message}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

fn which_false() -> Result<std::path::PathBuf, ()> {
    ["/bin/false", "/usr/bin/false"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
        .ok_or(())
}
