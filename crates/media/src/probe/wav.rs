//! RIFF/WAVE (and RF64/BW64) probing from the chunk headers.
//!
//! Rules: walk chunk headers with seeks (never read sample data); stop at `data` once `fmt `
//! is known. A `data` size larger than the file (a truncated upload) is replaced by the bytes
//! actually present, so the duration reflects the audio that is really there.
//!
//! What the decoder (symphonia's RIFF reader) will refuse is refused here, so that an upload
//! is a 400 instead of a charge and a FAILED transcription: more than 26 channels; in a plain
//! RIFF file, a `data` size of 0 (a recorder that never patched its header: the decoder reads
//! no samples), and a chunk up to `data` that runs past the RIFF length — counted as the decoder
//! counts it, from after the `WAVE` form, with its one exception (both lengths `0xFFFFFFFF`, as
//! ffmpeg writes to a pipe).

use std::io::{Read, Seek};

use super::source::{not_media, ticks_to_ms, Source};
use super::{Facts, ProbeError};

const WAVE_FORMAT_PCM: u16 = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT: u16 = 0x0003;
const WAVE_FORMAT_ALAW: u16 = 0x0006;
const WAVE_FORMAT_MULAW: u16 = 0x0007;
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// Give up on files that are nothing but tiny chunks.
const MAX_CHUNKS: usize = 10_000;
/// The most channels the decoder maps (symphonia's channel positions).
const MAX_CHANNELS: u16 = 26;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Format {
    tag: u16,
    channels: u16,
    sample_rate: u32,
    byte_rate: u32,
    block_align: u16,
    bits: u16,
}

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Facts, ProbeError> {
    let riff = src.array_at::<12>(0, "RIFF header")?;
    let is_rf64 = &riff[..4] != b"RIFF";
    // The decoder's bound on the chunks it walks (RF64 goes another way: its sizes are in ds64).
    let riff_len = (!is_rf64).then(|| le_u32(&riff[4..8]));
    let mut format = None;
    let mut data: Option<(u64, u64)> = None;
    let mut ds64_data_size = None;
    let mut fact_samples = None;
    let mut pos = 12u64;

    for _ in 0..MAX_CHUNKS {
        if pos.saturating_add(8) > src.len() {
            break;
        }
        let header = src.array_at::<8>(pos, "chunk header")?;
        let size = u64::from(le_u32(&header[4..8]));
        let body = pos + 8;
        if let Some(riff_len) = riff_len {
            check_within_riff(riff_len, pos - 12, &header)?;
        }
        match &header[..4] {
            b"ds64" => {
                let ds64 = src.array_at::<24>(body, "ds64 chunk")?;
                ds64_data_size = Some(le_u64(&ds64[8..16]));
            }
            b"fmt " => format = Some(parse_fmt(src, body, size)?),
            b"fact" if size >= 4 => {
                fact_samples = Some(le_u32(&src.array_at::<4>(body, "fact chunk")?))
            }
            b"data" => {
                let size = match ds64_data_size {
                    Some(real) if is_rf64 && size == 0xFFFF_FFFF => real,
                    _ => size,
                };
                data = Some((body, size));
                if format.is_some() {
                    break;
                }
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        pos = body.saturating_add(size).saturating_add(size & 1);
    }

    let format = format.ok_or_else(|| not_media("the WAV file has no fmt chunk"))?;
    let (data_offset, declared) =
        data.ok_or_else(|| not_media("the WAV file has no data chunk"))?;
    if declared == 0 && !is_rf64 {
        return Err(not_media(
            "the WAV data chunk declares 0 bytes of audio (a header that was never completed)",
        ));
    }
    let present = src.len().saturating_sub(data_offset);
    let data_size = if declared == 0 || declared > present {
        present
    } else {
        declared
    };
    Ok(Facts {
        has_video: false,
        codec: Some(codec_name(&format)),
        duration_ms: duration_ms(&format, data_size, fact_samples),
        channels: Some(u32::from(format.channels)),
        sample_rate: Some(format.sample_rate),
    })
}

fn parse_fmt<R: Read + Seek>(
    src: &mut Source<R>,
    body: u64,
    size: u64,
) -> Result<Format, ProbeError> {
    if size < 16 {
        return Err(not_media(format!(
            "the WAV fmt chunk is too short ({size} bytes)"
        )));
    }
    let fmt = src.read_up_to(body, usize::try_from(size.min(40)).unwrap_or(40))?;
    if fmt.len() < 16 {
        return Err(not_media(
            "the file ends inside the WAV fmt chunk (truncated or corrupt)",
        ));
    }
    let mut format = Format {
        tag: le_u16(&fmt[0..2]),
        channels: le_u16(&fmt[2..4]),
        sample_rate: le_u32(&fmt[4..8]),
        byte_rate: le_u32(&fmt[8..12]),
        block_align: le_u16(&fmt[12..14]),
        bits: le_u16(&fmt[14..16]),
    };
    if format.tag == WAVE_FORMAT_EXTENSIBLE {
        // cbSize, valid bits, channel mask, then the sub-format GUID whose first two bytes
        // are the real format tag.
        let sub_format = fmt
            .get(24..26)
            .ok_or_else(|| not_media("the WAVE_FORMAT_EXTENSIBLE fmt chunk is too short"))?;
        format.tag = le_u16(sub_format);
    }
    if format.channels == 0 {
        return Err(not_media("the WAV fmt chunk declares 0 channels"));
    }
    if format.channels > MAX_CHANNELS {
        return Err(not_media(format!(
            "the WAV fmt chunk declares {} channels; at most {MAX_CHANNELS} can be decoded",
            format.channels
        )));
    }
    if format.sample_rate == 0 {
        return Err(not_media("the WAV fmt chunk declares a sample rate of 0"));
    }
    Ok(format)
}

/// The decoder's check of one chunk header at `offset` (bytes after the `WAVE` form) against
/// the RIFF length: the header must fit, and so must the chunk's declared body.
fn check_within_riff(riff_len: u32, offset: u64, header: &[u8; 8]) -> Result<(), ProbeError> {
    let tag = String::from_utf8_lossy(&header[..4]).into_owned();
    let size = le_u32(&header[4..8]);
    let room = u64::from(riff_len).saturating_sub(offset.saturating_add(8));
    if offset.saturating_add(8) > u64::from(riff_len) {
        return Err(not_media(format!(
            "the WAV RIFF header's length ({riff_len} bytes) ends before the `{}` chunk",
            tag.trim_end()
        )));
    }
    let piped = riff_len == u32::MAX && size == u32::MAX;
    if u64::from(size) > room && !piped {
        return Err(not_media(format!(
            "the WAV `{}` chunk ({size} bytes) runs past the RIFF header's length ({riff_len} bytes)",
            tag.trim_end()
        )));
    }
    Ok(())
}

fn codec_name(format: &Format) -> String {
    match (format.tag, format.bits) {
        (WAVE_FORMAT_PCM, 8) => "pcm_u8".to_owned(),
        (WAVE_FORMAT_PCM, bits) => format!("pcm_s{bits}le"),
        (WAVE_FORMAT_IEEE_FLOAT, bits) => format!("pcm_f{bits}le"),
        (WAVE_FORMAT_ALAW, _) => "pcm_alaw".to_owned(),
        (WAVE_FORMAT_MULAW, _) => "pcm_mulaw".to_owned(),
        (0x0002, _) => "adpcm_ms".to_owned(),
        (0x0011, _) => "adpcm_ima_wav".to_owned(),
        (0x0031, _) => "gsm_ms".to_owned(),
        (0x0050, _) => "mp2".to_owned(),
        (0x0055, _) => "mp3".to_owned(),
        (tag, _) => format!("wav_format_0x{tag:04x}"),
    }
}

fn duration_ms(format: &Format, data_size: u64, fact_samples: Option<u32>) -> Option<i64> {
    let rate = u64::from(format.sample_rate);
    let uncompressed = matches!(
        format.tag,
        WAVE_FORMAT_PCM | WAVE_FORMAT_IEEE_FLOAT | WAVE_FORMAT_ALAW | WAVE_FORMAT_MULAW
    );
    if uncompressed {
        let frame_bytes = match format.block_align {
            0 => u64::from(format.channels) * u64::from(format.bits).div_ceil(8),
            align => u64::from(align),
        };
        return (frame_bytes > 0).then(|| ticks_to_ms(data_size / frame_bytes, rate))?;
    }
    match fact_samples {
        Some(samples) if samples > 0 => ticks_to_ms(u64::from(samples), rate),
        _ => ticks_to_ms(data_size, u64::from(format.byte_rate)),
    }
}

fn le_u16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

#[cfg(test)]
mod tests;
