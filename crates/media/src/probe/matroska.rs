//! Matroska/WebM probing by walking EBML: Segment → Info (TimestampScale, Duration) and
//! Tracks → TrackEntry (TrackType, CodecID, Audio → Channels/SamplingFrequency).
//!
//! Rules: walk top-level elements with seeks until the first Cluster; if Info or Tracks were
//! not seen by then, follow the SeekHead. Leaf values are read with small capped buffers.
//! Live recordings (browser MediaRecorder, ffmpeg to a pipe) have unknown sizes and no
//! Duration; their duration comes from the last cluster (see `tail`). TrackType 1 (or 3,
//! "complex") means video.

mod tail;

use std::io::{Read, Seek};

use super::source::{not_media, rate_from_f64, Source};
use super::{Facts, ProbeError};
use crate::ebml::{self, id, Header};

/// Elements listed per master element before the file is considered hostile.
const MAX_CHILDREN: usize = 4096;
const DEFAULT_TIMESTAMP_SCALE: u64 = 1_000_000;

/// An element header read from the file, with the position of its payload.
#[derive(Debug, Clone, Copy)]
pub(super) struct Element {
    pub id: u32,
    pub size: Option<u64>,
    pub data: u64,
}

impl Element {
    /// Where the payload ends, clamped to `limit` (unknown sizes run to `limit`).
    fn end(&self, limit: u64) -> u64 {
        self.size
            .map_or(limit, |s| self.data.saturating_add(s).min(limit))
    }
}

#[derive(Debug, Default, Clone)]
struct TrackEntry {
    number: u64,
    track_type: u64,
    codec_id: String,
    default_duration_ns: Option<u64>,
    channels: Option<u64>,
    sampling_frequency: Option<f64>,
    bit_depth: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Info {
    timestamp_scale: u64,
    duration: Option<f64>,
}

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Facts, ProbeError> {
    let ebml_header = element_at(src, 0)?
        .filter(|e| e.id == id::EBML)
        .ok_or_else(|| not_media("the Matroska EBML header is corrupt"))?;
    let segment_pos = ebml_header
        .size
        .map(|s| ebml_header.data.saturating_add(s))
        .ok_or_else(|| not_media("the Matroska EBML header has no size"))?;
    let segment = element_at(src, segment_pos)?
        .filter(|e| e.id == id::SEGMENT)
        .ok_or_else(|| not_media("the Matroska file has no Segment (truncated or corrupt)"))?;
    let segment_end = segment.end(src.len());

    let mut info = None;
    let mut tracks = None;
    let mut seeks = Vec::new();
    let mut first_cluster = None;
    let mut pos = segment.data;
    for _ in 0..MAX_CHILDREN {
        if pos >= segment_end {
            break;
        }
        let element = element_at(src, pos)?
            .ok_or_else(|| not_media("the Matroska file has a corrupt element header"))?;
        match element.id {
            id::INFO => info = Some(parse_info(src, &element, segment_end)?),
            id::TRACKS => tracks = Some(parse_tracks(src, &element, segment_end)?),
            id::SEEK_HEAD => seeks = parse_seek_head(src, &element, segment_end)?,
            id::CLUSTER => {
                first_cluster = Some(pos);
                break;
            }
            _ => {}
        }
        match element.size {
            Some(size) => pos = element.data.saturating_add(size),
            None => break,
        }
    }
    // Info/Tracks written after the clusters are reachable through the SeekHead.
    for (target, position) in seeks {
        let pos = segment.data.saturating_add(position);
        let wanted =
            (target == id::INFO && info.is_none()) || (target == id::TRACKS && tracks.is_none());
        if !wanted {
            continue;
        }
        match element_at(src, pos)? {
            Some(e) if e.id == id::INFO => info = Some(parse_info(src, &e, segment_end)?),
            Some(e) if e.id == id::TRACKS => tracks = Some(parse_tracks(src, &e, segment_end)?),
            _ => {}
        }
    }

    let tracks = tracks.ok_or_else(|| not_media("the Matroska file has no Tracks element"))?;
    let video = tracks
        .iter()
        .find(|t| t.track_type == 1 || t.track_type == 3);
    let audio = tracks.iter().find(|t| t.track_type == 2);
    let primary = video
        .or(audio)
        .ok_or_else(|| not_media("the Matroska file has no audio or video track"))?;
    let info = info.unwrap_or(Info {
        timestamp_scale: DEFAULT_TIMESTAMP_SCALE,
        duration: None,
    });
    let declared_ms = info
        .duration
        .map(|d| d * info.timestamp_scale as f64 / 1_000_000.0)
        .filter(|ms| ms.is_finite() && *ms >= 0.0 && *ms < i64::MAX as f64)
        .map(|ms| ms.round() as i64);
    let duration_ms = match (declared_ms, first_cluster) {
        (Some(ms), _) => Some(ms),
        (None, Some(first)) => {
            let default_durations: Vec<(u64, u64)> = tracks
                .iter()
                .filter_map(|t| t.default_duration_ns.map(|d| (t.number, d)))
                .collect();
            tail::duration_ms(
                src,
                first,
                segment_end,
                info.timestamp_scale,
                &default_durations,
            )?
        }
        (None, None) => None,
    };
    Ok(Facts {
        has_video: video.is_some(),
        codec: Some(codec_name(primary)),
        duration_ms,
        // Channels and SamplingFrequency default to 1 and 8000 Hz in the Matroska spec.
        channels: audio.map(|a| u32::try_from(a.channels.unwrap_or(1)).unwrap_or(0)),
        sample_rate: audio.and_then(|a| rate_from_f64(a.sampling_frequency.unwrap_or(8000.0))),
    })
}

/// Reads the element header at `pos`; `None` when the bytes there are not a valid header.
pub(super) fn element_at<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
) -> Result<Option<Element>, ProbeError> {
    let head = src.read_up_to(pos, 12)?;
    Ok(
        ebml::read_header(&head).map(|Header { id, size, len }| Element {
            id,
            size,
            data: pos + len as u64,
        }),
    )
}

