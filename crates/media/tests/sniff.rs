//! `sniff` on the first 4 KiB of every real test file: container and the video hint.

use std::io::Read;
use std::path::Path;

use scorejar_media::{sniff, Container};

fn prefix(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/media")
        .join(name);
    let mut buf = Vec::new();
    std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .take(4096)
        .read_to_end(&mut buf)
        .unwrap();
    buf
}

#[test]
fn sniffs_every_test_file() {
    let cases = [
        ("tone_pcm16_mono_8k.wav", Some((Container::Wav, false))),
        ("tone_ulaw_stereo_8k.wav", Some((Container::Wav, false))),
        ("tone_alaw_mono_8k.wav", Some((Container::Wav, false))),
        ("tone_f32_stereo_16k.wav", Some((Container::Wav, false))),
        ("tone_s24_mono_16k.wav", Some((Container::Wav, false))),
        ("tone.mp3", Some((Container::Mp3, false))),
        ("tone_cbr_noxing.mp3", Some((Container::Mp3, false))),
        ("tone.flac", Some((Container::Flac, false))),
        ("tone_vorbis.ogg", Some((Container::Ogg, false))),
        ("tone_opus.ogg", Some((Container::Ogg, false))),
        ("clip_theora.ogv", Some((Container::Ogg, true))),
        ("tone_aac.m4a", Some((Container::Mp4, false))),
        ("clip_h264.mp4", Some((Container::Mp4, true))),
        ("clip.mov", Some((Container::QuickTime, true))),
        ("clip_vp8.webm", Some((Container::WebM, true))),
        ("clip_vp9_live.webm", Some((Container::WebM, true))),
        ("tone_opus.webm", Some((Container::WebM, false))),
        ("clip_h264.mkv", Some((Container::Matroska, true))),
        ("tone_audio_only.mkv", Some((Container::Matroska, false))),
        ("not_media.txt", None),
        ("random.bin", None),
    ];
    for (file, expected) in cases {
        let got = sniff(&prefix(file)).map(|s| (s.container, s.likely_video));
        assert_eq!(got, expected, "{file}");
    }
}

#[test]
fn a_short_first_chunk_is_enough() {
    // Uploads may hand over a small first chunk; the magic numbers fit in 64 bytes.
    for (file, container) in [
        ("tone_pcm16_mono_8k.wav", Container::Wav),
        ("tone.flac", Container::Flac),
        ("tone_opus.ogg", Container::Ogg),
        ("tone_aac.m4a", Container::Mp4),
        ("clip.mov", Container::QuickTime),
        ("tone_opus.webm", Container::WebM),
        ("tone_cbr_noxing.mp3", Container::Mp3),
    ] {
        let bytes = prefix(file);
        assert_eq!(
            sniff(&bytes[..64]).map(|s| s.container),
            Some(container),
            "{file}"
        );
    }
}
