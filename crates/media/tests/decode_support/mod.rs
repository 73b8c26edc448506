//! Shared helpers for the decode tests: signal measurements and a streaming WAV writer.

#![allow(dead_code)] // each test binary uses its own subset

use std::f64::consts::PI;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub const RATE: f64 = 16_000.0;

pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/media")
        .join(name)
}

pub fn shared_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/audio")
        .join(name)
}

/// Whether an `ffmpeg` binary runs here (tests of the fallback skip, loudly, without it).
pub fn ffmpeg_available() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The amplitude of the `freq` component of `samples` (Goertzel; exact when the window holds
/// a whole number of cycles).
pub fn amplitude_at(samples: &[f32], freq: f64, rate: f64) -> f64 {
    let w = 2.0 * PI * freq / rate;
    let (mut re, mut im) = (0.0, 0.0);
    for (n, s) in samples.iter().enumerate() {
        let phase = w * n as f64;
        re += *s as f64 * phase.cos();
        im -= *s as f64 * phase.sin();
    }
    2.0 * (re * re + im * im).sqrt() / samples.len() as f64
}

pub fn rms(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// The share of the signal's power that is a sine at `freq` (1.0 = a pure tone at exactly
/// that frequency; a tone a few Hz off scores near 0 over a window of many cycles).
pub fn tone_fraction(samples: &[f32], freq: f64, rate: f64) -> f64 {
    let amplitude = amplitude_at(samples, freq, rate);
    (amplitude * amplitude / 2.0) / rms(samples).powi(2)
}

/// The middle `len` samples of `samples`.
pub fn middle(samples: &[f32], len: usize) -> &[f32] {
    assert!(samples.len() >= len, "{} < {len}", samples.len());
    let start = (samples.len() - len) / 2;
    &samples[start..start + len]
}

/// How [`write_wav`] stores samples.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WavFormat {
    Pcm16,
    Float32,
}

/// Writes a WAV of `frames` frames, sample by sample (never held in memory).
pub fn write_wav(
    path: &Path,
    format: WavFormat,
    rate: u32,
    channels: u16,
    frames: u64,
    mut sample: impl FnMut(u64, u16) -> f32,
) {
    let (tag, width) = match format {
        WavFormat::Pcm16 => (1u16, 2u16),
        WavFormat::Float32 => (3, 4),
    };
    let data_bytes = frames * channels as u64 * width as u64;
    let mut out = BufWriter::new(File::create(path).unwrap());
    out.write_all(b"RIFF").unwrap();
    out.write_all(&(36 + data_bytes as u32).to_le_bytes())
        .unwrap();
    out.write_all(b"WAVEfmt ").unwrap();
    out.write_all(&16u32.to_le_bytes()).unwrap();
    out.write_all(&tag.to_le_bytes()).unwrap();
    out.write_all(&channels.to_le_bytes()).unwrap();
    out.write_all(&rate.to_le_bytes()).unwrap();
    out.write_all(&(rate * (channels * width) as u32).to_le_bytes())
        .unwrap();
    out.write_all(&(channels * width).to_le_bytes()).unwrap();
    out.write_all(&(width * 8).to_le_bytes()).unwrap();
    out.write_all(b"data").unwrap();
    out.write_all(&(data_bytes as u32).to_le_bytes()).unwrap();
    for frame in 0..frames {
        for channel in 0..channels {
            let value = sample(frame, channel);
            match format {
                WavFormat::Pcm16 => {
                    let pcm = (value.clamp(-1.0, 1.0) * 32767.0).round() as i16;
                    out.write_all(&pcm.to_le_bytes()).unwrap();
                }
                WavFormat::Float32 => out.write_all(&value.to_le_bytes()).unwrap(),
            }
        }
    }
    out.flush().unwrap();
}

/// A sine of `freq` Hz and `amplitude` at sample `n` of a `rate` Hz signal.
pub fn sine(freq: f64, amplitude: f64, rate: u32, n: u64) -> f32 {
    (amplitude * (2.0 * PI * freq * n as f64 / rate as f64).sin()) as f32
}
