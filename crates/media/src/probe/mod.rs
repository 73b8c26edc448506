//! Probing a media file: which container, audio or video, codec, duration, channels, rate.
//!
//! Rules: headers only — each container parser seeks to the few structures it needs and reads
//! them with capped buffers, so memory stays bounded and nothing is decoded. Blocking I/O
//! (async callers use `spawn_blocking`). Anything that is not a readable supported container,
//! including truncated or corrupt headers, is `ProbeError::NotMedia` with a reason a user can
//! act on; parsers must never panic on hostile bytes.

mod flac;
mod matroska;
mod mp3;
mod mp4;
mod ogg;
mod source;
mod wav;

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use scorejar_core::model::{InteractionType, MediaInfo};

use crate::container::Container;
use crate::sniff::{describe_unrecognised, sniff};
use source::Source;

/// How many leading bytes the container is recognised from.
const SNIFF_LEN: usize = 4096;

/// Whether a file is audio-only or carries a video track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Audio,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }

    /// The interaction type a file of this kind becomes.
    pub fn interaction_type(self) -> InteractionType {
        match self {
            MediaKind::Audio => InteractionType::Audio,
            MediaKind::Video => InteractionType::Video,
        }
    }
}

/// What the probe found. For video files `codec` names the (first) video codec while
/// `channels`/`sample_rate` describe the first audio track (`None` when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub kind: MediaKind,
    pub container: Container,
    pub content_type: String,
    /// ffmpeg-style codec name: `pcm_s16le`, `pcm_mulaw`, `mp3`, `aac`, `opus`, `h264`, ...
    pub codec: Option<String>,
    pub duration_ms: Option<i64>,
    pub channels: Option<u32>,
    pub sample_rate: Option<u32>,
}

impl Probe {
    /// The probe as the domain's `MediaInfo`, for the object stored at `object_key`.
    pub fn media_info(&self, object_key: Option<String>, size_bytes: Option<i64>) -> MediaInfo {
        MediaInfo {
            object_key,
            content_type: Some(self.content_type.clone()),
            size_bytes,
            duration_ms: self.duration_ms,
            channels: self.channels.map(i64::from),
            sample_rate: self.sample_rate.map(i64::from),
            codec: self.codec.clone(),
            container: Some(self.container.name().to_owned()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The bytes are not a supported audio/video container; the text says why.
    #[error("not a supported audio/video file: {0}")]
    NotMedia(String),
    #[error("could not read the media file: {0}")]
    Io(#[from] std::io::Error),
}

/// What a container parser reports; `probe_reader` turns it into a `Probe`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    pub has_video: bool,
    pub codec: Option<String>,
    pub duration_ms: Option<i64>,
    pub channels: Option<u32>,
    pub sample_rate: Option<u32>,
}

/// Probes the file at `path` (blocking; reads headers only).
pub fn probe_file(path: &Path) -> Result<Probe, ProbeError> {
    probe_reader(File::open(path)?)
}

/// Probes any seekable byte source (a file, or an in-memory `Cursor`).
pub fn probe_reader<R: Read + Seek>(reader: R) -> Result<Probe, ProbeError> {
    let mut src = Source::new(reader)?;
    let prefix = src.read_up_to(0, SNIFF_LEN)?;
    let sniffed =
        sniff(&prefix).ok_or_else(|| ProbeError::NotMedia(describe_unrecognised(&prefix)))?;
    let (container, facts) = match sniffed.container {
        Container::Wav => (Container::Wav, wav::probe(&mut src)?),
        Container::Mp3 => mp3::probe(&mut src)?,
        Container::Flac => (Container::Flac, flac::probe(&mut src)?),
        Container::Ogg => (Container::Ogg, ogg::probe(&mut src)?),
        c @ (Container::Mp4 | Container::QuickTime) => (c, mp4::probe(&mut src)?),
        c @ (Container::WebM | Container::Matroska) => (c, matroska::probe(&mut src)?),
    };
    let kind = if facts.has_video {
        MediaKind::Video
    } else {
        MediaKind::Audio
    };
    Ok(Probe {
        kind,
        container,
        content_type: container.content_type(facts.has_video).to_owned(),
        codec: facts.codec,
        duration_ms: facts.duration_ms.filter(|ms| *ms >= 0),
        channels: facts.channels.filter(|c| *c > 0),
        sample_rate: facts.sample_rate.filter(|r| *r > 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn unrecognised_bytes_say_why() {
        let cases: [(&[u8], &str); 3] = [
            (b"", "empty"),
            (b"just some notes\n", "text"),
            (b"%PDF-1.4\n%\xe2\xe3", "PDF"),
        ];
        for (bytes, needle) in cases {
            match probe_reader(Cursor::new(bytes.to_vec())) {
                Err(ProbeError::NotMedia(reason)) => assert!(reason.contains(needle), "{reason}"),
                other => panic!("{needle}: {other:?}"),
            }
        }
    }

    #[test]
    fn missing_file_is_io() {
        let err = probe_file(Path::new("/definitely/not/here.wav")).unwrap_err();
        assert!(matches!(err, ProbeError::Io(_)), "{err:?}");
    }

    #[test]
    fn media_info_carries_the_probe() {
        let probe = Probe {
            kind: MediaKind::Audio,
            container: Container::Wav,
            content_type: "audio/wav".into(),
            codec: Some("pcm_mulaw".into()),
            duration_ms: Some(68_300),
            channels: Some(2),
            sample_rate: Some(8_000),
        };
        let info = probe.media_info(Some("media/a/i".into()), Some(1234));
        assert_eq!(info.object_key.as_deref(), Some("media/a/i"));
        assert_eq!(info.content_type.as_deref(), Some("audio/wav"));
        assert_eq!(info.size_bytes, Some(1234));
        assert_eq!(info.duration_ms, Some(68_300));
        assert_eq!(info.channels, Some(2));
        assert_eq!(info.sample_rate, Some(8_000));
        assert_eq!(info.codec.as_deref(), Some("pcm_mulaw"));
        assert_eq!(info.container.as_deref(), Some("wav"));
        assert_eq!(MediaKind::Video.interaction_type(), InteractionType::Video);
        assert_eq!(MediaKind::Audio.as_str(), "audio");
    }
}
