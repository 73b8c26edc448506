//! The container formats scorejar accepts, with their stable names and MIME types.
//!
//! A container is recognised from the leading bytes (see `sniff`) and confirmed by the probe.
//! MP4 and QuickTime, and WebM and Matroska, share a parser each but stay distinct variants
//! because they are served with different content types.

/// An audio/video container format scorejar can sniff and probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// RIFF/WAVE, including RF64/BW64 and WAVE_FORMAT_EXTENSIBLE.
    Wav,
    /// MPEG audio elementary stream (layer III, also layers I/II), with or without ID3 tags.
    Mp3,
    /// Native FLAC (`fLaC`).
    Flac,
    /// Ogg (Vorbis, Opus, FLAC, Speex audio; Theora video).
    Ogg,
    /// ISO base media file: MP4, M4A, 3GP.
    Mp4,
    /// Apple QuickTime (`qt  ` brand, or a classic movie without `ftyp`).
    QuickTime,
    /// WebM (Matroska with the `webm` doc type).
    WebM,
    /// Matroska (MKV/MKA).
    Matroska,
}

impl Container {
    /// Every variant, for table-driven callers and tests.
    pub const ALL: &'static [Container] = &[
        Container::Wav,
        Container::Mp3,
        Container::Flac,
        Container::Ogg,
        Container::Mp4,
        Container::QuickTime,
        Container::WebM,
        Container::Matroska,
    ];

    /// The MIME type to store and serve this container with. `video` says whether the file
    /// holds a video track (the probe knows for sure; `sniff` only guesses).
    pub fn content_type(self, video: bool) -> &'static str {
        match (self, video) {
            (Container::Wav, _) => "audio/wav",
            (Container::Mp3, _) => "audio/mpeg",
            (Container::Flac, _) => "audio/flac",
            (Container::Ogg, false) => "audio/ogg",
            (Container::Ogg, true) => "video/ogg",
            (Container::Mp4, false) => "audio/mp4",
            (Container::Mp4, true) => "video/mp4",
            // There is no registered audio-only QuickTime type; the container type is the
            // honest answer either way.
            (Container::QuickTime, _) => "video/quicktime",
            (Container::WebM, false) => "audio/webm",
            (Container::WebM, true) => "video/webm",
            (Container::Matroska, false) => "audio/x-matroska",
            (Container::Matroska, true) => "video/x-matroska",
        }
    }

    /// Short stable lowercase name (stored as `MediaInfo::container`).
    pub fn name(self) -> &'static str {
        match self {
            Container::Wav => "wav",
            Container::Mp3 => "mp3",
            Container::Flac => "flac",
            Container::Ogg => "ogg",
            Container::Mp4 => "mp4",
            Container::QuickTime => "mov",
            Container::WebM => "webm",
            Container::Matroska => "matroska",
        }
    }

    /// Inverse of [`Container::name`].
    pub fn from_name(name: &str) -> Option<Container> {
        Container::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Container {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_video_flag() {
        let cases = [
            (Container::Wav, false, "audio/wav"),
            (Container::Wav, true, "audio/wav"),
            (Container::Mp3, false, "audio/mpeg"),
            (Container::Flac, false, "audio/flac"),
            (Container::Ogg, false, "audio/ogg"),
            (Container::Ogg, true, "video/ogg"),
            (Container::Mp4, false, "audio/mp4"),
            (Container::Mp4, true, "video/mp4"),
            (Container::QuickTime, true, "video/quicktime"),
            (Container::WebM, false, "audio/webm"),
            (Container::WebM, true, "video/webm"),
            (Container::Matroska, false, "audio/x-matroska"),
            (Container::Matroska, true, "video/x-matroska"),
        ];
        for (container, video, expected) in cases {
            assert_eq!(
                container.content_type(video),
                expected,
                "{container:?} video={video}"
            );
        }
    }

    #[test]
    fn names_round_trip_and_are_unique() {
        for &c in Container::ALL {
            assert_eq!(Container::from_name(c.name()), Some(c));
        }
        let mut names: Vec<_> = Container::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Container::ALL.len());
        assert_eq!(Container::from_name("avi"), None);
    }
}
