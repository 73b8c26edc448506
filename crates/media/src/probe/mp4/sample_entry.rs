//! The first sample description of a track (`stsd`): codec name, and for sound tracks the
//! channel count and sample rate, including QuickTime sound description versions 1 and 2.
//!
//! Rules: one capped read of the entry; child boxes (`esds`, QuickTime `wave`) are parsed from
//! that buffer and a malformed child just means "unknown", never a panic.

use std::io::{Read, Seek};

use super::{be_u32, fourcc, read_box, BoxHeader};
use crate::probe::source::{not_media, rate_from_f64, Source};
use crate::probe::ProbeError;

/// Largest sample entry we read (the audio fields and `esds` sit in the first few hundred).
const MAX_ENTRY_READ: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SampleEntry {
    pub codec: String,
    pub channels: Option<u32>,
    pub sample_rate: Option<u32>,
}

/// Reads the first entry of `stsd`; `None` when the table is empty.
pub(super) fn first_entry<R: Read + Seek>(
    src: &mut Source<R>,
    stsd: &BoxHeader,
    handler: &[u8; 4],
) -> Result<Option<SampleEntry>, ProbeError> {
    // version/flags, entry count, then the entries (each shaped like a box).
    let count = src.array_at::<8>(stsd.payload, "MP4 stsd box")?;
    if be_u32(&count[4..8]) == 0 || stsd.payload + 8 >= stsd.end {
        return Ok(None);
    }
    let entry = read_box(src, stsd.payload + 8, stsd.end)?;
    if entry.end > stsd.end {
        return Err(not_media(
            "the MP4 sample description overflows its stsd box",
        ));
    }
    let len = usize::try_from(entry.end - entry.payload)
        .map_or(MAX_ENTRY_READ, |l| l.min(MAX_ENTRY_READ));
    let body = src.read_up_to(entry.payload, len)?;
    Ok(Some(match handler {
        b"soun" => parse_audio(&entry.kind, &body)?,
        b"vide" => SampleEntry {
            codec: video_codec(&entry.kind),
            channels: None,
            sample_rate: None,
        },
        _ => SampleEntry {
            codec: fourcc(&entry.kind).trim().to_owned(),
            channels: None,
            sample_rate: None,
        },
    }))
}

/// Parses an AudioSampleEntry / QuickTime SoundDescription body (after the 8-byte header).
fn parse_audio(format: &[u8; 4], body: &[u8]) -> Result<SampleEntry, ProbeError> {
    let cut_short = || not_media("the MP4 audio sample description is cut short");
    let base = body.get(..28).ok_or_else(cut_short)?;
    let version = u16::from_be_bytes([base[8], base[9]]);
    let (channels, sample_rate, children_at) = match version {
        2 => {
            let v2 = body.get(..64).ok_or_else(cut_short)?;
            let rate = f64::from_be_bytes(v2[32..40].try_into().map_err(|_| cut_short())?);
            (be_u32(&v2[40..44]), rate_from_f64(rate), 64)
        }
        _ => {
            let channels = u32::from(u16::from_be_bytes([base[16], base[17]]));
            let rate = be_u32(&base[24..28]) >> 16; // 16.16 fixed point
            let children_at = if version == 1 { 44 } else { 28 };
            (channels, (rate > 0).then_some(rate), children_at)
        }
    };
    let children = body.get(children_at..).unwrap_or_default();
    let esds = find_child(children, b"esds")
        .or_else(|| find_child(children, b"wave").and_then(|wave| find_child(wave, b"esds")))
        .and_then(parse_esds)
        .unwrap_or_default();
    // ISO writers (ffmpeg among them) put a fixed 2 channels in the entry; the AAC
    // AudioSpecificConfig carries the real layout and rate.
    let channels = esds.channels.unwrap_or(channels);
    Ok(SampleEntry {
        codec: audio_codec(format, esds.object_type),
        channels: (channels > 0).then_some(channels),
        sample_rate: esds.sample_rate.or(sample_rate),
    })
}

