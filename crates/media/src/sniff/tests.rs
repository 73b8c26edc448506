//! Table-driven tests of `sniff` on synthetic prefixes (real files: tests/sniff.rs).

use super::*;

fn mpeg_frames(header: [u8; 4], count: usize) -> Vec<u8> {
    let len = FrameHeader::parse(&header)
        .map(|h| h.frame_len())
        .unwrap_or(0);
    let mut out = Vec::new();
    for _ in 0..count {
        out.extend_from_slice(&header);
        out.resize(out.len() + len - 4, 0);
    }
    out
}

fn with(prefix: &[u8], tail: &[u8]) -> Vec<u8> {
    [prefix, tail].concat()
}

fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 20];
    b.extend_from_slice(b"ftyp");
    b.extend_from_slice(brand);
    b.extend_from_slice(&[0, 0, 2, 0]);
    b.extend_from_slice(b"isom");
    b
}

fn hdlr(handler: &[u8; 4]) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 33];
    b.extend_from_slice(b"hdlr");
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(handler);
    b.extend_from_slice(&[0; 13]);
    b
}

const EBML_WEBM: [u8; 16] = [
    0x1A, 0x45, 0xDF, 0xA3, 0x8B, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, b'w', b'e', b'b', b'm',
];

#[test]
fn recognises_containers() {
    let mp3 = [0xFF, 0xFB, 0x90, 0x64];
    let id3 = [b'I', b'D', b'3', 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0];
    let mut matroska = EBML_WEBM.to_vec();
    matroska[12..16].copy_from_slice(b"mkv!");
    let mut mkv_doc = vec![0x1A, 0x45, 0xDF, 0xA3, 0x8F, 0x42, 0x82, 0x88];
    mkv_doc.extend_from_slice(b"matroska");
    mkv_doc.extend_from_slice(&[0x42, 0x87, 0x81, 0x04]);

    type Case = (&'static str, Vec<u8>, Option<(Container, bool)>);
    let cases: Vec<Case> = vec![
        (
            "wav",
            with(b"RIFF\x24\0\0\0WAVEfmt ", &[]),
            Some((Container::Wav, false)),
        ),
        (
            "rf64",
            with(b"RF64\xff\xff\xff\xffWAVEds64", &[]),
            Some((Container::Wav, false)),
        ),
        ("avi", with(b"RIFF\x24\0\0\0AVI LIST", &[]), None),
        (
            "flac",
            with(b"fLaC\0\0\0\x22", &[]),
            Some((Container::Flac, false)),
        ),
        (
            "ogg",
            with(b"OggS\0\x02", &[0; 30]),
            Some((Container::Ogg, false)),
        ),
        (
            "ogg theora",
            with(b"OggS\0\x02", b"\0\0\0\x80theora"),
            Some((Container::Ogg, true)),
        ),
        ("ogg bad version", with(b"OggS\x01\x02", &[0; 30]), None),
        ("webm", EBML_WEBM.to_vec(), Some((Container::WebM, false))),
        (
            "webm video",
            with(&EBML_WEBM, &[0x86, 0x85, b'V', b'_', b'V', b'P', b'8']),
            Some((Container::WebM, true)),
        ),
        ("mkv", mkv_doc, Some((Container::Matroska, false))),
        ("unknown ebml doc", matroska, None),
        ("m4a", ftyp(b"M4A "), Some((Container::Mp4, false))),
        ("mp4 brand", ftyp(b"isom"), Some((Container::Mp4, true))),
        (
            "mp4 sound handler",
            with(&ftyp(b"isom"), &hdlr(b"soun")),
            Some((Container::Mp4, false)),
        ),
        (
            "m4a video handler",
            with(&ftyp(b"M4A "), &hdlr(b"vide")),
            Some((Container::Mp4, true)),
        ),
        (
            "qt brand",
            ftyp(b"qt  "),
            Some((Container::QuickTime, true)),
        ),
        (
            "classic mov",
            with(b"\0\0\0\x08wide\0\0\x10\0mdat", &[]),
            Some((Container::QuickTime, true)),
        ),
        ("ftyp too small", with(b"\0\0\0\x0cftypisom", &[]), None),
        (
            "ftyp ragged",
            with(b"\0\0\0\x13ftypisom\0\0\0\0abc", &[]),
            None,
        ),
        ("box size 4", with(b"\0\0\0\x04moov", &[]), None),
        ("mp3 one frame", mp3.to_vec(), Some((Container::Mp3, false))),
        (
            "mp3 two frames",
            mpeg_frames(mp3, 2),
            Some((Container::Mp3, false)),
        ),
        (
            "mp3 bad neighbour",
            with(&mpeg_frames(mp3, 1), &[0x12; 8]),
            None,
        ),
        (
            "id3 then mp3",
            with(&id3, &mp3),
            Some((Container::Mp3, false)),
        ),
        (
            "id3 padding then mp3",
            with(&id3, &with(&[0; 6], &mp3)),
            Some((Container::Mp3, false)),
        ),
        (
            "id3 then flac",
            with(&id3, b"fLaC\0\0\0\x22"),
            Some((Container::Flac, false)),
        ),
        ("id3 then junk", with(&id3, b"junkjunk"), None),
        (
            "id3 longer than prefix",
            with(b"ID3\x04\0\0\0\x01\0\0", &[0; 50]),
            Some((Container::Mp3, false)),
        ),
        (
            "adts aac",
            vec![0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC],
            None,
        ),
        ("text", b"hello, world\n".to_vec(), None),
        ("empty", Vec::new(), None),
        ("short", vec![0xFF], None),
    ];
    for (name, prefix, expected) in cases {
        let got = sniff(&prefix).map(|s| (s.container, s.likely_video));
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn describes_unrecognised_bytes() {
    let cases: [(&[u8], &str); 10] = [
        (b"", "empty"),
        (b"RIFF\x24\0\0\0AVI LIST", "type 'AVI '"),
        (b"FORM\0\0\0\x10AIFFCOMM", "AIFF"),
        (&[0xFF, 0xF1, 0x50, 0x80], "ADTS"),
        (b"%PDF-1.7\n", "PDF"),
        (b"PK\x03\x04\x14\0", "ZIP"),
        (b"\xFF\xD8\xFF\xE0\0\x10JFIF", "JPEG"),
        (b"caller,agent\nalice,bob\n", "text"),
        (
            "résumé cut mid-char \u{e9}"
                .as_bytes()
                .split_last()
                .map(|(_, rest)| rest)
                .unwrap_or_default(),
            "text",
        ),
        (
            &[0x00, 0x01, 0x02, 0x03, 0xFE, 0x80, 0x00, 0x7F, 0x10],
            "00 01 02 03 fe 80 00 7f",
        ),
    ];
    for (prefix, needle) in cases {
        let reason = describe_unrecognised(prefix);
        assert!(reason.contains(needle), "{prefix:02x?}: {reason}");
    }
}