/// The child elements between `start` and `end`; stops at an element of unknown size (only
/// Clusters have one in practice, and the caller stops at the first Cluster anyway).
fn children<R: Read + Seek>(
    src: &mut Source<R>,
    start: u64,
    end: u64,
) -> Result<Vec<Element>, ProbeError> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end && out.len() < MAX_CHILDREN {
        let element = element_at(src, pos)?
            .ok_or_else(|| not_media("the Matroska file has a corrupt element header"))?;
        out.push(element);
        match element.size {
            Some(size) => pos = element.data.saturating_add(size),
            None => break,
        }
    }
    Ok(out)
}

/// Children of a master element that must have a known size.
fn master_children<R: Read + Seek>(
    src: &mut Source<R>,
    master: &Element,
    limit: u64,
    what: &str,
) -> Result<Vec<Element>, ProbeError> {
    if master.size.is_none() {
        return Err(not_media(format!(
            "the Matroska {what} element has an unknown size"
        )));
    }
    children(src, master.data, master.end(limit))
}

/// Payload bytes of a leaf element (at most `max`; more means corrupt for our fields).
fn leaf<R: Read + Seek>(
    src: &mut Source<R>,
    element: &Element,
    max: u64,
) -> Result<Option<Vec<u8>>, ProbeError> {
    match element.size {
        Some(size) if size <= max => {
            let bytes = src.read_up_to(element.data, size as usize)?;
            Ok((bytes.len() as u64 == size).then_some(bytes))
        }
        _ => Ok(None),
    }
}

fn uint<R: Read + Seek>(src: &mut Source<R>, e: &Element) -> Result<Option<u64>, ProbeError> {
    Ok(leaf(src, e, 8)?.and_then(|b| ebml::read_uint(&b)))
}

fn float<R: Read + Seek>(src: &mut Source<R>, e: &Element) -> Result<Option<f64>, ProbeError> {
    Ok(leaf(src, e, 8)?.and_then(|b| ebml::read_float(&b)))
}

