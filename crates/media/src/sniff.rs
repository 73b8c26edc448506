//! Recognising a container from the first bytes of a file (the upload's first chunk).
//!
//! Rules: look only at the given prefix (callers pass up to ~4 KiB), never guess from file
//! names, and prefer "not recognised" over a weak match — the probe is the real judge, this is
//! the cheap early gate. `likely_video` is a best-effort hint from brands and track headers
//! visible in the prefix.

use crate::container::Container;
use crate::ebml;
use crate::mpeg_audio::{id3v2_len, FrameHeader};

/// What the leading bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub container: Container,
    /// Hint only: `true` when the prefix suggests a video track (the probe decides).
    pub likely_video: bool,
}

/// Recognises the container from `prefix` (the first bytes of the file).
pub fn sniff(prefix: &[u8]) -> Option<Sniffed> {
    let audio = |container| {
        Some(Sniffed {
            container,
            likely_video: false,
        })
    };
    if is_wave(prefix) {
        return audio(Container::Wav);
    }
    if prefix.starts_with(b"fLaC") {
        return audio(Container::Flac);
    }
    if prefix.starts_with(b"OggS") && prefix.get(4) == Some(&0) {
        return Some(Sniffed {
            container: Container::Ogg,
            likely_video: contains(prefix, b"\x80theora"),
        });
    }
    if prefix.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return sniff_matroska(prefix);
    }
    if let Some(sniffed) = sniff_iso_bmff(prefix) {
        return Some(sniffed);
    }
    if let Some(tag_len) = id3v2_len(prefix) {
        return sniff_after_id3(prefix, tag_len);
    }
    if is_mpeg_audio_start(prefix) {
        return audio(Container::Mp3);
    }
    None
}

/// A human reason why `prefix` is not a supported container, for `ProbeError::NotMedia`.
pub fn describe_unrecognised(prefix: &[u8]) -> String {
    const SUPPORTED: &str = "WAV, MP3, FLAC, Ogg, MP4/M4A/MOV, WebM/MKV";
    if prefix.is_empty() {
        return "the file is empty".to_owned();
    }
    let starts = |magic: &[u8]| prefix.starts_with(magic);
    if starts(b"RIFF") && prefix.len() >= 12 {
        let kind = String::from_utf8_lossy(&prefix[8..12]).into_owned();
        return format!("it is a RIFF file of type '{kind}'; only RIFF/WAVE audio is supported");
    }
    if starts(b"FORM") && matches!(prefix.get(8..12), Some(b"AIFF" | b"AIFC")) {
        return "AIFF audio is not supported; convert it to WAV or FLAC".to_owned();
    }
    if prefix.len() >= 2 && prefix[0] == 0xFF && prefix[1] & 0xF6 == 0xF0 {
        return "raw AAC (ADTS) streams are not supported; upload AAC inside an M4A/MP4 file"
            .to_owned();
    }
    if starts(b"#!AMR") {
        return "AMR audio is not supported".to_owned();
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return match ebml::doc_type(prefix) {
            Some(doc) => format!("it is an EBML file of doc type '{doc}', not Matroska/WebM"),
            None => "its Matroska/WebM header is truncated or corrupt".to_owned(),
        };
    }
    if id3v2_len(prefix).is_some() {
        return "it has an ID3 tag but no MPEG audio frames follow it".to_owned();
    }
    let known = [
        (&b"%PDF"[..], "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
    ];
    if let Some((_, what)) = known.iter().find(|(magic, _)| starts(magic)) {
        return format!("it looks like {what}");
    }
    if looks_like_text(prefix) {
        return "it looks like a text file".to_owned();
    }
    let shown = &prefix[..prefix.len().min(8)];
    let hex: Vec<String> = shown.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "its first bytes ({}) match no supported audio/video format ({SUPPORTED})",
        hex.join(" ")
    )
}

