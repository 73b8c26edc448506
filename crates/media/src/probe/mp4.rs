//! ISO BMFF (MP4/M4A/3GP) and QuickTime probing by walking boxes:
//! moov → mvhd (duration), trak → mdia → {mdhd, hdlr, minf → stbl → stsd}.
//!
//! Rules: seek from box header to box header; only the small leaf boxes we need are read,
//! each with a capped buffer, so sample tables and `mdat` are never loaded. `moov` may sit
//! after `mdat` (the usual non-"faststart" layout). A `vide` handler makes the file a video;
//! audio facts come from the first `soun` track's sample entry.

mod sample_entry;

use std::io::{Read, Seek};

use super::source::{not_media, ticks_to_ms, Source};
use super::{Facts, ProbeError};
use sample_entry::SampleEntry;

/// Top-level boxes walked before giving up on finding `moov`.
const MAX_TOP_LEVEL_BOXES: usize = 100_000;
/// Children of one container box we are willing to list.
const MAX_CHILDREN: usize = 4096;

/// A box's four-character type and where its payload and the box end.
#[derive(Debug, Clone, Copy)]
struct BoxHeader {
    kind: [u8; 4],
    payload: u64,
    end: u64,
}

#[derive(Debug, Default)]
struct Track {
    handler: [u8; 4],
    timescale: u32,
    duration: u64,
    entry: Option<SampleEntry>,
}

#[derive(Debug, Default)]
struct Movie {
    timescale: u32,
    duration: u64,
    fragment_duration: Option<u64>,
    tracks: Vec<Track>,
}

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Facts, ProbeError> {
    let moov = find_moov(src)?;
    let movie = parse_moov(src, moov)?;
    let video = movie.tracks.iter().find(|t| &t.handler == b"vide");
    let audio = movie.tracks.iter().find(|t| &t.handler == b"soun");
    if video.is_none() && audio.is_none() {
        return Err(not_media("the MP4/MOV file has no audio or video track"));
    }
    let codec = video
        .or(audio)
        .and_then(|t| t.entry.as_ref())
        .map(|e| e.codec.clone());
    let audio_entry = audio.and_then(|t| t.entry.as_ref().map(|e| (t, e)));
    Ok(Facts {
        has_video: video.is_some(),
        codec,
        duration_ms: movie_duration(&movie),
        channels: audio_entry.and_then(|(_, e)| e.channels),
        // Sample entries of some writers leave the rate at 0; the track clock is the rate then.
        sample_rate: audio_entry.and_then(|(t, e)| e.sample_rate.or(Some(t.timescale))),
    })
}

fn movie_duration(movie: &Movie) -> Option<i64> {
    let known = |d: u64| d > 0 && d != u64::from(u32::MAX) && d != u64::MAX;
    let timescale = u64::from(movie.timescale);
    if known(movie.duration) {
        return ticks_to_ms(movie.duration, timescale);
    }
    if let Some(d) = movie.fragment_duration.filter(|d| known(*d)) {
        return ticks_to_ms(d, timescale);
    }
    movie
        .tracks
        .iter()
        .filter(|t| known(t.duration))
        .filter_map(|t| ticks_to_ms(t.duration, u64::from(t.timescale)))
        .max()
}

/// Reads the box header at `pos`; `limit` is where the enclosing box (or file) ends.
fn read_box<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
    limit: u64,
) -> Result<BoxHeader, ProbeError> {
    let head = src.array_at::<8>(pos, "MP4 box header")?;
    let kind = [head[4], head[5], head[6], head[7]];
    let (header_len, size) = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
        1 => (
            16,
            u64::from_be_bytes(src.array_at::<8>(pos + 8, "MP4 box header")?),
        ),
        0 => (8, limit.saturating_sub(pos)), // "extends to the end"
        n => (8, u64::from(n)),
    };
    if size < header_len {
        return Err(not_media(format!(
            "the MP4 box '{}' has an impossible size (corrupt file)",
            fourcc(&kind)
        )));
    }
    Ok(BoxHeader {
        kind,
        payload: pos + header_len,
        end: pos.saturating_add(size),
    })
}

/// The child boxes of a container box.
fn children<R: Read + Seek>(
    src: &mut Source<R>,
    parent: &BoxHeader,
) -> Result<Vec<BoxHeader>, ProbeError> {
    let mut out = Vec::new();
    let mut pos = parent.payload;
    while pos.saturating_add(8) <= parent.end {
        if out.len() == MAX_CHILDREN {
            return Err(not_media("an MP4 box has too many children (corrupt file)"));
        }
        let child = read_box(src, pos, parent.end)?;
        if child.end > parent.end {
            return Err(not_media(format!(
                "the MP4 box '{}' overflows its parent (truncated or corrupt file)",
                fourcc(&child.kind)
            )));
        }
        pos = child.end;
        out.push(child);
    }
    Ok(out)
}

