//! EBML primitives (the binary encoding under Matroska/WebM): variable-length element IDs and
//! sizes, integer/float/string payloads, and the doc type of the EBML header.
//!
//! Everything here works on byte slices and returns `None` on malformed or short input, so it
//! is safe on untrusted bytes; file walking lives in `probe::matroska`.

/// Element IDs used by the sniffer and the probe (IDs keep their length-marker bits).
pub(crate) mod id {
    pub const EBML: u32 = 0x1A45_DFA3;
    pub const DOC_TYPE: u32 = 0x4282;
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const SEEK_HEAD: u32 = 0x114D_9B74;
    pub const SEEK: u32 = 0x4DBB;
    pub const SEEK_ID: u32 = 0x53AB;
    pub const SEEK_POSITION: u32 = 0x53AC;
    pub const INFO: u32 = 0x1549_A966;
    pub const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
    pub const DURATION: u32 = 0x4489;
    pub const TRACKS: u32 = 0x1654_AE6B;
    pub const TRACK_ENTRY: u32 = 0xAE;
    pub const TRACK_NUMBER: u32 = 0xD7;
    pub const TRACK_TYPE: u32 = 0x83;
    pub const CODEC_ID: u32 = 0x86;
    pub const DEFAULT_DURATION: u32 = 0x23_E383;
    pub const AUDIO: u32 = 0xE1;
    pub const SAMPLING_FREQUENCY: u32 = 0xB5;
    pub const CHANNELS: u32 = 0x9F;
    pub const CLUSTER: u32 = 0x1F43_B675;
    pub const CLUSTER_TIMESTAMP: u32 = 0xE7;
    pub const SIMPLE_BLOCK: u32 = 0xA3;
    pub const BLOCK_GROUP: u32 = 0xA0;
    pub const BLOCK: u32 = 0xA1;
    pub const CUES: u32 = 0x1C53_BB6B;
    pub const TAGS: u32 = 0x1254_C367;
    pub const CHAPTERS: u32 = 0x1043_A770;
    pub const ATTACHMENTS: u32 = 0x1941_A469;
}

/// IDs that may only appear directly under Segment; seeing one ends a Cluster of unknown size.
pub(crate) const SEGMENT_CHILDREN: [u32; 8] = [
    id::SEEK_HEAD,
    id::INFO,
    id::TRACKS,
    id::CLUSTER,
    id::CUES,
    id::TAGS,
    id::CHAPTERS,
    id::ATTACHMENTS,
];

/// An element header: its ID, payload size (`None` = "unknown size", used by live streams),
/// and how many bytes the header itself took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub id: u32,
    pub size: Option<u64>,
    pub len: usize,
}

/// Length of a vint from its first byte (1..=8), or `None` for a zero byte.
fn vint_len(first: u8) -> Option<usize> {
    (first != 0).then(|| first.leading_zeros() as usize + 1)
}

/// Reads an element ID (1–4 bytes, marker bits kept).
pub(crate) fn read_id(b: &[u8]) -> Option<(u32, usize)> {
    let len = vint_len(*b.first()?)?;
    if len > 4 || b.len() < len {
        return None;
    }
    let id = b[..len]
        .iter()
        .fold(0u32, |acc, &x| (acc << 8) | u32::from(x));
    Some((id, len))
}

/// Reads an element size (1–8 bytes, marker bit removed); all-ones means unknown.
pub(crate) fn read_size(b: &[u8]) -> Option<(Option<u64>, usize)> {
    let first = *b.first()?;
    let len = vint_len(first)?;
    if b.len() < len {
        return None;
    }
    let marker_mask = if len == 8 { 0 } else { 0xFFu8 >> len };
    let mut value = u64::from(first & marker_mask);
    for &x in &b[1..len] {
        value = (value << 8) | u64::from(x);
    }
    let all_ones = (1u64 << (7 * len)) - 1;
    Some(((value != all_ones).then_some(value), len))
}

/// Reads an element header (ID then size).
pub(crate) fn read_header(b: &[u8]) -> Option<Header> {
    let (id, id_len) = read_id(b)?;
    let (size, size_len) = read_size(&b[id_len..])?;
    Some(Header {
        id,
        size,
        len: id_len + size_len,
    })
}

