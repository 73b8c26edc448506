//! MP3 edge cases built in memory (real files: tests/probe.rs).

use super::*;
use std::io::Cursor;

/// MPEG-2 layer III, 32 kbit/s, 22.05 kHz, mono: 104-byte frames of 576 samples.
const HEADER: [u8; 4] = [0xFF, 0xF3, 0x40, 0xC4];

fn frames(count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..count {
        out.extend_from_slice(&HEADER);
        out.resize(out.len() + 100, 0);
    }
    out
}

fn id3(body_len: u8) -> Vec<u8> {
    let mut tag = vec![b'I', b'D', b'3', 3, 0, 0, 0, 0, 0, body_len];
    tag.resize(10 + usize::from(body_len), 0x20);
    tag
}

fn run(bytes: Vec<u8>) -> Result<(Container, Facts), ProbeError> {
    probe(&mut Source::new(Cursor::new(bytes)).unwrap())
}

#[test]
fn cbr_duration_comes_from_size_and_bitrate() {
    let (container, facts) = run(frames(100)).unwrap();
    assert_eq!(container, Container::Mp3);
    assert_eq!(facts.duration_ms, Some(2600)); // 10_400 bytes at 32 kbit/s
    assert_eq!(facts.channels, Some(1));
    assert_eq!(facts.sample_rate, Some(22_050));
    assert_eq!(facts.codec.as_deref(), Some("mp3"));

    // Tags at either end do not count as audio.
    let mut tagged = [id3(40), frames(100)].concat();
    tagged.extend_from_slice(b"TAG");
    tagged.resize(tagged.len() + 125, 0);
    assert_eq!(run(tagged).unwrap().1.duration_ms, Some(2600));
}

#[test]
fn xing_and_vbri_frame_counts_win() {
    let mut xing = frames(3);
    xing[13..17].copy_from_slice(b"Xing");
    xing[17..21].copy_from_slice(&1u32.to_be_bytes());
    xing[21..25].copy_from_slice(&200u32.to_be_bytes());
    assert_eq!(
        run(xing).unwrap().1.duration_ms,
        Some(200 * 576 * 1000 / 22_050)
    );

    let mut vbri = frames(3);
    vbri[36..40].copy_from_slice(b"VBRI");
    vbri[50..54].copy_from_slice(&300u32.to_be_bytes());
    assert_eq!(
        run(vbri).unwrap().1.duration_ms,
        Some(300 * 576 * 1000 / 22_050)
    );

    // A Xing tag without the frame-count flag falls back to the size estimate.
    let mut no_count = frames(3);
    no_count[13..17].copy_from_slice(b"Xing");
    assert_eq!(run(no_count).unwrap().1.duration_ms, Some(78));
}

#[test]
fn flac_behind_an_id3_tag_is_flac() {
    let mut info = [0u8; 34];
    info[10..13].copy_from_slice(&[0x03, 0xE8, 0x00]); // 16 kHz, mono
    info[14..18].copy_from_slice(&16_000u32.to_be_bytes());
    let bytes = [
        id3(20),
        b"fLaC".to_vec(),
        vec![0x80, 0, 0, 34],
        info.to_vec(),
    ]
    .concat();
    let (container, facts) = run(bytes).unwrap();
    assert_eq!(container, Container::Flac);
    assert_eq!(facts.sample_rate, Some(16_000));
    assert_eq!(facts.duration_ms, Some(1000));
}

#[test]
fn tags_without_audio_are_not_media() {
    let cases = [
        (id3(20), "ends inside its ID3 tag"),
        (
            [id3(20), b"this is not audio at all".to_vec()].concat(),
            "no MPEG audio frames",
        ),
        (
            [id3(20), HEADER.to_vec(), vec![0x42; 300]].concat(),
            "no MPEG audio frames",
        ),
    ];
    for (bytes, needle) in cases {
        match run(bytes) {
            Err(ProbeError::NotMedia(reason)) => assert!(reason.contains(needle), "{reason}"),
            other => panic!("{needle}: {other:?}"),
        }
    }
}
