//! What is not decodable is refused with a reason (never a panic), damaged packets are
//! skipped without shifting what follows, and nothing is left in the spool directory.

mod decode_support;

use decode_support::*;
use scorejar_media::decode::{decode_with, DecodeOptions, Decoded, SAMPLE_RATE};
use scorejar_media::DecodeError;

/// A decode of bytes written to a temporary file, with its spool directory.
struct Attempt {
    result: Result<Decoded, DecodeError>,
    _input: tempfile::TempDir,
    _spool: tempfile::TempDir,
}

/// Decodes `bytes` as a file named `name`; a failed decode must leave the spool empty.
fn decode_bytes(name: &str, bytes: &[u8]) -> Attempt {
    let input = tempfile::tempdir().unwrap();
    let path = input.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let spool = tempfile::tempdir().unwrap();
    let result = decode_with(&path, spool.path(), &DecodeOptions::default());
    if result.is_err() {
        assert_eq!(
            std::fs::read_dir(spool.path()).unwrap().count(),
            0,
            "{name}: a failed decode left files behind"
        );
    }
    Attempt {
        result,
        _input: input,
        _spool: spool,
    }
}

fn refusal(name: &str, bytes: &[u8]) -> String {
    match decode_bytes(name, bytes).result {
        Err(DecodeError::NotDecodable(reason)) => reason,
        Err(other) => panic!("{name}: not a refusal: {other}"),
        Ok(decoded) => panic!("{name}: decoded {} s", decoded.audio.duration_secs()),
    }
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(testdata(name)).unwrap()
}

#[test]
fn non_media_is_refused_with_a_reason() {
    let wav = fixture_bytes("tone_pcm16_mono_8k.wav");
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("not_media.txt", fixture_bytes("not_media.txt"), "text file"),
        (
            "random.bin",
            fixture_bytes("random.bin"),
            "match no supported",
        ),
        ("empty.wav", Vec::new(), "empty"),
        // Cut inside the fmt chunk.
        ("header_cut.wav", wav[..30].to_vec(), "wav"),
        // A complete header and not one sample.
        ("no_samples.wav", wav[..44].to_vec(), "no pcm_s16le audio"),
        // A FLAC stream header and nothing after it.
        (
            "header_only.flac",
            fixture_bytes("tone.flac")[..42].to_vec(),
            "flac",
        ),
    ];
    for (name, bytes, expected) in cases {
        let reason = refusal(name, &bytes);
        assert!(
            reason.to_lowercase().contains(expected),
            "{name}: {reason:?} does not mention {expected:?}"
        );
    }
}

#[test]
fn random_bytes_behind_a_valid_signature_never_panic() {
    // Each container's magic followed by noise: whatever the demuxer makes of it, the answer
    // is a refusal or (rarely) some decoded noise — never a panic.
    let noise = fixture_bytes("random.bin");
    let signatures: [(&str, &[u8]); 6] = [
        ("a.wav", b"RIFF\x00\x10\x00\x00WAVEfmt "),
        ("a.flac", b"fLaC"),
        ("a.ogg", b"OggS\x00"),
        ("a.mkv", b"\x1A\x45\xDF\xA3"),
        ("a.mp4", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"),
        ("a.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00"),
    ];
    for (name, signature) in signatures {
        let mut bytes = signature.to_vec();
        bytes.extend_from_slice(&noise);
        match decode_bytes(name, &bytes).result {
            Ok(_) | Err(DecodeError::NotDecodable(_)) => {}
            Err(other) => panic!("{name}: {other}"),
        }
    }
}

#[test]
fn a_wav_cut_mid_data_keeps_the_audio_that_is_there() {
    // 2 s of 8 kHz 16-bit mono is 32 000 bytes of samples after a 44-byte header: keep 1 s.
    let wav = fixture_bytes("tone_pcm16_mono_8k.wav");
    let attempt = decode_bytes("cut.wav", &wav[..44 + 16_000]);
    let decoded = attempt.result.as_ref().unwrap();
    let secs = decoded.audio.duration_secs();
    assert!((secs - 1.0).abs() < 0.01, "{secs}");
}

#[test]
fn damaged_flac_frames_are_replaced_by_silence_of_their_length() {
    let mut flac = fixture_bytes("tone.flac");
    // Scribble over a stretch in the middle: the frames there fail their CRC and are dropped
    // (by the demuxer, so the decoder never sees them).
    let middle = flac.len() / 2;
    for byte in &mut flac[middle..middle + 600] {
        *byte ^= 0x5A;
    }
    let attempt = decode_bytes("damaged.flac", &flac);
    let decoded = attempt.result.as_ref().unwrap();
    let stats = &decoded.stats;
    // Whole 1152-frame blocks went missing, and exactly that much silence stands in for them.
    assert!(stats.concealed_frames > 0, "{stats:?}");
    assert_eq!(stats.concealed_frames % 1152, 0, "{stats:?}");
    // So the recording keeps its length, and the tone after the hole its place.
    assert_eq!(decoded.audio.channels[0].len(), 32_000);
    let samples = decoded.audio.channels[0].read_all().unwrap();
    let quarter = SAMPLE_RATE as usize / 4;
    for window in [&samples[..quarter], &samples[samples.len() - quarter..]] {
        assert!(tone_fraction(window, 440.0, RATE) > 0.99);
    }
    let silent = samples.iter().filter(|s| **s == 0.0).count() as u64;
    assert!(
        silent >= stats.concealed_frames / 2,
        "{silent} silent samples"
    );
}

#[test]
fn damaged_mp3_data_never_fails_the_whole_file() {
    let mut mp3 = fixture_bytes("tone.mp3");
    let middle = mp3.len() / 2;
    for (i, byte) in mp3[middle..middle + 2_000].iter_mut().enumerate() {
        *byte = (i * 37 % 251) as u8;
    }
    let attempt = decode_bytes("damaged.mp3", &mp3);
    let decoded = attempt.result.as_ref().unwrap();
    let secs = decoded.audio.duration_secs();
    assert!((1.8..=2.1).contains(&secs), "{secs} s, {:?}", decoded.stats);
}