/// Big-endian unsigned integer payload (0–8 bytes).
pub(crate) fn read_uint(b: &[u8]) -> Option<u64> {
    (b.len() <= 8).then(|| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}

/// Float payload (0, 4 or 8 bytes; 0 bytes means 0.0).
pub(crate) fn read_float(b: &[u8]) -> Option<f64> {
    match b.len() {
        0 => Some(0.0),
        4 => Some(f64::from(f32::from_be_bytes(b.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

/// String payload with trailing NUL padding removed (lossy on invalid UTF-8).
pub(crate) fn read_string(b: &[u8]) -> String {
    let end = b.iter().position(|&x| x == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// The DocType of the EBML header at the start of `prefix` ("matroska" when the header omits
/// it, as the spec's default says). `None` when `prefix` does not start with a readable EBML
/// header.
pub(crate) fn doc_type(prefix: &[u8]) -> Option<String> {
    let header = read_header(prefix)?;
    if header.id != id::EBML {
        return None;
    }
    let body_end = prefix
        .len()
        .min(header.len + usize::try_from(header.size?).ok()?);
    let mut pos = header.len;
    while pos < body_end {
        let child = read_header(&prefix[pos..body_end])?;
        let start = pos + child.len;
        let end = start.checked_add(usize::try_from(child.size?).ok()?)?;
        if end > body_end {
            return None;
        }
        if child.id == id::DOC_TYPE {
            return Some(read_string(&prefix[start..end]));
        }
        pos = end;
    }
    Some("matroska".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_and_sizes() {
        assert_eq!(read_id(&[0x1A, 0x45, 0xDF, 0xA3]), Some((id::EBML, 4)));
        assert_eq!(read_id(&[0xAE]), Some((0xAE, 1)));
        assert_eq!(read_id(&[0x08, 0, 0, 0, 0]), None); // 5-byte IDs do not exist
        assert_eq!(read_id(&[0x00]), None);
        assert_eq!(read_id(&[0x1A, 0x45]), None); // short

        type SizeCase<'a> = (&'a [u8], Option<(Option<u64>, usize)>);
        let sizes: [SizeCase; 7] = [
            (&[0x81], Some((Some(1), 1))),
            (&[0x40, 0x02], Some((Some(2), 2))),
            (&[0xFF], Some((None, 1))),
            (
                &[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                Some((None, 8)),
            ),
            (&[0x01, 0, 0, 0, 0, 0, 0x01, 0x00], Some((Some(256), 8))),
            (&[0x00], None),
            (&[0x40], None),
        ];
        for (bytes, expected) in sizes {
            assert_eq!(read_size(bytes), expected, "{bytes:02x?}");
        }
    }

    #[test]
    fn reads_payloads() {
        assert_eq!(read_uint(&[0x0F, 0x42, 0x40]), Some(1_000_000));
        assert_eq!(read_uint(&[]), Some(0));
        assert_eq!(read_uint(&[0; 9]), None);
        assert_eq!(read_float(&2.5f32.to_be_bytes()), Some(2.5));
        assert_eq!(read_float(&1234.5f64.to_be_bytes()), Some(1234.5));
        assert_eq!(read_float(&[0; 3]), None);
        assert_eq!(read_string(b"webm\0\0"), "webm");
    }

    #[test]
    fn finds_the_doc_type() {
        let webm = [
            0x1A, 0x45, 0xDF, 0xA3, 0x8B, // EBML, size 11
            0x42, 0x86, 0x81, 0x01, // EBMLVersion 1
            0x42, 0x82, 0x84, b'w', b'e', b'b', b'm', // DocType "webm"
        ];
        assert_eq!(doc_type(&webm).as_deref(), Some("webm"));
        let no_doc_type = [0x1A, 0x45, 0xDF, 0xA3, 0x84, 0x42, 0x86, 0x81, 0x01];
        assert_eq!(doc_type(&no_doc_type).as_deref(), Some("matroska"));
        // A child claiming more bytes than its parent is corrupt.
        let overflowing = [0x1A, 0x45, 0xDF, 0xA3, 0x84, 0x42, 0x82, 0x88, b'w'];
        assert_eq!(doc_type(&overflowing), None);
        assert_eq!(doc_type(b"OggS"), None);
    }
}
