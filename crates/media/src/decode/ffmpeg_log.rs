//! What ffmpeg's log (`-loglevel info`) says that the fallback needs: the codec of the audio
//! stream it decodes (for `source_codec`), whether the file had no audio stream at all, and its
//! last words (the reason when it fails). Read line by line as ffmpeg writes it; only a few
//! lines are kept, whatever the log's length.

use std::io::{BufRead, Read};

/// Longest log line kept (ffmpeg's are far shorter; a longer one is cut).
const MAX_LINE: u64 = 4096;
/// Lines kept from the end of the log.
const TAIL_LINES: usize = 4;

/// The parts of ffmpeg's log that matter here.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct FfmpegLog {
    /// The decoded stream's codec, from the `Stream mapping:` section (`ac3`, `opus`).
    pub input_codec: Option<String>,
    /// `-map 0:a:0` matched nothing: the file has no audio stream.
    pub no_audio_stream: bool,
    tail: Vec<String>,
    in_mapping: bool,
}

impl FfmpegLog {
    /// Reads the whole log.
    pub(crate) fn read(mut log: impl BufRead) -> Self {
        let mut parsed = Self::default();
        let mut line = Vec::new();
        loop {
            line.clear();
            match (&mut log).take(MAX_LINE).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return parsed,
                Ok(_) => parsed.observe(String::from_utf8_lossy(&line).trim_end()),
            }
        }
    }

    fn observe(&mut self, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        if line.starts_with("Stream mapping:") {
            self.in_mapping = true;
        } else if self.in_mapping {
            // `  Stream #0:1 -> #0:0 (opus (native) -> pcm_f32le (native))`
            self.in_mapping = false;
            if self.input_codec.is_none() {
                self.input_codec = line
                    .split_once("-> ")
                    .and_then(|(_, rest)| rest.split_once('('))
                    .and_then(|(_, codecs)| codecs.split([' ', '(', ')']).next())
                    .filter(|codec| !codec.is_empty())
                    .map(str::to_owned);
            }
        }
        if line.contains("matches no streams") {
            self.no_audio_stream = true;
        }
        self.tail.push(line.trim().to_owned());
        if self.tail.len() > TAIL_LINES {
            self.tail.remove(0);
        }
    }

    /// Why ffmpeg failed, in its own words where they help.
    pub(crate) fn failure(&self) -> String {
        if self.no_audio_stream {
            return "it finds no audio stream in the file".to_owned();
        }
        match self.tail.last() {
            Some(line) => line.clone(),
            None => "it failed without a message".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECODED: &str = "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:ac3.mp4':
  Duration: 00:00:02.02, start: 0.000000, bitrate: 100 kb/s
  Stream #0:0[0x1](und): Audio: ac3 (ac-3 / 0x332D6361), 44100 Hz, mono, fltp, 96 kb/s (default)
Stream mapping:
  Stream #0:0 -> #0:0 (ac3 (native) -> pcm_f32le (native))
Output #0, wav, to 'pipe:1':
  Stream #0:0: Audio: pcm_f32le ([3][0][0][0] / 0x0003), 44100 Hz, mono, flt, 1411 kb/s (default)
size=     347kB time=00:00:02.01 bitrate=1411.5kbits/s speed= 127x
";

    const NO_AUDIO: &str = "Input #0, matroska,webm, from 'file:clip.webm':
  Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 64x64, 10 fps
Stream map '0:a:0' matches no streams.
To ignore this, add a trailing '?' to the map.
";

    const BROKEN: &str = "file:x.ogg: Invalid data found when processing input\n";

    #[test]
    fn reads_what_matters() {
        let log = FfmpegLog::read(DECODED.as_bytes());
        assert_eq!(log.input_codec.as_deref(), Some("ac3"));
        assert!(!log.no_audio_stream);

        let libopus =
            "Stream mapping:\n  Stream #0:1 -> #0:0 (opus (libopus) -> pcm_f32le (native))\n";
        let log = FfmpegLog::read(libopus.as_bytes());
        assert_eq!(log.input_codec.as_deref(), Some("opus"));

        let log = FfmpegLog::read(NO_AUDIO.as_bytes());
        assert_eq!(log.input_codec, None);
        assert_eq!(log.failure(), "it finds no audio stream in the file");

        let log = FfmpegLog::read(BROKEN.as_bytes());
        assert_eq!(
            log.failure(),
            "file:x.ogg: Invalid data found when processing input"
        );
        assert_eq!(
            FfmpegLog::read(&b""[..]).failure(),
            "it failed without a message"
        );
    }

    #[test]
    fn keeps_only_a_few_lines() {
        let long: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
        let log = FfmpegLog::read(long.as_bytes());
        assert_eq!(log.tail.len(), TAIL_LINES);
        assert_eq!(log.failure(), "line 9999");
    }
}
