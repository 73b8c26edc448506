//! Decoding media to what speech engines read: 16 kHz mono `f32` samples, one stream per
//! channel, spooled to disk so memory stays bounded whatever the recording's length.
//!
//! [`decode_to_pcm`] reads any supported container/codec (WAV incl. μ-law/A-law, MP3, FLAC,
//! Ogg Vorbis, MP4/M4A/MOV AAC/ALAC/PCM, Matroska/WebM audio tracks — video files too: their
//! first decodable audio track is taken) with symphonia, resamples each channel to 16 kHz with a
//! band-limited resampler (rubato's FFT resampler), and writes one raw little-endian `f32` file
//! per channel. [`PcmChannel`] then reads windows of it back.
//!
//! Codecs symphonia cannot decode (Opus, AC-3, G.722, …), containers it cannot open, and
//! streams of which it decodes nothing go to ffmpeg when it is available
//! ([`DecodeOptions::ffmpeg`]); without it they are [`DecodeError::NotDecodable`] with a reason
//! naming the codec. Input is first recognised with [`crate::sniff`], the gate uploads pass,
//! so decoding refuses what uploads refuse, with the same words.
//!
//! **Memory bound.** Nothing grows with the recording's length. Per channel, at most: one
//! decoded packet (the codec's maximum: 1 152 frames for MP3 and WAV, ≤ 2 048 for Vorbis,
//! ≤ 65 535 for FLAC; 4 096 per read from ffmpeg or per run of concealing silence), the
//! resampler's queue (under one FFT block plus one packet; a block is ~1 024 source frames for
//! common rates and never more than one second of source audio), the resampler's FFT buffers
//! (a few blocks) and a 64 KiB write buffer. For a 44.1 kHz stereo MP3 that is well under
//! 1 MiB in total, for a one-minute call or a ten-hour one alike (measured: 4.8 MB peak RSS for
//! the whole process decoding a one-hour stereo WAV). [`DecodeStats::peak_buffered_frames`]
//! reports the queue's high-water mark.
//!
//! This module does not touch probing: `probe` still answers "what is it" from headers;
//! `decode` is for the transcription step that needs the samples.

mod codec_name;
mod ffmpeg;
mod ffmpeg_log;
mod pcm_file;
mod pcm_writer;
mod planar;
mod resample;
mod spool;
mod symphonia_input;
mod timeline;
mod wav_stream;

pub use pcm_file::{PcmChannel, PcmReader};

use crate::{describe_unrecognised, sniff, Container};
use ffmpeg::FfmpegOutcome;
use std::io::Read;
use std::path::{Path, PathBuf};
use symphonia_input::SymphoniaOutcome;

/// Sample rate of every decoded channel.
pub const SAMPLE_RATE: u32 = 16_000;

/// Bytes read to recognise the container (what uploads sniff too).
const SNIFF_BYTES: usize = 4096;

/// A recording decoded to one 16 kHz mono stream per channel.
#[derive(Debug)]
pub struct DecodedAudio {
    /// In the recording's channel order (index = channel number).
    pub channels: Vec<PcmChannel>,
    /// Sample rate of the source before resampling.
    pub source_sample_rate: u32,
    /// Codec name of the source, e.g. `pcm_mulaw`, `mp3`.
    pub source_codec: String,
}

impl DecodedAudio {
    /// Duration in seconds (of the longest channel).
    pub fn duration_secs(&self) -> f64 {
        self.channels
            .iter()
            .map(|c| c.len() as f64 / SAMPLE_RATE as f64)
            .fold(0.0, f64::max)
    }
}

/// Why a file could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not audio this decoder can read (corrupt, unsupported codec, no audio
    /// track). Permanent.
    #[error("{0}")]
    NotDecodable(String),
    /// Reading the input or writing the spool failed. Worth a retry.
    #[error("i/o error while decoding: {0}")]
    Io(#[from] std::io::Error),
}

/// How to decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// The ffmpeg program used for codecs the built-in decoder lacks: a bare name is looked
    /// up on `PATH`. `None` turns the fallback off. Default: `ffmpeg`.
    pub ffmpeg: Option<PathBuf>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            ffmpeg: Some(PathBuf::from("ffmpeg")),
        }
    }
}

