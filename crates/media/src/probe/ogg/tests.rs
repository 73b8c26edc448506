//! Ogg edge cases built from hand-made pages (real files: tests/probe.rs).

use super::*;
use std::io::Cursor;

/// One Ogg page holding `body` as a single packet (body < 255 * 255 bytes).
fn page(serial: u32, granule: i64, bos: bool, body: &[u8]) -> Vec<u8> {
    let mut lacing = vec![255u8; body.len() / 255];
    lacing.push((body.len() % 255) as u8);
    let mut p = b"OggS\0".to_vec();
    p.push(if bos { 0x02 } else { 0 });
    p.extend_from_slice(&granule.to_le_bytes());
    p.extend_from_slice(&serial.to_le_bytes());
    p.extend_from_slice(&0u32.to_le_bytes()); // sequence
    p.extend_from_slice(&0u32.to_le_bytes()); // CRC, filled below
    p.push(lacing.len() as u8);
    p.extend_from_slice(&lacing);
    p.extend_from_slice(body);
    let crc = compute_crc(&p);
    p[22..26].copy_from_slice(&crc.to_le_bytes());
    p
}

fn compute_crc(page: &[u8]) -> u32 {
    page.iter().fold(0u32, |crc, &b| {
        (crc << 8) ^ CRC_TABLE[usize::from((crc >> 24) as u8 ^ b)]
    })
}

fn opus_head(channels: u8, pre_skip: u16) -> Vec<u8> {
    let mut h = b"OpusHead\x01".to_vec();
    h.push(channels);
    h.extend_from_slice(&pre_skip.to_le_bytes());
    h.extend_from_slice(&16_000u32.to_le_bytes());
    h.extend_from_slice(&[0, 0, 0]);
    h
}

fn vorbis_head(channels: u8, rate: u32) -> Vec<u8> {
    let mut h = b"\x01vorbis\0\0\0\0".to_vec();
    h.push(channels);
    h.extend_from_slice(&rate.to_le_bytes());
    h.extend_from_slice(&[0; 14]);
    h
}

fn run(bytes: Vec<u8>) -> Result<Facts, ProbeError> {
    probe(&mut Source::new(Cursor::new(bytes)).unwrap())
}

#[test]
fn crc_matches_a_known_page() {
    let p = page(7, 0, true, b"hello");
    assert!(crc_ok(&p));
    let mut corrupt = p.clone();
    corrupt[30] ^= 1;
    assert!(!crc_ok(&corrupt));
}

#[test]
fn opus_duration_subtracts_pre_skip_at_48k() {
    let bytes = [
        page(1, 0, true, &opus_head(2, 312)),
        page(1, 0, false, b"OpusTags"),
        page(1, 48_000 + 312, false, &[0; 100]),
        page(1, 96_000 + 312, false, &[0; 100]),
    ]
    .concat();
    let facts = run(bytes).unwrap();
    assert_eq!(facts.codec.as_deref(), Some("opus"));
    assert_eq!(facts.channels, Some(2));
    assert_eq!(facts.sample_rate, Some(48_000));
    assert_eq!(facts.duration_ms, Some(2000));
    assert!(!facts.has_video);
}

#[test]
fn multiplexed_streams_use_the_audio_serial_and_valid_pages() {
    let mut bad_crc = page(2, 44_100 * 9, false, &[0; 50]);
    bad_crc[40] ^= 0xFF; // corrupt body: must be ignored
    let bytes = [
        page(1, 0, true, b"\x80theora and the rest of its header"),
        page(2, 0, true, &vorbis_head(1, 44_100)),
        page(1, 5, false, &[0; 60]),
        page(2, 44_100 * 3, false, &[0; 60]),
        bad_crc,
        page(1, 99, false, &[0; 60]), // later, but the video stream
        page(2, -1, false, &[0; 60]), // no granule on this page
    ]
    .concat();
    let facts = run(bytes).unwrap();
    assert!(facts.has_video);
    assert_eq!(facts.codec.as_deref(), Some("theora"));
    assert_eq!(facts.channels, Some(1));
    assert_eq!(facts.sample_rate, Some(44_100));
    assert_eq!(facts.duration_ms, Some(3000));
}

#[test]
fn video_only_has_no_duration() {
    let bytes = [
        page(1, 0, true, b"\x80theora header"),
        page(1, 10, false, &[0; 9]),
    ]
    .concat();
    let facts = run(bytes).unwrap();
    assert!(facts.has_video);
    assert_eq!(facts.duration_ms, None);
    assert_eq!(facts.channels, None);
}

#[test]
fn unusable_streams_are_not_media() {
    let cases = [
        (page(1, 0, true, b"fishead\0 skeleton only"), "carries no"),
        (page(1, 0, false, &vorbis_head(1, 8000)), "does not begin"),
        (page(1, 0, true, &opus_head(0, 0)), "no channels"),
        (page(1, 0, true, b"\x01vorbis\0"), "cut short"),
        (b"OggS\0\x02\0\0".to_vec(), "truncated"),
    ];
    for (bytes, needle) in cases {
        match run(bytes) {
            Err(ProbeError::NotMedia(reason)) => {
                assert!(reason.contains(needle), "{needle}: {reason}")
            }
            other => panic!("{needle}: {other:?}"),
        }
    }
}
