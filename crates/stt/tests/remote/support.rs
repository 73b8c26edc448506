//! Shared pieces of the remote-engine tests: settings pointing at the stand-in, synthetic
//! "speech", channels on disk, and comparisons of what was sent with what was meant.

use super::stand_in::StandIn;
use scorejar_media::PcmChannel;
use scorejar_stt::remote::{RemoteEngine, RemoteSettings};
use scorejar_stt::{ChannelRequest, ChannelTranscript, Siblings, SpeechEngine, SttError};
use std::time::Duration;

pub const KEY: &str = "sk-test-key-0123456789";
pub const SEC: usize = 16_000;

pub fn settings(server: &StandIn, key: Option<&str>) -> RemoteSettings {
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
pub fn speech(len: usize, gaps: &[(usize, usize)]) -> Vec<f32> {
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

pub fn channel(dir: &tempfile::TempDir, name: &str, samples: &[f32]) -> PcmChannel {
    PcmChannel::write(dir.path().join(name), samples).unwrap()
}

/// Whether 16-bit `sent` samples carry `original` (within one quantisation step).
pub fn same_audio(sent: &[i16], original: &[f32]) -> bool {
    sent.len() == original.len()
        && sent
            .iter()
            .zip(original)
            .all(|(s, o)| (f32::from(*s) / 32767.0 - o).abs() <= 1.0 / 32767.0 + 1e-6)
}

/// Where in `signal` the uploaded piece begins (its first samples are unique in the signal).
pub fn find_offset(signal: &[f32], piece: &[i16]) -> Option<usize> {
    let probe = &piece[..piece.len().min(64)];
    (0..=signal.len().saturating_sub(piece.len()))
        .find(|at| same_audio(probe, &signal[*at..*at + probe.len()]))
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

pub async fn transcribe(
    engine: &RemoteEngine,
    audio: &PcmChannel,
    language: Option<&str>,
) -> Result<ChannelTranscript, SttError> {
    engine
        .transcribe_channel(ChannelRequest {
            audio,
            language,
            siblings: Siblings::alone(),
        })
        .await
}