/// The payload of the first child box of `kind` in `buf`.
fn find_child<'a>(mut buf: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    while buf.len() >= 8 {
        let size = usize::try_from(be_u32(&buf[..4])).ok()?;
        let size = if size == 0 { buf.len() } else { size };
        if size < 8 || size > buf.len() {
            return None;
        }
        if &buf[4..8] == kind {
            return Some(&buf[8..size]);
        }
        buf = &buf[size..];
    }
    None
}

/// One MPEG-4 descriptor: (tag, body, rest). Lengths use 7 bits per byte, up to 4 bytes.
fn descriptor(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, mut rest) = b.split_first()?;
    let mut len = 0usize;
    for _ in 0..4 {
        let (&byte, tail) = rest.split_first()?;
        rest = tail;
        len = (len << 7) | usize::from(byte & 0x7F);
        if byte & 0x80 == 0 {
            break;
        }
    }
    let len = len.min(rest.len());
    Some((tag, &rest[..len], &rest[len..]))
}

/// What an `esds` box says about the stream.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Esds {
    object_type: Option<u8>,
    channels: Option<u32>,
    sample_rate: Option<u32>,
}

/// ES_Descriptor → DecoderConfigDescriptor (objectTypeIndication) → DecoderSpecificInfo
/// (the AudioSpecificConfig for AAC).
fn parse_esds(esds: &[u8]) -> Option<Esds> {
    let (tag, es, _) = descriptor(esds.get(4..)?)?;
    if tag != 0x03 {
        return None;
    }
    let flags = *es.get(2)?;
    let mut at = 3;
    if flags & 0x80 != 0 {
        at += 2; // dependsOn_ES_ID
    }
    if flags & 0x40 != 0 {
        at += 1 + usize::from(*es.get(at)?); // URL
    }
    if flags & 0x20 != 0 {
        at += 2; // OCR_ES_Id
    }
    let mut rest = es.get(at..)?;
    while let Some((tag, body, tail)) = descriptor(rest) {
        if tag == 0x04 {
            let object_type = *body.first()?;
            let mut info = Esds {
                object_type: Some(object_type),
                ..Esds::default()
            };
            // objectType, streamType, bufferSize(3), maxBitrate(4), avgBitrate(4), then
            // sub-descriptors.
            let aac = matches!(object_type, 0x40 | 0x66 | 0x67 | 0x68);
            if let (true, Some((0x05, asc, _))) = (aac, body.get(13..).and_then(descriptor)) {
                (info.channels, info.sample_rate) = audio_specific_config(asc);
            }
            return Some(info);
        }
        rest = tail;
    }
    None
}

const AAC_RATES: [u32; 13] = [
    96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000,
    7_350,
];

/// (channels, sample rate) from an AAC AudioSpecificConfig; `None` fields when not stated
/// there (channel configuration 0 means "see the program config element").
fn audio_specific_config(asc: &[u8]) -> (Option<u32>, Option<u32>) {
    let mut bits = BitReader { data: asc, pos: 0 };
    let parsed = (|| {
        let mut object_type = bits.read(5)?;
        if object_type == 31 {
            object_type = 32 + bits.read(6)?;
        }
        let rate_index = bits.read(4)?;
        let rate = if rate_index == 0x0F {
            Some(bits.read(24)?)
        } else {
            AAC_RATES.get(rate_index as usize).copied()
        };
        let channels = match bits.read(4)? {
            0 => None,
            7 => Some(8),
            c @ 1..=6 => Some(c),
            _ => None,
        };
        // HE-AAC (SBR, 5) and HE-AACv2 (PS, 29) decode at the extension rate; PS is stereo.
        let (rate, channels) = if object_type == 5 || object_type == 29 {
            let ext_index = bits.read(4)?;
            let ext_rate = if ext_index == 0x0F {
                Some(bits.read(24)?)
            } else {
                AAC_RATES.get(ext_index as usize).copied()
            };
            (
                ext_rate.or(rate),
                if object_type == 29 { Some(2) } else { channels },
            )
        } else {
            (rate, channels)
        };
        Some((channels, rate.filter(|r| *r > 0)))
    })();
    parsed.unwrap_or((None, None))
}

/// Big-endian bit reader over a byte slice.
struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn read(&mut self, count: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..count {
            let byte = *self.data.get(self.pos / 8)?;
            let bit = (byte >> (7 - self.pos % 8)) & 1;
            value = (value << 1) | u32::from(bit);
            self.pos += 1;
        }
        Some(value)
    }
}

