//! MP4 box-walking edge cases built in memory (real files: tests/probe.rs).

use super::*;
use std::io::Cursor;

fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(payload);
    b
}

fn large_boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = 1u32.to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(&((payload.len() + 16) as u64).to_be_bytes());
    b.extend_from_slice(payload);
    b
}

/// mvhd/mdhd payload, version 0.
fn timing_v0(timescale: u32, duration: u32) -> Vec<u8> {
    let mut b = vec![0u8; 20];
    b[12..16].copy_from_slice(&timescale.to_be_bytes());
    b[16..20].copy_from_slice(&duration.to_be_bytes());
    b.resize(100, 0);
    b
}

fn timing_v1(timescale: u32, duration: u64) -> Vec<u8> {
    let mut b = vec![1u8; 1];
    b.resize(20, 0);
    b.extend_from_slice(&timescale.to_be_bytes());
    b.extend_from_slice(&duration.to_be_bytes());
    b.resize(112, 0);
    b
}

fn hdlr(handler: &[u8; 4]) -> Vec<u8> {
    boxed(b"hdlr", &[&[0u8; 8][..], handler, &[0u8; 13]].concat())
}

fn stsd(entry: Vec<u8>) -> Vec<u8> {
    boxed(b"stsd", &[vec![0, 0, 0, 0, 0, 0, 0, 1], entry].concat())
}

fn sound_entry(format: &[u8; 4], channels: u16, rate: u16) -> Vec<u8> {
    let mut b = vec![0u8; 28];
    b[16..18].copy_from_slice(&channels.to_be_bytes());
    b[24..26].copy_from_slice(&rate.to_be_bytes());
    boxed(format, &b)
}

fn trak(handler: &[u8; 4], timescale: u32, duration: u32, entry: Vec<u8>) -> Vec<u8> {
    let stbl = boxed(b"stbl", &[stsd(entry), boxed(b"stts", &[0; 8])].concat());
    let minf = boxed(b"minf", &[boxed(b"smhd", &[0; 8]), stbl].concat());
    let mdia = boxed(
        b"mdia",
        &[
            boxed(b"mdhd", &timing_v0(timescale, duration)),
            hdlr(handler),
            minf,
        ]
        .concat(),
    );
    boxed(b"trak", &[boxed(b"tkhd", &[0; 84]), mdia].concat())
}

fn ftyp() -> Vec<u8> {
    boxed(b"ftyp", b"isom\0\0\x02\0isomiso2")
}

fn run(bytes: Vec<u8>) -> Result<Facts, ProbeError> {
    probe(&mut Source::new(Cursor::new(bytes)).unwrap())
}

#[test]
fn video_with_audio_and_moov_after_a_large_mdat() {
    let moov = boxed(
        b"moov",
        &[
            boxed(b"mvhd", &timing_v0(1000, 2500)),
            trak(b"vide", 12_800, 32_000, boxed(b"avc1", &[0; 78])),
            trak(b"soun", 48_000, 120_000, sound_entry(b"Opus", 2, 48_000)),
        ]
        .concat(),
    );
    let bytes = [ftyp(), large_boxed(b"mdat", &[0xAB; 3000]), moov].concat();
    let facts = run(bytes).unwrap();
    assert!(facts.has_video);
    assert_eq!(facts.codec.as_deref(), Some("h264"));
    assert_eq!(facts.duration_ms, Some(2500));
    assert_eq!(facts.channels, Some(2));
    assert_eq!(facts.sample_rate, Some(48_000));
}

#[test]
fn audio_only_with_zero_rate_uses_the_track_clock() {
    let moov = boxed(
        b"moov",
        &[
            boxed(b"mvhd", &timing_v1(600, 1800)),
            trak(b"soun", 8000, 24_000, sound_entry(b"ulaw", 1, 0)),
            trak(b"text", 600, 1800, boxed(b"tx3g", &[0; 30])),
        ]
        .concat(),
    );
    let facts = run([ftyp(), moov, boxed(b"mdat", &[0; 10])].concat()).unwrap();
    assert!(!facts.has_video);
    assert_eq!(facts.codec.as_deref(), Some("pcm_mulaw"));
    assert_eq!(facts.duration_ms, Some(3000));
    assert_eq!(facts.channels, Some(1));
    assert_eq!(facts.sample_rate, Some(8000));
}

#[test]
fn fragmented_files_fall_back_to_mehd_then_tracks() {
    let mehd = boxed(b"mvex", &boxed(b"mehd", &[0, 0, 0, 0, 0, 0, 0x0B, 0xB8]));
    let with_mehd = boxed(
        b"moov",
        &[
            boxed(b"mvhd", &timing_v0(1000, 0)),
            mehd,
            trak(b"soun", 44_100, 0, sound_entry(b"mp4a", 2, 44_100)),
        ]
        .concat(),
    );
    assert_eq!(
        run([ftyp(), with_mehd].concat()).unwrap().duration_ms,
        Some(3000)
    );

    let tracks_only = boxed(
        b"moov",
        &[
            boxed(b"mvhd", &timing_v0(1000, 0)),
            trak(b"soun", 44_100, 88_200, sound_entry(b"mp4a", 2, 44_100)),
        ]
        .concat(),
    );
    assert_eq!(
        run([ftyp(), tracks_only].concat()).unwrap().duration_ms,
        Some(2000)
    );

    let unknown = boxed(
        b"moov",
        &[
            boxed(b"mvhd", &timing_v0(1000, u32::MAX)),
            trak(b"soun", 44_100, 0, sound_entry(b"mp4a", 2, 44_100)),
        ]
        .concat(),
    );
    assert_eq!(run([ftyp(), unknown].concat()).unwrap().duration_ms, None);
}

#[test]
fn broken_structures_are_not_media() {
    let good_trak = trak(b"soun", 8000, 8000, sound_entry(b"mp4a", 1, 8000));
    let mut truncated_moov = boxed(
        b"moov",
        &[boxed(b"mvhd", &timing_v0(1000, 1000)), good_trak.clone()].concat(),
    );
    truncated_moov.truncate(truncated_moov.len() - 10);
    let mut overflowing = boxed(b"moov", &boxed(b"mvhd", &timing_v0(1000, 1000)));
    overflowing[11] = 0xFF; // mvhd claims more than moov holds

    let cases = [
        ([ftyp(), boxed(b"mdat", &[0; 64])].concat(), "no moov"),
        ([ftyp(), truncated_moov].concat(), "cut short"),
        ([ftyp(), overflowing].concat(), "overflows"),
        (
            [
                ftyp(),
                boxed(b"moov", &boxed(b"mvhd", &timing_v0(1000, 1000))),
            ]
            .concat(),
            "no audio or video track",
        ),
        (
            [ftyp(), vec![0, 0, 0, 4, b'f', b'r', b'e', b'e']].concat(),
            "impossible size",
        ),
        (
            [ftyp(), boxed(b"moov", &boxed(b"mvhd", &[7, 0, 0]))].concat(),
            "mvhd",
        ),
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
