//! Native FLAC probing from the mandatory STREAMINFO block.
//!
//! Rules: STREAMINFO must be the first metadata block (the spec requires it); a total sample
//! count of 0 means "unknown" (streamed encodes), so the duration is then `None`. An ID3v2 tag
//! in front of `fLaC` (written by some taggers) is skipped.

use std::io::{Read, Seek};

use super::source::{not_media, ticks_to_ms, Source};
use super::{Facts, ProbeError};
use crate::mpeg_audio::id3v2_len;

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Facts, ProbeError> {
    let head = src.read_up_to(0, 10)?;
    let start = id3v2_len(&head).unwrap_or(0);
    probe_at(src, start)
}

/// Probes a FLAC stream whose `fLaC` marker sits at `start`.
pub(super) fn probe_at<R: Read + Seek>(
    src: &mut Source<R>,
    start: u64,
) -> Result<Facts, ProbeError> {
    // "fLaC", then the 4-byte metadata block header, then the 34-byte STREAMINFO.
    let head = src.array_at::<42>(start, "FLAC STREAMINFO block")?;
    if &head[..4] != b"fLaC" {
        return Err(not_media("the FLAC stream marker is missing"));
    }
    let block_type = head[4] & 0x7F;
    let block_len = u32::from_be_bytes([0, head[5], head[6], head[7]]);
    if block_type != 0 || block_len < 34 {
        return Err(not_media(
            "the FLAC file does not start with a STREAMINFO block",
        ));
    }
    let (sample_rate, channels, total_samples) = stream_info(&head[8..42])
        .ok_or_else(|| not_media("the FLAC STREAMINFO block is cut short"))?;
    if sample_rate == 0 {
        return Err(not_media("the FLAC STREAMINFO declares a sample rate of 0"));
    }
    let duration_ms = if total_samples == 0 {
        None
    } else {
        ticks_to_ms(total_samples, u64::from(sample_rate))
    };
    Ok(Facts {
        has_video: false,
        codec: Some("flac".to_owned()),
        duration_ms,
        channels: Some(channels),
        sample_rate: Some(sample_rate),
    })
}

/// Parses a STREAMINFO body (34 bytes) into (sample rate, channels, total samples); shared
/// with FLAC-in-Ogg.
pub(super) fn stream_info(info: &[u8]) -> Option<(u32, u32, u64)> {
    let info = info.get(..34)?;
    let sample_rate =
        (u32::from(info[10]) << 12) | (u32::from(info[11]) << 4) | u32::from(info[12] >> 4);
    let channels = u32::from((info[12] >> 1) & 0x07) + 1;
    let total_samples = (u64::from(info[13] & 0x0F) << 32)
        | u64::from(u32::from_be_bytes([info[14], info[15], info[16], info[17]]));
    Some((sample_rate, channels, total_samples))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::io::Cursor;

    /// A STREAMINFO body for `rate` Hz, `channels`, 16-bit, `total` samples.
    pub(crate) fn streaminfo(rate: u32, channels: u32, total: u64) -> [u8; 34] {
        let mut b = [0u8; 34];
        b[0..2].copy_from_slice(&4096u16.to_be_bytes());
        b[2..4].copy_from_slice(&4096u16.to_be_bytes());
        b[10] = (rate >> 12) as u8;
        b[11] = (rate >> 4) as u8;
        b[12] = ((rate & 0x0F) as u8) << 4 | ((channels - 1) as u8) << 1;
        b[13] = (15 << 4) | ((total >> 32) as u8 & 0x0F);
        b[14..18].copy_from_slice(&(total as u32).to_be_bytes());
        b
    }

    fn flac(prefix: &[u8], block_header: [u8; 4], info: &[u8]) -> Vec<u8> {
        [prefix, b"fLaC", &block_header, info].concat()
    }

    #[test]
    fn reads_streaminfo() {
        let cases = [
            (16_000, 1, 32_000, Some(2000)),
            (44_100, 2, 44_100 * 60, Some(60_000)),
            (96_000, 8, 0, None),
            (655_350, 2, (1u64 << 36) - 1, Some(104_859_200)),
        ];
        for (rate, channels, total, ms) in cases {
            let bytes = flac(b"", [0x80, 0, 0, 34], &streaminfo(rate, channels, total));
            let facts = probe(&mut Source::new(Cursor::new(bytes)).unwrap()).unwrap();
            assert_eq!(facts.sample_rate, Some(rate));
            assert_eq!(facts.channels, Some(channels));
            assert_eq!(facts.duration_ms, ms, "{rate} {total}");
            assert_eq!(facts.codec.as_deref(), Some("flac"));
        }
    }

    #[test]
    fn skips_a_leading_id3_tag() {
        let tag = [b'I', b'D', b'3', 3, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5];
        let bytes = flac(&tag, [0x80, 0, 0, 34], &streaminfo(8000, 1, 8000));
        let facts = probe(&mut Source::new(Cursor::new(bytes)).unwrap()).unwrap();
        assert_eq!(facts.duration_ms, Some(1000));
    }

    #[test]
    fn rejects_broken_streaminfo() {
        let cases = [
            (
                flac(b"", [0x84, 0, 0, 34], &streaminfo(8000, 1, 1)),
                "STREAMINFO",
            ),
            (
                flac(b"", [0x80, 0, 0, 20], &streaminfo(8000, 1, 1)),
                "STREAMINFO",
            ),
            (
                flac(b"", [0x80, 0, 0, 34], &streaminfo(0, 1, 1)),
                "sample rate of 0",
            ),
            (
                flac(b"", [0x80, 0, 0, 34], &streaminfo(8000, 1, 1)[..20]),
                "ends inside",
            ),
        ];
        for (bytes, needle) in cases {
            match probe(&mut Source::new(Cursor::new(bytes)).unwrap()) {
                Err(ProbeError::NotMedia(reason)) => assert!(reason.contains(needle), "{reason}"),
                other => panic!("{needle}: {other:?}"),
            }
        }
    }
}