impl DecodeOptions {
    /// Built-in decoders only.
    pub fn without_ffmpeg() -> Self {
        Self { ffmpeg: None }
    }
}

/// Which decoder produced the audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeBackend {
    Symphonia,
    Ffmpeg,
}

/// Figures about one decode, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeStats {
    pub backend: DecodeBackend,
    /// Frames per channel at the source rate, as fed to the resampler (concealed silence
    /// included).
    pub source_frames: u64,
    /// Damaged packets skipped.
    pub packets_skipped: u64,
    /// Frames of silence (at the source rate) written where damaged packets left a hole in
    /// the track's timestamps, so that later audio keeps its time.
    pub concealed_frames: u64,
    /// The largest decoded packet (ffmpeg: read run), in frames.
    pub largest_packet_frames: usize,
    /// The most source frames held in memory per channel at once, waiting to be resampled
    /// (the pushed packet included). Bounded by the codec and the resampler, never by the
    /// recording's length.
    pub peak_buffered_frames: usize,
}

impl DecodeStats {
    fn new(backend: DecodeBackend) -> Self {
        Self {
            backend,
            source_frames: 0,
            packets_skipped: 0,
            concealed_frames: 0,
            largest_packet_frames: 0,
            peak_buffered_frames: 0,
        }
    }
}

/// A decode's result with its figures.
#[derive(Debug)]
pub struct Decoded {
    pub audio: DecodedAudio,
    pub stats: DecodeStats,
}

/// Decodes `input` into one 16 kHz mono `f32` file per channel under `out_dir` (created files
/// are removed when the returned [`PcmChannel`]s are dropped), with the default options
/// (ffmpeg fallback if `ffmpeg` is on `PATH`). Blocking: call it from `spawn_blocking`.
pub fn decode_to_pcm(input: &Path, out_dir: &Path) -> Result<DecodedAudio, DecodeError> {
    decode_with(input, out_dir, &DecodeOptions::default()).map(|decoded| decoded.audio)
}

/// [`decode_to_pcm`] with explicit options, returning the decode's figures too.
pub fn decode_with(
    input: &Path,
    out_dir: &Path,
    options: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    let container = recognise(input)?;
    let (codec, reason, needed) = match symphonia_input::decode(input, out_dir, container)? {
        SymphoniaOutcome::Decoded(audio, stats) => return Ok(Decoded { audio, stats }),
        SymphoniaOutcome::Unsupported {
            codec,
            reason,
            ffmpeg_needed,
        } => (codec, reason, ffmpeg_needed),
    };
    let Some(program) = &options.ffmpeg else {
        return Err(DecodeError::NotDecodable(if needed {
            format!("{reason}; decoding it needs ffmpeg, and the ffmpeg fallback is turned off")
        } else {
            reason
        }));
    };
    match ffmpeg::decode(program, input, out_dir, codec.as_deref())? {
        FfmpegOutcome::Decoded(audio, stats) => {
            tracing::info!(codec = %audio.source_codec, "decoded with the ffmpeg fallback");
            Ok(Decoded { audio, stats })
        }
        FfmpegOutcome::Missing => Err(DecodeError::NotDecodable(if needed {
            format!(
                "{reason}; decoding it needs ffmpeg, which is not installed (looked for `{}`)",
                program.display()
            )
        } else {
            reason
        })),
        FfmpegOutcome::Failed(why) => Err(DecodeError::NotDecodable(format!(
            "{reason}; ffmpeg could not decode it either: {why}"
        ))),
    }
}

/// The container, from the first bytes — or why the file is not media at all.
fn recognise(input: &Path) -> Result<Container, DecodeError> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(input)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)?;
    match sniff(&prefix) {
        Some(sniffed) => Ok(sniffed.container),
        None => Err(DecodeError::NotDecodable(format!(
            "not a supported audio/video file: {}",
            describe_unrecognised(&prefix)
        ))),
    }
}
