//! The upload's probe refuses exactly the WAV headers the built-in decoder refuses: an upload is
//! a 400 instead of a charge followed by a FAILED transcription, and a header the decoder reads
//! is never refused. Each case runs through both, so a decoder upgrade that moves the line
//! fails here rather than in production.

use scorejar_media::decode::{decode_with, DecodeOptions};
use scorejar_media::{probe_file, ProbeError};

/// A PCM s16 WAV: `channels` channels, 16 kHz, `body` bytes of samples after a `data` header
/// declaring `data` bytes, and a RIFF length of `riff` (default: the true one).
fn wav(channels: u16, data: u32, riff: Option<u32>, body: usize) -> Vec<u8> {
    let align = 2u16.wrapping_mul(channels);
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&riff.unwrap_or(36 + body as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&16_000u32.to_le_bytes());
    v.extend_from_slice(&(16_000u32.wrapping_mul(u32::from(align))).to_le_bytes());
    v.extend_from_slice(&align.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data.to_le_bytes());
    v.resize(44 + body, 0);
    v
}

#[test]
fn the_probe_refuses_what_the_decoder_refuses_and_nothing_else() {
    let second = 32_000;
    let cases = [
        ("well formed", wav(1, second, None, second as usize)),
        ("data size 0", wav(1, 0, None, second as usize)),
        ("data size 0, nothing after", wav(1, 0, None, 0)),
        ("RIFF length 12", wav(1, second, Some(12), second as usize)),
        ("RIFF length 0", wav(1, second, Some(0), second as usize)),
        (
            "RIFF length covers fmt only",
            wav(1, second, Some(36), second as usize),
        ),
        (
            "RIFF length 4 short",
            wav(1, second, Some(36 + second - 4), second as usize),
        ),
        (
            "RIFF length 5 short",
            wav(1, second, Some(36 + second - 5), second as usize),
        ),
        (
            "RIFF length 0xFFFFFFFF",
            wav(1, second, Some(u32::MAX), second as usize),
        ),
        (
            "data past the RIFF length",
            wav(1, 2 * second, None, second as usize),
        ),
        (
            "data past the file, RIFF agreeing",
            wav(1, 2 * second, Some(36 + 2 * second), second as usize),
        ),
        (
            "26 channels",
            wav(26, second * 26, None, second as usize * 26),
        ),
        (
            "27 channels",
            wav(27, second * 27, None, second as usize * 27),
        ),
        ("65535 channels", wav(65535, second, None, second as usize)),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    for (i, (name, bytes)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("{i}.wav"));
        std::fs::write(&path, bytes).unwrap();
        let probed = probe_file(&path);
        if let Err(e) = &probed {
            assert!(matches!(e, ProbeError::NotMedia(_)), "{name}: {e:?}");
        }
        let spool = dir.path().join(format!("spool-{i}"));
        std::fs::create_dir_all(&spool).unwrap();
        let decoded = decode_with(&path, &spool, &DecodeOptions::without_ffmpeg());
        if probed.is_ok() != decoded.is_ok() {
            disagreements.push(format!(
                "{name}: probe {:?}, decoder {:?}",
                probed.map(|_| "accepts"),
                decoded.map(|_| "decodes")
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