fn is_wave(prefix: &[u8]) -> bool {
    matches!(prefix.get(..4), Some(b"RIFF" | b"RF64" | b"BW64"))
        && prefix.get(8..12) == Some(b"WAVE")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn sniff_matroska(prefix: &[u8]) -> Option<Sniffed> {
    let container = match ebml::doc_type(prefix)?.as_str() {
        "webm" => Container::WebM,
        "matroska" => Container::Matroska,
        _ => return None,
    };
    // A CodecID element (0x86, one-byte size) whose value starts with "V_" is a video track.
    let likely_video = prefix
        .windows(4)
        .any(|w| w[0] == 0x86 && w[1] & 0x80 != 0 && &w[2..4] == b"V_");
    Some(Sniffed {
        container,
        likely_video,
    })
}

/// Top-level box types that may open an ISO BMFF / QuickTime file.
const FIRST_BOXES: [&[u8; 4]; 7] = [
    b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot",
];
const AUDIO_BRANDS: [&[u8; 4]; 5] = [b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "];

fn sniff_iso_bmff(prefix: &[u8]) -> Option<Sniffed> {
    let size = u32::from_be_bytes(prefix.get(..4)?.try_into().ok()?);
    let kind: &[u8; 4] = prefix.get(4..8)?.try_into().ok()?;
    if !FIRST_BOXES.contains(&kind) || (size > 1 && size < 8) {
        return None;
    }
    let brand = if kind == b"ftyp" {
        // major brand + minor version, then whole 4-byte compatible brands
        if size < 16 || (size - 16) % 4 != 0 {
            return None;
        }
        let brand: [u8; 4] = prefix.get(8..12)?.try_into().ok()?;
        if !brand.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            return None;
        }
        Some(brand)
    } else {
        None
    };
    // Classic QuickTime movies have no ftyp at all.
    let container = match &brand {
        Some(b) if b != b"qt  " => Container::Mp4,
        _ => Container::QuickTime,
    };
    let likely_video = match visible_handlers(prefix) {
        (true, _) => true,
        (false, true) => false,
        (false, false) => !brand.is_some_and(|b| AUDIO_BRANDS.contains(&&b)),
    };
    Some(Sniffed {
        container,
        likely_video,
    })
}

/// Which `hdlr` handler types (video, sound) appear in the prefix.
fn visible_handlers(prefix: &[u8]) -> (bool, bool) {
    let mut video = false;
    let mut sound = false;
    for (pos, window) in prefix.windows(4).enumerate() {
        if window == b"hdlr" {
            match prefix.get(pos + 12..pos + 16) {
                Some(b"vide") => video = true,
                Some(b"soun") => sound = true,
                _ => {}
            }
        }
    }
    (video, sound)
}

fn sniff_after_id3(prefix: &[u8], tag_len: u64) -> Option<Sniffed> {
    let audio = |container| {
        Some(Sniffed {
            container,
            likely_video: false,
        })
    };
    let Some(rest) = usize::try_from(tag_len).ok().and_then(|n| prefix.get(n..)) else {
        // The tag (often with cover art) runs past the prefix; trust it.
        return audio(Container::Mp3);
    };
    // Some taggers leave zero padding after the declared tag size.
    let rest = &rest[rest.iter().position(|&b| b != 0).unwrap_or(rest.len())..];
    if rest.len() < 4 {
        return audio(Container::Mp3);
    }
    if rest.starts_with(b"fLaC") {
        return audio(Container::Flac);
    }
    FrameHeader::parse(rest).and_then(|_| audio(Container::Mp3))
}

/// A legal MPEG audio frame header at offset 0, confirmed by the next frame's header when the
/// prefix reaches that far.
fn is_mpeg_audio_start(prefix: &[u8]) -> bool {
    let Some(first) = FrameHeader::parse(prefix) else {
        return false;
    };
    match prefix.get(first.frame_len()..) {
        Some(next) if next.len() >= 4 => {
            FrameHeader::parse(next).is_some_and(|h| first.continues_with(&h))
        }
        _ => true,
    }
}

fn looks_like_text(prefix: &[u8]) -> bool {
    let sample = &prefix[..prefix.len().min(1024)];
    let text = match std::str::from_utf8(sample) {
        Ok(text) => text,
        // A multi-byte character cut by the prefix end is still text.
        Err(e) if e.error_len().is_none() => {
            match std::str::from_utf8(&sample[..e.valid_up_to()]) {
                Ok(text) => text,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0C'))
}

#[cfg(test)]
mod tests;
