//! MPEG audio (layers I–III) frame headers and ID3v2 tag sizes, shared by `sniff` and the MP3
//! probe.
//!
//! Rule: a header is only accepted when every field holds a legal value (no reserved version,
//! layer, sample rate or emphasis, no free-format or "bad" bitrate). A bare `0xFFE` sync is
//! far too common in random data to mean anything on its own.

/// MPEG audio version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MpegVersion {
    V1,
    V2,
    V2_5,
}

/// The fields of one MPEG audio frame header that the probe needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    pub version: MpegVersion,
    /// 1, 2 or 3.
    pub layer: u8,
    pub bitrate_kbps: u32,
    pub sample_rate: u32,
    pub padding: bool,
    pub channels: u32,
}

const BITRATES_V1: [[u32; 15]; 3] = [
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
];
const BITRATES_V2_L1: [u32; 15] = [
    0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
];
const BITRATES_V2_L23: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

impl FrameHeader {
    /// Parses a 4-byte frame header; `None` unless every field is legal.
    pub fn parse(b: &[u8]) -> Option<FrameHeader> {
        let &[b0, b1, b2, b3, ..] = b else {
            return None;
        };
        if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
            return None;
        }
        let version = match (b1 >> 3) & 0b11 {
            0b00 => MpegVersion::V2_5,
            0b10 => MpegVersion::V2,
            0b11 => MpegVersion::V1,
            _ => return None,
        };
        let layer = match (b1 >> 1) & 0b11 {
            0b01 => 3,
            0b10 => 2,
            0b11 => 1,
            _ => return None,
        };
        let bitrate_index = usize::from(b2 >> 4);
        // 0 is "free format" (no way to find frame boundaries cheaply), 15 is forbidden.
        if bitrate_index == 0 || bitrate_index == 15 {
            return None;
        }
        let bitrate_kbps = match (version, layer) {
            (MpegVersion::V1, l) => BITRATES_V1[usize::from(l - 1)][bitrate_index],
            (_, 1) => BITRATES_V2_L1[bitrate_index],
            _ => BITRATES_V2_L23[bitrate_index],
        };
        let base_rate = match (b2 >> 2) & 0b11 {
            0 => 44_100,
            1 => 48_000,
            2 => 32_000,
            _ => return None,
        };
        let sample_rate = match version {
            MpegVersion::V1 => base_rate,
            MpegVersion::V2 => base_rate / 2,
            MpegVersion::V2_5 => base_rate / 4,
        };
        if b3 & 0b11 == 0b10 {
            return None; // reserved emphasis
        }
        Some(FrameHeader {
            version,
            layer,
            bitrate_kbps,
            sample_rate,
            padding: (b2 >> 1) & 1 == 1,
            channels: if b3 >> 6 == 0b11 { 1 } else { 2 },
        })
    }

    /// Length of the whole frame in bytes, header included.
    pub fn frame_len(&self) -> usize {
        let bitrate = self.bitrate_kbps as usize * 1000;
        let rate = self.sample_rate as usize;
        let pad = usize::from(self.padding);
        match (self.layer, self.version) {
            (1, _) => (12 * bitrate / rate + pad) * 4,
            (3, MpegVersion::V2 | MpegVersion::V2_5) => 72 * bitrate / rate + pad,
            _ => 144 * bitrate / rate + pad,
        }
    }

    /// Decoded samples (per channel) in one frame.
    pub fn samples_per_frame(&self) -> u32 {
        match (self.layer, self.version) {
            (1, _) => 384,
            (3, MpegVersion::V2 | MpegVersion::V2_5) => 576,
            _ => 1152,
        }
    }

    /// Offset from the frame start where a Xing/Info tag would sit (after the side info).
    pub fn xing_offset(&self) -> usize {
        match (self.version, self.channels) {
            (MpegVersion::V1, 1) => 4 + 17,
            (MpegVersion::V1, _) => 4 + 32,
            (_, 1) => 4 + 9,
            _ => 4 + 17,
        }
    }

    /// Whether `other` can be the next frame of the same stream.
    pub fn continues_with(&self, other: &FrameHeader) -> bool {
        self.version == other.version
            && self.layer == other.layer
            && self.sample_rate == other.sample_rate
    }

    /// Codec name in ffmpeg's spelling.
    pub fn codec(&self) -> &'static str {
        match self.layer {
            1 => "mp1",
            2 => "mp2",
            _ => "mp3",
        }
    }
}

/// Total length (header, body, optional footer) of an ID3v2 tag starting at `b[0]`, or `None`
/// when `b` does not start with a well-formed ID3v2 header.
pub(crate) fn id3v2_len(b: &[u8]) -> Option<u64> {
    let &[b'I', b'D', b'3', major, _minor, flags, s0, s1, s2, s3, ..] = b else {
        return None;
    };
    let size_bytes = [s0, s1, s2, s3];
    if major == 0xFF || size_bytes.iter().any(|b| b & 0x80 != 0) {
        return None;
    }
    // The size is "syncsafe": 7 significant bits per byte.
    let size = size_bytes
        .iter()
        .fold(0u64, |acc, &b| (acc << 7) | u64::from(b));
    let footer = if flags & 0x10 != 0 { 10 } else { 0 };
    Some(10 + size + footer)
}