fn find_moov<R: Read + Seek>(src: &mut Source<R>) -> Result<BoxHeader, ProbeError> {
    let mut pos = 0u64;
    for _ in 0..MAX_TOP_LEVEL_BOXES {
        if pos.saturating_add(8) > src.len() {
            break;
        }
        let header = read_box(src, pos, src.len())?;
        if &header.kind == b"moov" {
            if header.end > src.len() {
                return Err(not_media(
                    "the MP4 moov box is cut short (truncated upload?)",
                ));
            }
            return Ok(header);
        }
        pos = header.end;
    }
    Err(not_media(
        "the MP4/MOV file has no moov box (truncated upload, or a recording still being written)",
    ))
}

fn parse_moov<R: Read + Seek>(src: &mut Source<R>, moov: BoxHeader) -> Result<Movie, ProbeError> {
    let mut movie = Movie::default();
    for child in children(src, &moov)? {
        match &child.kind {
            b"mvhd" => (movie.timescale, movie.duration) = read_timing(src, &child, "mvhd")?,
            b"trak" => movie.tracks.push(parse_trak(src, &child)?),
            b"mvex" => {
                for mehd in children(src, &child)?.iter().filter(|b| &b.kind == b"mehd") {
                    let b = payload(src, mehd, 12)?;
                    movie.fragment_duration = match (b.first(), b.len()) {
                        (Some(1), 12) => Some(be_u64(&b[4..12])),
                        (Some(_), n) if n >= 8 => Some(u64::from(be_u32(&b[4..8]))),
                        _ => None,
                    };
                }
            }
            _ => {}
        }
    }
    Ok(movie)
}

fn parse_trak<R: Read + Seek>(src: &mut Source<R>, trak: &BoxHeader) -> Result<Track, ProbeError> {
    let mut track = Track::default();
    let mut stsd = None;
    for mdia in children(src, trak)?.iter().filter(|b| &b.kind == b"mdia") {
        for child in children(src, mdia)? {
            match &child.kind {
                b"mdhd" => (track.timescale, track.duration) = read_timing(src, &child, "mdhd")?,
                b"hdlr" => {
                    let b = payload(src, &child, 12)?;
                    let handler = b
                        .get(8..12)
                        .ok_or_else(|| not_media("the MP4 hdlr box is cut short"))?;
                    track.handler = [handler[0], handler[1], handler[2], handler[3]];
                }
                b"minf" => stsd = find_stsd(src, &child)?.or(stsd),
                _ => {}
            }
        }
    }
    if let Some(stsd) = stsd {
        track.entry = sample_entry::first_entry(src, &stsd, &track.handler)?;
    }
    Ok(track)
}

fn find_stsd<R: Read + Seek>(
    src: &mut Source<R>,
    minf: &BoxHeader,
) -> Result<Option<BoxHeader>, ProbeError> {
    for stbl in children(src, minf)?.iter().filter(|b| &b.kind == b"stbl") {
        if let Some(stsd) = children(src, stbl)?
            .into_iter()
            .find(|b| &b.kind == b"stsd")
        {
            return Ok(Some(stsd));
        }
    }
    Ok(None)
}

/// (timescale, duration) from an mvhd or mdhd box (version 0: 32-bit, version 1: 64-bit).
fn read_timing<R: Read + Seek>(
    src: &mut Source<R>,
    header: &BoxHeader,
    what: &str,
) -> Result<(u32, u64), ProbeError> {
    let b = payload(src, header, 32)?;
    match b.first() {
        Some(1) if b.len() >= 32 => Ok((be_u32(&b[20..24]), be_u64(&b[24..32]))),
        Some(0) if b.len() >= 20 => Ok((be_u32(&b[12..16]), u64::from(be_u32(&b[16..20])))),
        _ => Err(not_media(format!(
            "the MP4 {what} box is cut short or has an unknown version"
        ))),
    }
}

/// Up to `max` bytes of a box's payload (never past the box's end).
fn payload<R: Read + Seek>(
    src: &mut Source<R>,
    header: &BoxHeader,
    max: usize,
) -> Result<Vec<u8>, ProbeError> {
    let len = header.end.saturating_sub(header.payload);
    src.read_up_to(
        header.payload,
        usize::try_from(len).map_or(max, |l| l.min(max)),
    )
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_u64(b: &[u8]) -> u64 {
    u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

fn fourcc(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
