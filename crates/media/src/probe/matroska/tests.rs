//! Matroska/WebM edge cases built from hand-made EBML (real files: tests/probe.rs).

use super::*;
use std::io::Cursor;

fn id_bytes(id: u32) -> Vec<u8> {
    let bytes = id.to_be_bytes();
    let skip = bytes.iter().position(|&b| b != 0).unwrap_or(3);
    bytes[skip..].to_vec()
}

/// An element with an 8-byte size field (always valid, like mkvmerge writes).
fn el(id: u32, payload: &[u8]) -> Vec<u8> {
    let mut b = id_bytes(id);
    b.push(0x01);
    b.extend_from_slice(&(payload.len() as u64).to_be_bytes()[1..]);
    b.extend_from_slice(payload);
    b
}

/// An element of unknown size (live streams).
fn el_unknown(id: u32, payload: &[u8]) -> Vec<u8> {
    let mut b = id_bytes(id);
    b.push(0xFF);
    b.extend_from_slice(payload);
    b
}

fn uint(id: u32, value: u64) -> Vec<u8> {
    el(id, &value.to_be_bytes())
}

fn float(id: u32, value: f64) -> Vec<u8> {
    el(id, &value.to_be_bytes())
}

fn ebml_header(doc: &str) -> Vec<u8> {
    el(id::EBML, &el(id::DOC_TYPE, doc.as_bytes()))
}

fn audio_track(number: u64, codec: &str, channels: u64, rate: f64) -> Vec<u8> {
    let audio = el(
        id::AUDIO,
        &[
            uint(id::CHANNELS, channels),
            float(id::SAMPLING_FREQUENCY, rate),
        ]
        .concat(),
    );
    el(
        id::TRACK_ENTRY,
        &[
            uint(id::TRACK_NUMBER, number),
            uint(id::TRACK_TYPE, 2),
            el(id::CODEC_ID, codec.as_bytes()),
            audio,
        ]
        .concat(),
    )
}

fn video_track(number: u64, codec: &str, default_duration_ns: u64) -> Vec<u8> {
    el(
        id::TRACK_ENTRY,
        &[
            uint(id::TRACK_NUMBER, number),
            uint(id::TRACK_TYPE, 1),
            el(id::CODEC_ID, codec.as_bytes()),
            uint(id::DEFAULT_DURATION, default_duration_ns),
        ]
        .concat(),
    )
}

fn simple_block(track: u8, rel: i16, payload: &[u8]) -> Vec<u8> {
    let mut body = vec![0x80 | track];
    body.extend_from_slice(&rel.to_be_bytes());
    body.push(0x80);
    body.extend_from_slice(payload);
    el(id::SIMPLE_BLOCK, &body)
}

fn cluster(timestamp: u64, blocks: &[Vec<u8>]) -> Vec<u8> {
    el(
        id::CLUSTER,
        &[uint(id::CLUSTER_TIMESTAMP, timestamp), blocks.concat()].concat(),
    )
}

fn info(duration_ms: Option<f64>) -> Vec<u8> {
    let mut body = uint(id::TIMESTAMP_SCALE, 1_000_000);
    if let Some(d) = duration_ms {
        body.extend_from_slice(&float(id::DURATION, d));
    }
    el(id::INFO, &body)
}

fn run(bytes: Vec<u8>) -> Result<Facts, ProbeError> {
    probe(&mut Source::new(Cursor::new(bytes)).unwrap())
}

#[test]
fn audio_only_with_declared_duration() {
    let segment = el(
        id::SEGMENT,
        &[
            info(Some(2008.0)),
            el(id::TRACKS, &audio_track(1, "A_OPUS", 1, 48_000.0)),
            cluster(0, &[simple_block(1, 0, &[0; 20])]),
        ]
        .concat(),
    );
    let facts = run([ebml_header("webm"), segment].concat()).unwrap();
    assert!(!facts.has_video);
    assert_eq!(facts.codec.as_deref(), Some("opus"));
    assert_eq!(facts.duration_ms, Some(2008));
    assert_eq!(facts.channels, Some(1));
    assert_eq!(facts.sample_rate, Some(48_000));
}

#[test]
fn video_track_makes_it_video_and_audio_facts_remain() {
    let tracks = el(
        id::TRACKS,
        &[
            video_track(1, "V_VP9", 40_000_000),
            audio_track(2, "A_VORBIS", 2, 44_100.0),
        ]
        .concat(),
    );
    let segment = el(id::SEGMENT, &[info(Some(1500.0)), tracks].concat());
    let facts = run([ebml_header("matroska"), segment].concat()).unwrap();
    assert!(facts.has_video);
    assert_eq!(facts.codec.as_deref(), Some("vp9"));
    assert_eq!(facts.channels, Some(2));
    assert_eq!(facts.sample_rate, Some(44_100));
    assert_eq!(facts.duration_ms, Some(1500));
}