fn parse_info<R: Read + Seek>(
    src: &mut Source<R>,
    e: &Element,
    limit: u64,
) -> Result<Info, ProbeError> {
    let mut info = Info {
        timestamp_scale: DEFAULT_TIMESTAMP_SCALE,
        duration: None,
    };
    for child in master_children(src, e, limit, "Info")? {
        match child.id {
            id::TIMESTAMP_SCALE => {
                info.timestamp_scale = uint(src, &child)?
                    .filter(|s| *s > 0)
                    .unwrap_or(DEFAULT_TIMESTAMP_SCALE)
            }
            id::DURATION => info.duration = float(src, &child)?,
            _ => {}
        }
    }
    Ok(info)
}

fn parse_tracks<R: Read + Seek>(
    src: &mut Source<R>,
    e: &Element,
    limit: u64,
) -> Result<Vec<TrackEntry>, ProbeError> {
    let mut tracks = Vec::new();
    for entry in master_children(src, e, limit, "Tracks")? {
        if entry.id != id::TRACK_ENTRY {
            continue;
        }
        let mut track = TrackEntry::default();
        for field in master_children(src, &entry, limit, "TrackEntry")? {
            match field.id {
                id::TRACK_NUMBER => track.number = uint(src, &field)?.unwrap_or(0),
                id::TRACK_TYPE => track.track_type = uint(src, &field)?.unwrap_or(0),
                id::CODEC_ID => {
                    track.codec_id = leaf(src, &field, 64)?
                        .map(|b| ebml::read_string(&b))
                        .unwrap_or_default()
                }
                id::DEFAULT_DURATION => track.default_duration_ns = uint(src, &field)?,
                id::AUDIO => {
                    for a in master_children(src, &field, limit, "Audio")? {
                        match a.id {
                            id::CHANNELS => track.channels = uint(src, &a)?,
                            id::SAMPLING_FREQUENCY => track.sampling_frequency = float(src, &a)?,
                            BIT_DEPTH => track.bit_depth = uint(src, &a)?,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        tracks.push(track);
    }
    Ok(tracks)
}

const BIT_DEPTH: u32 = 0x6264;

/// (target element ID, position relative to the Segment payload) pairs.
fn parse_seek_head<R: Read + Seek>(
    src: &mut Source<R>,
    e: &Element,
    limit: u64,
) -> Result<Vec<(u32, u64)>, ProbeError> {
    let mut seeks = Vec::new();
    for seek in master_children(src, e, limit, "SeekHead")? {
        if seek.id != id::SEEK {
            continue;
        }
        let mut target = None;
        let mut position = None;
        for field in master_children(src, &seek, limit, "Seek")? {
            match field.id {
                id::SEEK_ID => target = leaf(src, &field, 4)?.and_then(|b| ebml::read_uint(&b)),
                id::SEEK_POSITION => position = uint(src, &field)?,
                _ => {}
            }
        }
        if let (Some(target), Some(position)) = (target, position) {
            seeks.push((target as u32, position));
        }
    }
    Ok(seeks)
}

fn codec_name(track: &TrackEntry) -> String {
    let bits = track.bit_depth.unwrap_or(16);
    let id = track.codec_id.as_str();
    let name = match id {
        "V_VP8" => "vp8",
        "V_VP9" => "vp9",
        "V_AV1" => "av1",
        "V_MPEG4/ISO/AVC" => "h264",
        "V_MPEGH/ISO/HEVC" => "hevc",
        "V_THEORA" => "theora",
        "V_MJPEG" => "mjpeg",
        "A_OPUS" => "opus",
        "A_VORBIS" => "vorbis",
        "A_FLAC" => "flac",
        "A_ALAC" => "alac",
        "A_MPEG/L3" => "mp3",
        "A_MPEG/L2" => "mp2",
        "A_AC3" => "ac3",
        "A_EAC3" => "eac3",
        "A_PCM/INT/LIT" if bits == 8 => "pcm_u8",
        "A_PCM/INT/LIT" => return format!("pcm_s{bits}le"),
        "A_PCM/INT/BIG" => return format!("pcm_s{bits}be"),
        "A_PCM/FLOAT/IEEE" => return format!("pcm_f{bits}le"),
        _ if id.starts_with("A_AAC") => "aac",
        _ if id.starts_with("V_MPEG4/ISO/") => "mpeg4",
        "" => "unknown",
        _ => return id.to_ascii_lowercase(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests;
