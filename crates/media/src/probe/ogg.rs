//! Ogg probing: codec identification headers from the beginning-of-stream pages, duration from
//! the granule position of the audio stream's last page.
//!
//! Rules: read the BOS pages at the start, then one capped window at the end of the file
//! (pages are at most ~64 KiB, so the window always holds complete final pages). Candidate
//! pages in that window are CRC-checked, because "OggS" can occur inside packet data.
//! Granules: Vorbis/FLAC/Speex count samples at the stream rate; Opus counts 48 kHz samples
//! and its pre-skip is subtracted. A Theora stream makes the file video; the duration then
//! still comes from the audio stream (video-only Ogg gets no duration).

use std::io::{Read, Seek};

use super::source::{not_media, ticks_to_ms, Source};
use super::{flac, Facts, ProbeError};

/// Bytes read from the end of the file to find the last page of the audio stream.
const TAIL_WINDOW: usize = 256 * 1024;
/// More logical streams than this in one file is not something we need to understand.
const MAX_STREAMS: usize = 32;
const HEADER_LEN: usize = 27;

#[derive(Debug, Clone, PartialEq)]
struct Stream {
    serial: u32,
    codec: Codec,
}

#[derive(Debug, Clone, PartialEq)]
enum Codec {
    Audio {
        name: &'static str,
        channels: u32,
        sample_rate: u32,
        /// Granule clock rate (48 kHz for Opus, the sample rate otherwise).
        granule_rate: u32,
        pre_skip: u64,
    },
    Video(&'static str),
    Other,
}

/// One page header as parsed from bytes.
struct Page {
    granule: i64,
    serial: u32,
    is_bos: bool,
    header_len: usize,
    body_len: usize,
    first_packet_len: usize,
}

fn parse_page(b: &[u8]) -> Option<Page> {
    if b.len() < HEADER_LEN || &b[..4] != b"OggS" || b[4] != 0 {
        return None;
    }
    let segments = usize::from(b[26]);
    let lacing = b.get(HEADER_LEN..HEADER_LEN + segments)?;
    let body_len = lacing.iter().map(|&l| usize::from(l)).sum();
    // The first packet ends at the first lacing value below 255.
    let first_packet_len = match lacing.iter().position(|&l| l < 255) {
        Some(i) => lacing[..=i].iter().map(|&l| usize::from(l)).sum(),
        None => body_len,
    };
    Some(Page {
        granule: i64::from_le_bytes(b[6..14].try_into().ok()?),
        serial: u32::from_le_bytes(b[14..18].try_into().ok()?),
        is_bos: b[5] & 0x02 != 0,
        header_len: HEADER_LEN + segments,
        body_len,
        first_packet_len,
    })
}

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Facts, ProbeError> {
    let streams = read_bos_streams(src)?;
    let has_video = streams.iter().any(|s| matches!(s.codec, Codec::Video(_)));
    let audio = streams
        .iter()
        .find(|s| matches!(s.codec, Codec::Audio { .. }));
    let video_codec = streams.iter().find_map(|s| match s.codec {
        Codec::Video(name) => Some(name),
        _ => None,
    });
    let Some(audio) = audio else {
        return match video_codec {
            Some(name) => Ok(Facts {
                has_video: true,
                codec: Some(name.to_owned()),
                ..Facts::default()
            }),
            None => Err(not_media(
                "the Ogg file carries no Vorbis, Opus, FLAC, Speex or Theora stream",
            )),
        };
    };
    let Codec::Audio {
        name,
        channels,
        sample_rate,
        granule_rate,
        pre_skip,
    } = audio.codec
    else {
        return Err(not_media("the Ogg audio stream header is inconsistent"));
    };
    let duration_ms = last_granule(src, audio.serial)?
        .and_then(|g| ticks_to_ms(g.saturating_sub(pre_skip), u64::from(granule_rate)));
    Ok(Facts {
        has_video,
        codec: Some(video_codec.unwrap_or(name).to_owned()),
        duration_ms,
        channels: Some(channels),
        sample_rate: Some(sample_rate),
    })
}

/// Reads the consecutive BOS pages at the start and identifies each stream's codec.
fn read_bos_streams<R: Read + Seek>(src: &mut Source<R>) -> Result<Vec<Stream>, ProbeError> {
    let mut streams = Vec::new();
    let mut pos = 0u64;
    while streams.len() < MAX_STREAMS {
        let head = src.read_up_to(pos, HEADER_LEN + 255)?;
        let Some(page) = parse_page(&head) else {
            if streams.is_empty() {
                return Err(not_media(
                    "the first Ogg page header is truncated or corrupt",
                ));
            }
            break;
        };
        if !page.is_bos {
            break;
        }
        let body_start = pos + page.header_len as u64;
        let packet = src.read_up_to(body_start, page.first_packet_len.min(512))?;
        streams.push(Stream {
            serial: page.serial,
            codec: identify(&packet)?,
        });
        pos = body_start + page.body_len as u64;
    }
    if streams.is_empty() {
        return Err(not_media(
            "the Ogg file does not begin with a stream header page",
        ));
    }
    Ok(streams)
}

/// Identifies a codec from its first (identification) packet.
fn identify(packet: &[u8]) -> Result<Codec, ProbeError> {
    let audio = |name, channels: u32, sample_rate: u32, granule_rate, pre_skip| {
        if channels == 0 || sample_rate == 0 {
            return Err(not_media(format!(
                "the Ogg {name} header declares no channels or no sample rate"
            )));
        }
        Ok(Codec::Audio {
            name,
            channels,
            sample_rate,
            granule_rate,
            pre_skip,
        })
    };
    let short =
        |name: &str| not_media(format!("the Ogg {name} identification header is cut short"));
    if packet.starts_with(b"\x01vorbis") {
        let h = packet.get(..16).ok_or_else(|| short("Vorbis"))?;
        let rate = u32::from_le_bytes([h[12], h[13], h[14], h[15]]);
        return audio("vorbis", u32::from(h[11]), rate, rate, 0);
    }
    if packet.starts_with(b"OpusHead") {
        let h = packet.get(..16).ok_or_else(|| short("Opus"))?;
        let pre_skip = u16::from_le_bytes([h[10], h[11]]);
        // The input rate is informational; Opus always decodes (and counts) at 48 kHz.
        return audio("opus", u32::from(h[9]), 48_000, 48_000, u64::from(pre_skip));
    }
    if packet.starts_with(b"\x7FFLAC") {
        // mapping header (9 bytes), "fLaC", block header (4), STREAMINFO
        let info = packet.get(17..51).ok_or_else(|| short("FLAC"))?;
        let (rate, channels, _) = flac::stream_info(info).ok_or_else(|| short("FLAC"))?;
        return audio("flac", channels, rate, rate, 0);
    }
    if packet.starts_with(b"Speex   ") {
        let h = packet.get(..52).ok_or_else(|| short("Speex"))?;
        let rate = u32::from_le_bytes([h[36], h[37], h[38], h[39]]);
        let channels = u32::from_le_bytes([h[48], h[49], h[50], h[51]]);
        return audio("speex", channels, rate, rate, 0);
    }
    if packet.starts_with(b"\x80theora") {
        return Ok(Codec::Video("theora"));
    }
    Ok(Codec::Other)
}

/// Granule position of the last complete, CRC-valid page of `serial` in the tail window.
fn last_granule<R: Read + Seek>(
    src: &mut Source<R>,
    serial: u32,
) -> Result<Option<u64>, ProbeError> {
    let start = src.len().saturating_sub(TAIL_WINDOW as u64);
    let tail = src.read_up_to(start, TAIL_WINDOW)?;
    let found = (0..tail.len().saturating_sub(3))
        .rev()
        .filter(|&i| &tail[i..i + 4] == b"OggS")
        .find_map(|i| {
            let page = parse_page(&tail[i..])?;
            let whole = tail.get(i..i + page.header_len + page.body_len)?;
            let usable = page.serial == serial && page.granule >= 0 && crc_ok(whole);
            usable.then_some(page.granule as u64)
        });
    Ok(found)
}

/// Ogg's CRC-32 (polynomial 0x04C11DB7, no reflection) over the page with its CRC zeroed.
fn crc_ok(page: &[u8]) -> bool {
    let Some(stored) = page.get(22..26) else {
        return false;
    };
    let stored = u32::from_le_bytes([stored[0], stored[1], stored[2], stored[3]]);
    let mut crc = 0u32;
    for (i, &byte) in page.iter().enumerate() {
        let byte = if (22..26).contains(&i) { 0 } else { byte };
        crc = (crc << 8) ^ CRC_TABLE[usize::from((crc >> 24) as u8 ^ byte)];
    }
    crc == stored
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            r = if r & 0x8000_0000 != 0 {
                (r << 1) ^ 0x04C1_1DB7
            } else {
                r << 1
            };
            bit += 1;
        }
        table[i] = r;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests;