fn audio_codec(format: &[u8; 4], object_type: Option<u8>) -> String {
    let name = match (format, object_type) {
        (b"mp4a", None | Some(0x40 | 0x66 | 0x67 | 0x68)) => "aac",
        (b"mp4a", Some(0x69 | 0x6B)) | (b".mp3", _) => "mp3",
        (b"mp4a", Some(0xA5)) | (b"ac-3", _) => "ac3",
        (b"mp4a", Some(0xA6)) | (b"ec-3", _) => "eac3",
        (b"mp4a", Some(0xAD)) | (b"Opus", _) => "opus",
        (b"alac", _) => "alac",
        (b"fLaC", _) => "flac",
        (b"samr", _) => "amr_nb",
        (b"sawb", _) => "amr_wb",
        (b"ulaw", _) => "pcm_mulaw",
        (b"alaw", _) => "pcm_alaw",
        (b"sowt", _) => "pcm_s16le",
        (b"twos", _) => "pcm_s16be",
        (b"in24", _) => "pcm_s24",
        (b"in32", _) => "pcm_s32",
        (b"fl32", _) => "pcm_f32",
        (b"fl64", _) => "pcm_f64",
        (b"raw ", _) => "pcm_u8",
        (b"lpcm" | b"ipcm" | b"fpcm", _) => "pcm",
        (b"mp4a", Some(_)) => "mp4a",
        _ => return fourcc(format).trim().to_owned(),
    };
    name.to_owned()
}