#[test]
fn live_recording_duration_comes_from_the_last_cluster() {
    // Unknown-size Segment and Clusters, no Duration: what browsers' MediaRecorder writes.
    // The last block payload contains the Cluster ID bytes to tempt the backwards scan.
    let decoy = [&CLUSTER_BYTES[..], &[0x85, 0xA3, 0x81, 0x00, 0x00, 0x00]].concat();
    let body = [
        info(None),
        el(
            id::TRACKS,
            &[
                video_track(1, "V_VP8", 100_000_000),
                audio_track(2, "A_OPUS", 2, 48_000.0),
            ]
            .concat(),
        ),
        el_unknown(
            id::CLUSTER,
            &[
                uint(id::CLUSTER_TIMESTAMP, 0),
                simple_block(1, 0, &[0; 30]),
                simple_block(2, 20, &[0; 30]),
            ]
            .concat(),
        ),
        el_unknown(
            id::CLUSTER,
            &[
                uint(id::CLUSTER_TIMESTAMP, 1000),
                simple_block(2, 880, &[0; 30]),
                simple_block(1, 900, &decoy),
            ]
            .concat(),
        ),
    ]
    .concat();
    let facts = run([ebml_header("webm"), el_unknown(id::SEGMENT, &body)].concat()).unwrap();
    // last video frame starts at 1900 ms and lasts 100 ms (DefaultDuration)
    assert_eq!(facts.duration_ms, Some(2000));
    assert!(facts.has_video);
    assert_eq!(facts.codec.as_deref(), Some("vp8"));
}

#[test]
fn block_duration_and_timestamp_scale_are_honoured() {
    let group = el(
        id::BLOCK_GROUP,
        &[
            el(id::BLOCK, &[0x81, 0x00, 0x0A, 0x00, 1, 2]),
            uint(0x9B, 50),
        ]
        .concat(),
    );
    let info = el(id::INFO, &uint(id::TIMESTAMP_SCALE, 2_000_000)); // 2 ms ticks, no Duration
    let segment = el(
        id::SEGMENT,
        &[
            info,
            el(id::TRACKS, &audio_track(1, "A_AAC", 2, 16_000.0)),
            cluster(100, &[group]),
        ]
        .concat(),
    );
    let facts = run([ebml_header("matroska"), segment].concat()).unwrap();
    // (100 + 10 + 50) ticks of 2 ms
    assert_eq!(facts.duration_ms, Some(320));
    assert_eq!(facts.codec.as_deref(), Some("aac"));
}

#[test]
fn tracks_after_clusters_are_found_through_the_seek_head() {
    let cluster_bytes = cluster(0, &[simple_block(1, 0, &[0; 10])]);
    let info_bytes = info(Some(750.0));
    // SeekHead is fixed-size, so positions can be computed before building it.
    let seek = |target: u32, pos: u64| {
        el(
            id::SEEK,
            &[
                el(id::SEEK_ID, &target.to_be_bytes()),
                uint(id::SEEK_POSITION, pos),
            ]
            .concat(),
        )
    };
    let seek_head_len = el(id::SEEK_HEAD, &seek(id::TRACKS, 0)).len() as u64;
    let tracks_pos = seek_head_len + info_bytes.len() as u64 + cluster_bytes.len() as u64;
    let body = [
        el(id::SEEK_HEAD, &seek(id::TRACKS, tracks_pos)),
        info_bytes,
        cluster_bytes,
        el(id::TRACKS, &audio_track(1, "A_FLAC", 1, 8000.0)),
    ]
    .concat();
    let facts = run([ebml_header("matroska"), el(id::SEGMENT, &body)].concat()).unwrap();
    assert_eq!(facts.codec.as_deref(), Some("flac"));
    assert_eq!(facts.duration_ms, Some(750));
}

#[test]
fn unusable_files_are_not_media() {
    let subtitle = el(
        id::TRACK_ENTRY,
        &[
            uint(id::TRACK_NUMBER, 1),
            uint(id::TRACK_TYPE, 17),
            el(id::CODEC_ID, b"S_TEXT/UTF8"),
        ]
        .concat(),
    );
    let cases = [
        (
            [ebml_header("webm"), el(id::SEGMENT, &info(Some(1.0)))].concat(),
            "no Tracks",
        ),
        (
            [
                ebml_header("webm"),
                el(id::SEGMENT, &el(id::TRACKS, &subtitle)),
            ]
            .concat(),
            "no audio or video",
        ),
        (
            [
                ebml_header("webm"),
                el(id::SEGMENT, &el_unknown(id::TRACKS, &subtitle)),
            ]
            .concat(),
            "unknown size",
        ),
        (
            [ebml_header("webm"), el(id::INFO, &[])].concat(),
            "no Segment",
        ),
        (ebml_header("webm"), "no Segment"),
        (vec![0x1A, 0x45, 0xDF, 0xA3, 0xFF], "no size"),
        (
            [ebml_header("webm"), el(id::SEGMENT, &[0x00, 0x00, 0x00])].concat(),
            "corrupt element",
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

const CLUSTER_BYTES: [u8; 4] = id::CLUSTER.to_be_bytes();

#[test]
fn codec_names() {
    let track = |codec: &str, bits| TrackEntry {
        codec_id: codec.into(),
        bit_depth: bits,
        ..TrackEntry::default()
    };
    let cases = [
        (track("V_MPEG4/ISO/AVC", None), "h264"),
        (track("V_MPEG4/ISO/ASP", None), "mpeg4"),
        (track("A_AAC/MPEG4/LC", None), "aac"),
        (track("A_PCM/INT/LIT", Some(24)), "pcm_s24le"),
        (track("A_PCM/INT/LIT", Some(8)), "pcm_u8"),
        (track("A_PCM/FLOAT/IEEE", Some(32)), "pcm_f32le"),
        (track("A_TTA1", None), "a_tta1"),
        (track("", None), "unknown"),
    ];
    for (t, name) in cases {
        assert_eq!(codec_name(&t), name, "{}", t.codec_id);
    }
}
