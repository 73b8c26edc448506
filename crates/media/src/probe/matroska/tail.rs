//! Duration of a Matroska/WebM file that has no Duration element (live recordings): the end
//! time of the last block in the last cluster.
//!
//! Rules: scan backwards from the end in capped chunks (at most `MAX_SCAN` bytes in total) for
//! a Cluster ID; a candidate only counts when it parses as a Cluster whose Timestamp comes
//! first (block payloads can contain the ID bytes by chance). Then walk that one cluster's
//! children by seeking. A block's end is its time plus BlockDuration, or plus the track's
//! DefaultDuration when it has none.

use std::io::{Read, Seek};

use super::{element_at, uint, Element};
use crate::ebml::{self, id, SEGMENT_CHILDREN};
use crate::probe::source::Source;
use crate::probe::ProbeError;

const CHUNK: u64 = 1 << 20;
const MAX_SCAN: u64 = 16 << 20;
const MAX_CLUSTER_CHILDREN: usize = 100_000;
const CLUSTER_ID: [u8; 4] = id::CLUSTER.to_be_bytes();
const BLOCK_DURATION: u32 = 0x9B;

/// Milliseconds to the end of the last block, or `None` when no cluster could be read.
pub(super) fn duration_ms<R: Read + Seek>(
    src: &mut Source<R>,
    first_cluster: u64,
    segment_end: u64,
    timestamp_scale: u64,
    default_durations: &[(u64, u64)],
) -> Result<Option<i64>, ProbeError> {
    let mut window_end = segment_end;
    let mut scanned = 0;
    while window_end > first_cluster && scanned < MAX_SCAN {
        let start = window_end.saturating_sub(CHUNK).max(first_cluster);
        let width = (window_end - start) as usize;
        // 3 extra bytes so an ID straddling the window's end is still seen.
        let buf = src.read_up_to(start, width + 3)?;
        for i in (0..width.min(buf.len().saturating_sub(3))).rev() {
            if buf[i..i + 4] != CLUSTER_ID {
                continue;
            }
            let cluster = start + i as u64;
            if let Some(ms) = cluster_end_ms(
                src,
                cluster,
                segment_end,
                timestamp_scale,
                default_durations,
            )? {
                return Ok(Some(ms));
            }
        }
        scanned += window_end - start;
        window_end = start;
    }
    Ok(None)
}

/// End time in ms of the cluster at `pos`; `None` when `pos` is not really a cluster.
fn cluster_end_ms<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
    limit: u64,
    scale: u64,
    default_durations: &[(u64, u64)],
) -> Result<Option<i64>, ProbeError> {
    let Some(cluster) = element_at(src, pos)?.filter(|e| e.id == id::CLUSTER) else {
        return Ok(None);
    };
    let end = cluster.end(limit);
    let to_ms = |ticks: i128| ticks * i128::from(scale) / 1_000_000;
    let mut timestamp = None;
    let mut last_end_ms: Option<i128> = None;
    let mut p = cluster.data;
    for n in 0..MAX_CLUSTER_CHILDREN {
        if p >= end {
            break;
        }
        let Some(e) = element_at(src, p)? else { break };
        // Timestamp comes first (CRC-32 or Void may precede it); otherwise a false match.
        if timestamp.is_none() && (n >= 3 || SEGMENT_CHILDREN.contains(&e.id)) {
            return Ok(None);
        }
        if SEGMENT_CHILDREN.contains(&e.id) {
            break; // the next cluster of an unknown-size cluster
        }
        let block = match e.id {
            id::CLUSTER_TIMESTAMP => {
                timestamp = uint(src, &e)?;
                None
            }
            id::SIMPLE_BLOCK => block_time(src, e.data)?.map(|(track, rel)| (track, rel, None)),
            id::BLOCK_GROUP => block_group(src, &e, end)?,
            _ => None,
        };
        if let (Some(ts), Some((track, rel, duration))) = (timestamp, block) {
            let start_ms = to_ms(i128::from(ts) + i128::from(rel));
            let length_ms = match duration {
                Some(ticks) => to_ms(i128::from(ticks)),
                None => default_duration_ms(default_durations, track),
            };
            let block_end = start_ms + length_ms;
            last_end_ms = Some(last_end_ms.map_or(block_end, |m| m.max(block_end)));
        }
        match e.size {
            Some(size) => p = e.data.saturating_add(size),
            None => break,
        }
    }
    let Some(ts) = timestamp else { return Ok(None) };
    let ms = last_end_ms.unwrap_or_else(|| to_ms(i128::from(ts)));
    Ok(i64::try_from(ms.max(0)).ok())
}

fn default_duration_ms(defaults: &[(u64, u64)], track: u64) -> i128 {
    defaults
        .iter()
        .find(|(number, _)| *number == track)
        .map_or(0, |(_, ns)| i128::from(*ns) / 1_000_000)
}

/// (track number, timestamp relative to the cluster) from a block header.
fn block_time<R: Read + Seek>(
    src: &mut Source<R>,
    data: u64,
) -> Result<Option<(u64, i16)>, ProbeError> {
    let head = src.read_up_to(data, 10)?;
    let Some((Some(track), len)) = ebml::read_size(&head) else {
        return Ok(None);
    };
    Ok(head
        .get(len..len + 2)
        .map(|b| (track, i16::from_be_bytes([b[0], b[1]]))))
}

/// (track, relative time, BlockDuration) of a BlockGroup.
fn block_group<R: Read + Seek>(
    src: &mut Source<R>,
    group: &Element,
    limit: u64,
) -> Result<Option<(u64, i16, Option<u64>)>, ProbeError> {
    let end = group.end(limit);
    let mut block = None;
    let mut duration = None;
    let mut p = group.data;
    for _ in 0..16 {
        if p >= end {
            break;
        }
        let Some(e) = element_at(src, p)? else { break };
        match e.id {
            id::BLOCK => block = block_time(src, e.data)?,
            BLOCK_DURATION => duration = uint(src, &e)?,
            _ => {}
        }
        match e.size {
            Some(size) => p = e.data.saturating_add(size),
            None => break,
        }
    }
    Ok(block.map(|(track, rel)| (track, rel, duration)))
}