fn video_codec(format: &[u8; 4]) -> String {
    let name = match format {
        b"avc1" | b"avc3" => "h264",
        b"hvc1" | b"hev1" => "hevc",
        b"vp08" => "vp8",
        b"vp09" => "vp9",
        b"av01" => "av1",
        b"mp4v" => "mpeg4",
        b"s263" | b"h263" => "h263",
        b"jpeg" | b"mjpa" | b"mjpb" => "mjpeg",
        b"apch" | b"apcn" | b"apcs" | b"apco" | b"ap4h" => "prores",
        _ => return fourcc(format).trim().to_owned(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sound_v0(channels: u16, rate: u16, children: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 28];
        b[6..8].copy_from_slice(&1u16.to_be_bytes());
        b[16..18].copy_from_slice(&channels.to_be_bytes());
        b[18..20].copy_from_slice(&16u16.to_be_bytes());
        b[24..26].copy_from_slice(&rate.to_be_bytes());
        b.extend_from_slice(children);
        b
    }

    fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }

    fn esds(object_type: u8) -> Vec<u8> {
        esds_with_asc(object_type, &[])
    }

    fn esds_with_asc(object_type: u8, asc: &[u8]) -> Vec<u8> {
        let mut decoder_config = vec![
            0x04,
            0x80,
            0x80,
            0x80,
            (13 + 2 + asc.len()) as u8,
            object_type,
            0x15,
        ];
        decoder_config.extend_from_slice(&[0; 11]);
        decoder_config.extend_from_slice(&[0x05, asc.len() as u8]);
        decoder_config.extend_from_slice(asc);
        let mut es = vec![0x03, (3 + decoder_config.len()) as u8, 0, 1, 0];
        es.extend_from_slice(&decoder_config);
        boxed(b"esds", &[&[0u8; 4][..], &es].concat())
    }

    #[test]
    fn version_0_sound_entry() {
        let entry = parse_audio(b"mp4a", &sound_v0(2, 44_100, &esds(0x40))).unwrap();
        assert_eq!(
            entry,
            SampleEntry {
                codec: "aac".into(),
                channels: Some(2),
                sample_rate: Some(44_100)
            }
        );
        let mp3 = parse_audio(b"mp4a", &sound_v0(1, 22_050, &esds(0x6B))).unwrap();
        assert_eq!(mp3.codec, "mp3");
        let bare = parse_audio(b"mp4a", &sound_v0(1, 8000, &[])).unwrap();
        assert_eq!(bare.codec, "aac");
    }

    #[test]
    fn aac_config_overrides_the_entry_fields() {
        let cases: [(&[u8], Option<u32>, Option<u32>); 6] = [
            (&[0x12, 0x08], Some(1), Some(44_100)), // LC, 44.1 kHz, mono
            (&[0x11, 0x90], Some(2), Some(48_000)), // LC, 48 kHz, stereo
            (&[0x2B, 0x92, 0x08, 0x00], Some(2), Some(44_100)), // HE-AAC: 22.05 kHz core, 44.1 kHz out
            (&[0xEB, 0x8A, 0x08, 0x00], Some(2), Some(44_100)), // HE-AACv2 (PS): mono core, stereo out
            (&[0x12, 0x00], None, Some(44_100)), // channels in a PCE: keep the entry's
            (&[0x12], None, None),               // cut short
        ];
        for (asc, channels, rate) in cases {
            assert_eq!(audio_specific_config(asc), (channels, rate), "{asc:02x?}");
        }
        let entry = parse_audio(
            b"mp4a",
            &sound_v0(2, 44_100, &esds_with_asc(0x40, &[0x12, 0x08])),
        )
        .unwrap();
        assert_eq!(
            entry,
            SampleEntry {
                codec: "aac".into(),
                channels: Some(1),
                sample_rate: Some(44_100)
            }
        );
        let pce = parse_audio(
            b"mp4a",
            &sound_v0(6, 48_000, &esds_with_asc(0x40, &[0x11, 0x80])),
        )
        .unwrap();
        assert_eq!(pce.channels, Some(6));
    }

    #[test]
    fn quicktime_v1_finds_esds_inside_wave() {
        let mut body = sound_v0(2, 48_000, &[]);
        body[8..10].copy_from_slice(&1u16.to_be_bytes());
        body.extend_from_slice(&[0u8; 16]); // v1 extension
        body.extend_from_slice(&boxed(
            b"wave",
            &[boxed(b"frma", b"mp4a"), esds(0x69)].concat(),
        ));
        let entry = parse_audio(b"mp4a", &body).unwrap();
        assert_eq!(
            entry,
            SampleEntry {
                codec: "mp3".into(),
                channels: Some(2),
                sample_rate: Some(48_000)
            }
        );
    }

    #[test]
    fn quicktime_v2_reads_float_rate_and_u32_channels() {
        let mut body = vec![0u8; 64];
        body[8..10].copy_from_slice(&2u16.to_be_bytes());
        body[32..40].copy_from_slice(&96_000f64.to_be_bytes());
        body[40..44].copy_from_slice(&6u32.to_be_bytes());
        let entry = parse_audio(b"lpcm", &body).unwrap();
        assert_eq!(
            entry,
            SampleEntry {
                codec: "pcm".into(),
                channels: Some(6),
                sample_rate: Some(96_000)
            }
        );
        body[32..40].copy_from_slice(&f64::NAN.to_be_bytes());
        assert_eq!(parse_audio(b"lpcm", &body).unwrap().sample_rate, None);
        assert!(parse_audio(b"lpcm", &body[..40]).is_err());
    }

    #[test]
    fn malformed_children_mean_unknown() {
        let broken_esds = boxed(b"esds", &[0, 0, 0, 0, 0x03, 0x85]);
        let entry = parse_audio(b"mp4a", &sound_v0(1, 8000, &broken_esds)).unwrap();
        assert_eq!(entry.codec, "aac");
        let lying_size = [0, 0, 0, 0x50, b'e', b's', b'd', b's', 0];
        assert_eq!(find_child(&lying_size, b"esds"), None);
        assert!(parse_audio(b"mp4a", &[0; 20]).is_err());
    }

    #[test]
    fn codec_names() {
        let audio = [
            (b"Opus", "opus"),
            (b"sowt", "pcm_s16le"),
            (b"ulaw", "pcm_mulaw"),
            (b"zzzz", "zzzz"),
        ];
        for (format, name) in audio {
            assert_eq!(audio_codec(format, None), name);
        }
        let video = [
            (b"avc1", "h264"),
            (b"hev1", "hevc"),
            (b"vp09", "vp9"),
            (b"av01", "av1"),
            (b"abc\0", "abc?"),
        ];
        for (format, name) in video {
            assert_eq!(video_codec(format), name);
        }
    }
}
