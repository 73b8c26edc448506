//! MPEG audio (MP3) probing: ID3v2 skipping, first-frame sync, Xing/Info/VBRI frame counts,
//! and a bitrate × size estimate for plain CBR streams.
//!
//! Rules: read at most one search window after the tags; the first frame must be confirmed by
//! the frame that follows it. A `fLaC` marker after the ID3 tag hands over to the FLAC probe.

use std::io::{Read, Seek};

use super::source::{not_media, ticks_to_ms, Source};
use super::{flac, Facts, ProbeError};
use crate::container::Container;
use crate::mpeg_audio::{find_frame, id3v2_len, FrameHeader};

/// How far after the tags the first frame is searched for.
const SEARCH_WINDOW: usize = 64 * 1024;
/// Files carrying several ID3v2 tags back to back exist; more than this is not audio.
const MAX_TAGS: usize = 4;

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<(Container, Facts), ProbeError> {
    let mut start = 0u64;
    for _ in 0..MAX_TAGS {
        match id3v2_len(&src.read_up_to(start, 10)?) {
            Some(len) => start = start.saturating_add(len),
            None => break,
        }
    }
    if start >= src.len() {
        return Err(not_media(
            "the file ends inside its ID3 tag (truncated, or no audio)",
        ));
    }
    let window = src.read_up_to(start, SEARCH_WINDOW)?;
    let padding = window.iter().position(|&b| b != 0).unwrap_or(window.len());
    if window[padding..].starts_with(b"fLaC") {
        return Ok((
            Container::Flac,
            flac::probe_at(src, start + padding as u64)?,
        ));
    }
    let window_ends_file = start + window.len() as u64 == src.len();
    let (offset, header) = find_frame(&window, window_ends_file)
        .ok_or_else(|| not_media("no MPEG audio frames were found after the header"))?;
    let first_frame = &window[offset..window.len().min(offset + header.frame_len())];
    let frames = xing_frames(first_frame, &header).or_else(|| vbri_frames(first_frame));
    let duration_ms = match frames {
        Some(frames) => ticks_to_ms(
            frames * u64::from(header.samples_per_frame()),
            u64::from(header.sample_rate),
        ),
        None => {
            let audio_bytes = audio_end(src)?.saturating_sub(start + offset as u64);
            // bits at a constant bits-per-second rate
            ticks_to_ms(
                audio_bytes.saturating_mul(8),
                u64::from(header.bitrate_kbps) * 1000,
            )
        }
    };
    Ok((
        Container::Mp3,
        Facts {
            has_video: false,
            codec: Some(header.codec().to_owned()),
            duration_ms,
            channels: Some(header.channels),
            sample_rate: Some(header.sample_rate),
        },
    ))
}

/// Frame count from a Xing (VBR) or Info (CBR) tag in the first frame.
fn xing_frames(frame: &[u8], header: &FrameHeader) -> Option<u64> {
    let at = header.xing_offset();
    let tag = frame.get(at..at + 12)?;
    if &tag[..4] != b"Xing" && &tag[..4] != b"Info" {
        return None;
    }
    let flags = u32::from_be_bytes([tag[4], tag[5], tag[6], tag[7]]);
    let frames = u32::from_be_bytes([tag[8], tag[9], tag[10], tag[11]]);
    (flags & 1 == 1 && frames > 0).then_some(u64::from(frames))
}

/// Frame count from a Fraunhofer VBRI tag (always 32 bytes after the header).
fn vbri_frames(frame: &[u8]) -> Option<u64> {
    let tag = frame.get(36..54)?;
    if &tag[..4] != b"VBRI" {
        return None;
    }
    let frames = u32::from_be_bytes([tag[14], tag[15], tag[16], tag[17]]);
    (frames > 0).then_some(u64::from(frames))
}

/// Where the audio ends: before a trailing 128-byte ID3v1 tag if there is one.
fn audio_end<R: Read + Seek>(src: &mut Source<R>) -> Result<u64, ProbeError> {
    let len = src.len();
    if len >= 128 && src.array_at::<3>(len - 128, "ID3v1 tag")? == *b"TAG" {
        return Ok(len - 128);
    }
    Ok(len)
}

#[cfg(test)]
mod tests;