/// Finds the first offset in `buf` holding a valid frame header that is either followed by a
/// matching header or by the end of `buf` when `buf_ends_stream`.
pub(crate) fn find_frame(buf: &[u8], buf_ends_stream: bool) -> Option<(usize, FrameHeader)> {
    (0..buf.len().saturating_sub(3)).find_map(|pos| {
        let header = FrameHeader::parse(&buf[pos..])?;
        let next = pos + header.frame_len();
        let confirmed = match buf.get(next..) {
            Some(rest) if rest.len() >= 4 => {
                FrameHeader::parse(rest).is_some_and(|h| header.continues_with(&h))
            }
            Some(rest) => rest.is_empty() && buf_ends_stream,
            None => false,
        };
        confirmed.then_some((pos, header))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_legal_headers() {
        // (header, version, layer, kbps, rate, channels, frame_len, samples)
        let cases = [
            (
                [0xFF, 0xFB, 0x90, 0x64],
                MpegVersion::V1,
                3,
                128,
                44_100,
                2,
                417,
                1152,
            ),
            (
                [0xFF, 0xFB, 0x92, 0x64],
                MpegVersion::V1,
                3,
                128,
                44_100,
                2,
                418,
                1152,
            ),
            (
                [0xFF, 0xF3, 0x40, 0xC4],
                MpegVersion::V2,
                3,
                32,
                22_050,
                1,
                104,
                576,
            ),
            (
                [0xFF, 0xE3, 0x18, 0xC4],
                MpegVersion::V2_5,
                3,
                8,
                8_000,
                1,
                72,
                576,
            ),
            (
                [0xFF, 0xFD, 0x94, 0x04],
                MpegVersion::V1,
                2,
                160,
                48_000,
                2,
                480,
                1152,
            ),
            (
                [0xFF, 0xFF, 0x90, 0x00],
                MpegVersion::V1,
                1,
                288,
                44_100,
                2,
                312,
                384,
            ),
        ];
        for (bytes, version, layer, kbps, rate, channels, len, samples) in cases {
            let h = FrameHeader::parse(&bytes).unwrap_or_else(|| panic!("{bytes:02x?}"));
            assert_eq!(h.version, version, "{bytes:02x?}");
            assert_eq!(h.layer, layer, "{bytes:02x?}");
            assert_eq!(h.bitrate_kbps, kbps, "{bytes:02x?}");
            assert_eq!(h.sample_rate, rate, "{bytes:02x?}");
            assert_eq!(h.channels, channels, "{bytes:02x?}");
            assert_eq!(h.frame_len(), len, "{bytes:02x?}");
            assert_eq!(h.samples_per_frame(), samples, "{bytes:02x?}");
        }
    }

    #[test]
    fn rejects_reserved_fields() {
        let cases = [
            [0xFF, 0xEB, 0x90, 0x64], // reserved version 01
            [0xFF, 0xF9, 0x90, 0x64], // reserved layer 00 (also what ADTS AAC looks like)
            [0xFF, 0xFB, 0x00, 0x64], // free-format bitrate
            [0xFF, 0xFB, 0xF0, 0x64], // bad bitrate 1111
            [0xFF, 0xFB, 0x9C, 0x64], // reserved sample rate 11
            [0xFF, 0xFB, 0x90, 0x66], // reserved emphasis 10
            [0xFF, 0xD8, 0xFF, 0xE0], // JPEG start of image
            [0xFE, 0xFB, 0x90, 0x64], // no sync
        ];
        for bytes in cases {
            assert_eq!(FrameHeader::parse(&bytes), None, "{bytes:02x?}");
        }
        assert_eq!(FrameHeader::parse(&[0xFF, 0xFB, 0x90]), None);
    }

    #[test]
    fn id3_sizes_are_syncsafe() {
        let tag = [b'I', b'D', b'3', 4, 0, 0, 0, 0, 0x02, 0x01];
        assert_eq!(id3v2_len(&tag), Some(10 + 257));
        let with_footer = [b'I', b'D', b'3', 4, 0, 0x10, 0, 0, 0, 0x10];
        assert_eq!(id3v2_len(&with_footer), Some(10 + 16 + 10));
        let not_syncsafe = [b'I', b'D', b'3', 4, 0, 0, 0, 0, 0x80, 0];
        assert_eq!(id3v2_len(&not_syncsafe), None);
        assert_eq!(id3v2_len(b"ID3"), None);
        assert_eq!(id3v2_len(b"RIFF\0\0\0\0WAVE"), None);
    }

    #[test]
    fn find_frame_needs_a_confirming_neighbour() {
        let header = [0xFF, 0xF3, 0x40, 0xC4]; // 104-byte frames
        let mut stream = vec![0u8; 7]; // junk before the first frame
        for _ in 0..3 {
            stream.extend_from_slice(&header);
            stream.extend_from_slice(&[0u8; 100]);
        }
        assert_eq!(find_frame(&stream, true).map(|(pos, _)| pos), Some(7));

        // A lone valid header followed by garbage is not a frame.
        let mut lone = header.to_vec();
        lone.extend_from_slice(&[0x55; 200]);
        assert_eq!(find_frame(&lone, false), None);
        // ...unless it is exactly the whole stream.
        let mut single = header.to_vec();
        single.extend_from_slice(&[0u8; 100]);
        assert!(find_frame(&single, true).is_some());
        assert!(find_frame(&single, false).is_none());
    }
}
