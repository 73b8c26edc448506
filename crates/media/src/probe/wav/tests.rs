//! WAV edge cases built in memory (real files: tests/probe.rs).

use super::*;
use std::io::Cursor;

fn fmt(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let align = channels * bits.div_ceil(8);
    let mut b = Vec::new();
    b.extend_from_slice(&tag.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
    b.extend_from_slice(&align.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b
}

fn extensible(sub_tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let mut b = fmt(WAVE_FORMAT_EXTENSIBLE, channels, rate, bits);
    b.extend_from_slice(&22u16.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&sub_tag.to_le_bytes());
    b.extend_from_slice(b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71");
    b
}

fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = id.to_vec();
    b.extend_from_slice(&(body.len() as u32).to_le_bytes());
    b.extend_from_slice(body);
    if body.len() % 2 == 1 {
        b.push(0);
    }
    b
}

fn riff(magic: &[u8; 4], chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut b = magic.to_vec();
    b.extend_from_slice(&((body.len() + 4) as u32).to_le_bytes());
    b.extend_from_slice(b"WAVE");
    b.extend_from_slice(&body);
    b
}

fn probe_bytes(bytes: Vec<u8>) -> Result<Facts, ProbeError> {
    probe(&mut Source::new(Cursor::new(bytes)).unwrap())
}

fn expect(bytes: Vec<u8>, codec: &str, channels: u32, rate: u32, ms: Option<i64>) {
    let facts = probe_bytes(bytes).unwrap();
    assert_eq!(facts.codec.as_deref(), Some(codec));
    assert_eq!(facts.channels, Some(channels), "{codec}");
    assert_eq!(facts.sample_rate, Some(rate), "{codec}");
    assert_eq!(facts.duration_ms, ms, "{codec}");
    assert!(!facts.has_video);
}

#[test]
fn plain_formats() {
    let one_second_s16 = vec![0u8; 16_000];
    expect(
        riff(
            b"RIFF",
            &[
                chunk(b"fmt ", &fmt(1, 1, 8000, 16)),
                chunk(b"data", &one_second_s16),
            ],
        ),
        "pcm_s16le",
        1,
        8000,
        Some(1000),
    );
    expect(
        riff(
            b"RIFF",
            &[
                chunk(b"fmt ", &fmt(7, 2, 8000, 8)),
                chunk(b"data", &[0; 8000]),
            ],
        ),
        "pcm_mulaw",
        2,
        8000,
        Some(500),
    );
    expect(
        riff(
            b"RIFF",
            &[
                chunk(b"fmt ", &extensible(3, 2, 16_000, 32)),
                chunk(b"data", &[0; 12_800]),
            ],
        ),
        "pcm_f32le",
        2,
        16_000,
        Some(100),
    );
    expect(
        riff(
            b"RIFF",
            &[
                chunk(b"fmt ", &extensible(6, 1, 8000, 8)),
                chunk(b"data", &[0; 800]),
            ],
        ),
        "pcm_alaw",
        1,
        8000,
        Some(100),
    );
}

#[test]
fn odd_chunks_are_padded_and_order_does_not_matter() {
    let list = chunk(b"LIST", b"INFOabc"); // odd length, padded
    expect(
        riff(
            b"RIFF",
            &[
                list,
                chunk(b"fmt ", &fmt(1, 1, 8000, 16)),
                chunk(b"data", &[0; 1600]),
            ],
        ),
        "pcm_s16le",
        1,
        8000,
        Some(100),
    );
    // fmt after data: the walker must skip over the samples to find it.
    expect(
        riff(
            b"RIFF",
            &[
                chunk(b"data", &[0; 1600]),
                chunk(b"fmt ", &fmt(1, 1, 8000, 16)),
            ],
        ),
        "pcm_s16le",
        1,
        8000,
        Some(100),
    );
}

#[test]
fn lying_data_sizes_use_the_bytes_present() {
    let mut truncated = riff(
        b"RIFF",
        &[
            chunk(b"fmt ", &fmt(1, 1, 8000, 16)),
            chunk(b"data", &[0; 16_000]),
        ],
    );
    truncated.truncate(truncated.len() - 8000);
    expect(truncated, "pcm_s16le", 1, 8000, Some(500));
}

#[test]
fn rf64_uses_the_ds64_size() {
    let mut ds64 = Vec::new();
    ds64.extend_from_slice(&0u64.to_le_bytes());
    ds64.extend_from_slice(&800u64.to_le_bytes()); // real data size
    ds64.extend_from_slice(&400u64.to_le_bytes());
    ds64.extend_from_slice(&0u32.to_le_bytes());
    let mut data = chunk(b"data", &[0; 1600]);
    data[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let bytes = riff(
        b"RF64",
        &[
            chunk(b"ds64", &ds64),
            chunk(b"fmt ", &fmt(1, 1, 8000, 16)),
            data,
        ],
    );
    expect(bytes, "pcm_s16le", 1, 8000, Some(50));
}

#[test]
fn compressed_formats_use_fact_or_byte_rate() {
    let mut gsm = fmt(0x31, 1, 8000, 0);
    gsm[8..12].copy_from_slice(&1625u32.to_le_bytes());
    let fact = chunk(b"fact", &16_000u32.to_le_bytes());
    expect(
        riff(
            b"RIFF",
            &[chunk(b"fmt ", &gsm), fact, chunk(b"data", &[0; 3250])],
        ),
        "gsm_ms",
        1,
        8000,
        Some(2000),
    );
    expect(
        riff(b"RIFF", &[chunk(b"fmt ", &gsm), chunk(b"data", &[0; 1625])]),
        "gsm_ms",
        1,
        8000,
        Some(1000),
    );
}

/// Headers the decoder refuses (`tests/probe_agrees_with_decoder.rs` runs such headers through
/// both), each with the words of the refusal.
fn refused_by_the_decoder() -> Vec<(Vec<u8>, &'static str)> {
    let pcm = |channels| chunk(b"fmt ", &fmt(1, channels, 8000, 16));
    // Samples appended after a size-0 `data` header: the decoder reads none of them.
    let mut streaming = riff(b"RIFF", &[pcm(1), chunk(b"data", &[])]);
    streaming.extend_from_slice(&[0; 3200]);
    let with_riff_len = |mut bytes: Vec<u8>, len: u32| {
        bytes[4..8].copy_from_slice(&len.to_le_bytes());
        bytes
    };
    let good = riff(b"RIFF", &[pcm(1), chunk(b"data", &[0; 3200])]);
    let mut data_past_riff = good.clone();
    data_past_riff[40..44].copy_from_slice(&6400u32.to_le_bytes());
    vec![
        (streaming, "declares 0 bytes of audio"),
        (
            with_riff_len(good.clone(), 12),
            "`fmt` chunk (16 bytes) runs past",
        ),
        (
            with_riff_len(good.clone(), 36),
            "`data` chunk (3200 bytes) runs past",
        ),
        (
            with_riff_len(good.clone(), 0),
            "ends before the `fmt` chunk",
        ),
        (data_past_riff, "`data` chunk (6400 bytes) runs past"),
        (
            riff(b"RIFF", &[pcm(27), chunk(b"data", &[0; 3200])]),
            "27 channels; at most 26",
        ),
        (
            {
                let mut f = fmt(1, 1, 8000, 16);
                f[2..4].copy_from_slice(&u16::MAX.to_le_bytes());
                riff(b"RIFF", &[chunk(b"fmt ", &f), chunk(b"data", &[0; 3200])])
            },
            "65535 channels",
        ),
    ]
}

#[test]
fn what_the_decoder_takes_is_taken() {
    let pcm = |channels| chunk(b"fmt ", &fmt(1, channels, 8000, 16));
    let good = riff(b"RIFF", &[pcm(1), chunk(b"data", &[0; 3200])]);
    // The RIFF length counts the `WAVE` form, which the decoder does not: 4 bytes of slack.
    let mut short_by_four = good.clone();
    short_by_four[4..8].copy_from_slice(&(3200u32 + 36 - 4).to_le_bytes());
    expect(short_by_four, "pcm_s16le", 1, 8000, Some(200));
    // ffmpeg's pipe placeholders.
    let mut piped = good.clone();
    piped[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    piped[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    expect(piped, "pcm_s16le", 1, 8000, Some(200));
    let mut riff_huge = good.clone();
    riff_huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    expect(riff_huge, "pcm_s16le", 1, 8000, Some(200));
    expect(
        riff(b"RIFF", &[pcm(26), chunk(b"data", &[0; 3200 * 26])]),
        "pcm_s16le",
        26,
        8000,
        Some(200),
    );
}

#[test]
fn broken_headers_are_not_media() {
    let short_ext = {
        let mut f = fmt(WAVE_FORMAT_EXTENSIBLE, 1, 8000, 16);
        f.extend_from_slice(&[0; 4]);
        f
    };
    let cases = [
        (riff(b"RIFF", &[chunk(b"data", &[0; 100])]), "no fmt"),
        (
            riff(b"RIFF", &[chunk(b"fmt ", &fmt(1, 1, 8000, 16))]),
            "no data",
        ),
        (
            riff(
                b"RIFF",
                &[
                    chunk(b"fmt ", &fmt(1, 0, 8000, 16)),
                    chunk(b"data", &[0; 4]),
                ],
            ),
            "0 channels",
        ),
        (
            riff(
                b"RIFF",
                &[chunk(b"fmt ", &fmt(1, 1, 0, 16)), chunk(b"data", &[0; 4])],
            ),
            "sample rate of 0",
        ),
        (
            riff(
                b"RIFF",
                &[chunk(b"fmt ", &[1, 0, 1, 0]), chunk(b"data", &[0; 4])],
            ),
            "too short",
        ),
        (
            riff(
                b"RIFF",
                &[chunk(b"fmt ", &short_ext), chunk(b"data", &[0; 4])],
            ),
            "EXTENSIBLE",
        ),
        (b"RIFF\0\0\0\0WAV".to_vec(), "RIFF header"),
    ];
    let mut cases = cases.to_vec();
    cases.extend(refused_by_the_decoder());
    for (bytes, needle) in cases {
        match probe_bytes(bytes) {
            Err(ProbeError::NotMedia(reason)) => {
                assert!(reason.contains(needle), "{needle}: {reason}")
            }
            other => panic!("{needle}: {other:?}"),
        }
    }
}
