//! The common back half of every decoder: planar source-rate audio in, one 16 kHz file per
//! channel out (resample, then spool). Both the symphonia and the ffmpeg path feed one.

use super::resample::StreamResampler;
use super::spool::ChannelSpool;
use super::{DecodeError, PcmChannel};
use std::path::Path;

/// Highest source rate accepted: 768 kHz covers every real recording format; anything above
/// is a corrupt header, and would make the resampler's block needlessly large.
const MAX_SOURCE_RATE: u32 = 768_000;

/// Most channels accepted: a call recording has one or two; a few dozen means a corrupt header.
pub(crate) const MAX_CHANNELS: usize = 32;

/// Resamples and spools one recording.
pub(crate) struct PcmWriter {
    resampler: StreamResampler,
    spool: ChannelSpool,
    channels: usize,
    source_rate: u32,
}

/// What a finished [`PcmWriter`] reports.
pub(crate) struct WrittenPcm {
    pub channels: Vec<PcmChannel>,
    pub source_frames: u64,
    pub peak_buffered_frames: usize,
}

impl PcmWriter {
    pub(crate) fn new(
        out_dir: &Path,
        source_rate: u32,
        channels: usize,
    ) -> Result<Self, DecodeError> {
        if source_rate == 0 || source_rate > MAX_SOURCE_RATE {
            return Err(DecodeError::NotDecodable(format!(
                "the audio declares an impossible sample rate ({source_rate} Hz)"
            )));
        }
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(DecodeError::NotDecodable(format!(
                "the audio declares {channels} channels (at most {MAX_CHANNELS} are supported)"
            )));
        }
        let resampler =
            StreamResampler::new(source_rate, channels).map_err(DecodeError::NotDecodable)?;
        tracing::debug!(
            source_rate,
            channels,
            cutoff_hz = resampler.cutoff_hz(),
            "resampling to 16 kHz"
        );
        Ok(Self {
            resampler,
            spool: ChannelSpool::create(out_dir, channels)?,
            channels,
            source_rate,
        })
    }

    pub(crate) fn channels(&self) -> usize {
        self.channels
    }

    pub(crate) fn source_rate(&self) -> u32 {
        self.source_rate
    }

    /// Appends one packet: `planar[channel]`, every channel the same length.
    pub(crate) fn push(&mut self, planar: &[&[f32]]) -> std::io::Result<()> {
        self.resampler.push(planar, &mut self.spool)
    }

    pub(crate) fn finish(self) -> Result<WrittenPcm, DecodeError> {
        let Self {
            resampler,
            mut spool,
            ..
        } = self;
        let source_frames = resampler.frames_in();
        let peak_buffered_frames = resampler.peak_buffered_frames();
        resampler.finish(&mut spool)?;
        Ok(WrittenPcm {
            channels: spool.finish()?,
            source_frames,
            peak_buffered_frames,
        })
    }
}
