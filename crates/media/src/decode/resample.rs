//! Streaming conversion of planar audio at the source rate to [`SAMPLE_RATE`], chunk by chunk.
//!
//! Rules: the whole recording is never held — input waits in a per-channel queue only until
//! one FFT block is full; the output lines up with the input (the resampler's start-up delay is
//! trimmed) and has exactly `ceil(frames_in × 16000 / source_rate)` frames; 16 kHz input passes
//! through untouched.
//!
//! Why rubato's synchronous `Fft` resampler: a file's rate is fixed, so the ratio never
//! changes; it is band-limited (a BlackmanHarris²-windowed sinc filter applied in the
//! frequency domain, cut-off just under the lower Nyquist frequency) and much cheaper than the
//! asynchronous sinc resampler of the same quality.

use super::SAMPLE_RATE;
use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Indexing, Resampler, WindowFunction};
use std::io;

/// Wanted FFT block, in source frames. The real block is this rounded up to a multiple of
/// `source_rate / gcd(source_rate, 16000)` (441 at 44.1 kHz, 1 at 8 kHz), so it never exceeds
/// one second of source audio. Longer blocks put the filter's cut-off closer to Nyquist
/// (1024 frames: ≈ 98.7 % of it); the delay they add does not matter offline.
const WANTED_BLOCK_FRAMES: usize = 1024;

/// Where resampled audio goes, one channel at a time.
pub(crate) trait ChannelSink {
    fn append(&mut self, channel: usize, samples: &[f32]) -> io::Result<()>;
}

/// Resamples every channel of one recording as it is decoded.
pub(crate) struct StreamResampler {
    channels: usize,
    source_rate: u32,
    fft: Option<FftStage>,
    frames_in: u64,
    frames_out: u64,
    peak_buffered_frames: usize,
}

/// The state of a real (non pass-through) conversion.
struct FftStage {
    resampler: Fft<f32>,
    /// Input frames not yet resampled, per channel (less than one block between calls).
    pending: Vec<Vec<f32>>,
    /// One block of output per channel, reused.
    output: Vec<Vec<f32>>,
    /// Output frames still to drop: the resampler's start-up delay.
    delay_left: usize,
}

impl StreamResampler {
    /// A resampler from `source_rate` for `channels` channels.
    pub(crate) fn new(source_rate: u32, channels: usize) -> Result<Self, String> {
        if channels == 0 {
            return Err("the audio has no channels".into());
        }
        let fft = if source_rate == SAMPLE_RATE {
            None
        } else {
            let resampler = Fft::<f32>::new_custom(
                source_rate as usize,
                SAMPLE_RATE as usize,
                WANTED_BLOCK_FRAMES,
                1,
                channels,
                WindowFunction::BlackmanHarris2,
                FixedSync::Both,
            )
            .map_err(|e| format!("cannot resample from {source_rate} Hz: {e}"))?;
            let block_out = resampler.output_frames_max();
            Some(FftStage {
                delay_left: resampler.output_delay(),
                pending: vec![Vec::with_capacity(resampler.input_frames_max()); channels],
                output: vec![vec![0.0; block_out]; channels],
                resampler,
            })
        };
        Ok(Self {
            channels,
            source_rate,
            fft,
            frames_in: 0,
            frames_out: 0,
            peak_buffered_frames: 0,
        })
    }

    /// The cut-off of the anti-aliasing filter in Hz (`None` when passing through).
    pub(crate) fn cutoff_hz(&self) -> Option<f32> {
        self.fft
            .as_ref()
            .map(|f| f.resampler.cutoff() * self.source_rate as f32 / 2.0)
    }

    /// The most source frames held per channel at once (the queue plus the pushed packet).
    pub(crate) fn peak_buffered_frames(&self) -> usize {
        self.peak_buffered_frames
    }

    /// Source frames pushed so far.
    pub(crate) fn frames_in(&self) -> u64 {
        self.frames_in
    }

    /// Appends one decoded packet (`planar[channel]`, all the same length) and writes whatever
    /// output it completes to `sink`.
    pub(crate) fn push(&mut self, planar: &[&[f32]], sink: &mut dyn ChannelSink) -> io::Result<()> {
        debug_assert_eq!(planar.len(), self.channels);
        let frames = planar.first().map_or(0, |c| c.len());
        debug_assert!(planar.iter().all(|c| c.len() == frames));
        self.frames_in += frames as u64;
        let Some(stage) = self.fft.as_mut() else {
            self.peak_buffered_frames = self.peak_buffered_frames.max(frames);
            for (channel, samples) in planar.iter().enumerate() {
                sink.append(channel, samples)?;
            }
            self.frames_out += frames as u64;
            return Ok(());
        };
        for (queue, samples) in stage.pending.iter_mut().zip(planar) {
            queue.extend_from_slice(samples);
        }
        self.peak_buffered_frames = self.peak_buffered_frames.max(stage.pending[0].len());
        let block = stage.resampler.input_frames_next();
        let mut consumed = 0;
        while stage.pending[0].len() - consumed >= block {
            let produced = stage.process(consumed, None)?;
            consumed += block;
            stage.emit(produced, u64::MAX, &mut self.frames_out, sink)?;
        }
        for queue in &mut stage.pending {
            queue.drain(..consumed);
        }
        Ok(())
    }

    /// Resamples what is still queued, then lets the filter's tail out, and returns the
    /// number of output frames written per channel.
    pub(crate) fn finish(mut self, sink: &mut dyn ChannelSink) -> io::Result<u64> {
        let expected = self.expected_output_frames();
        let Some(stage) = self.fft.as_mut() else {
            return Ok(self.frames_out);
        };
        let queued = stage.pending[0].len();
        if queued > 0 {
            let produced = stage.process(0, Some(queued))?;
            stage.emit(produced, expected, &mut self.frames_out, sink)?;
            for queue in &mut stage.pending {
                queue.clear();
            }
        }
        // Silence pushes the last real samples through the filter.
        while self.frames_out < expected {
            let produced = stage.process(0, Some(0))?;
            stage.emit(produced, expected, &mut self.frames_out, sink)?;
        }
        Ok(self.frames_out)
    }

    fn expected_output_frames(&self) -> u64 {
        (self.frames_in * SAMPLE_RATE as u64).div_ceil(self.source_rate as u64)
    }
}

impl FftStage {
    /// Resamples one block starting at `offset` in the queue (`partial`: only that many real
    /// frames, the rest silence) into `self.output`; returns the frames produced.
    fn process(&mut self, offset: usize, partial: Option<usize>) -> io::Result<usize> {
        let channels = self.pending.len();
        let available = self.pending[0].len();
        let input = SequentialSliceOfVecs::new(&self.pending, channels, available)
            .map_err(io::Error::other)?;
        let capacity = self.output[0].len();
        let mut output = SequentialSliceOfVecs::new_mut(&mut self.output, channels, capacity)
            .map_err(io::Error::other)?;
        let mut indexing = Indexing::new().input_offset(offset);
        indexing.partial_len = partial;
        let (_, produced) = self
            .resampler
            .process_into_buffer(&input, &mut output, Some(&indexing))
            .map_err(io::Error::other)?;
        Ok(produced)
    }

    /// Writes the first `produced` frames of `self.output`, minus the start-up delay still to
    /// drop, and never past `limit` frames in total.
    fn emit(
        &mut self,
        produced: usize,
        limit: u64,
        frames_out: &mut u64,
        sink: &mut dyn ChannelSink,
    ) -> io::Result<()> {
        let skip = self.delay_left.min(produced);
        self.delay_left -= skip;
        let room = limit.saturating_sub(*frames_out);
        let end = skip + ((produced - skip) as u64).min(room) as usize;
        if end > skip {
            for (channel, block) in self.output.iter().enumerate() {
                sink.append(channel, &block[skip..end])?;
            }
            *frames_out += (end - skip) as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    impl ChannelSink for Vec<Vec<f32>> {
        fn append(&mut self, channel: usize, samples: &[f32]) -> io::Result<()> {
            self[channel].extend_from_slice(samples);
            Ok(())
        }
    }

    fn sine(rate: u32, freq: f64, amplitude: f64, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|n| (amplitude * (2.0 * PI * freq * n as f64 / rate as f64).sin()) as f32)
            .collect()
    }

    /// Resamples `input` (one channel) pushed in packets of `packet` frames.
    fn resample(rate: u32, input: &[f32], packet: usize) -> (Vec<f32>, usize) {
        let mut resampler = StreamResampler::new(rate, 1).unwrap();
        let mut out = vec![Vec::new()];
        for chunk in input.chunks(packet) {
            resampler.push(&[chunk], &mut out).unwrap();
        }
        let peak = resampler.peak_buffered_frames();
        let written = resampler.finish(&mut out).unwrap();
        assert_eq!(written as usize, out[0].len());
        (out.remove(0), peak)
    }

    #[test]
    fn output_length_is_the_exact_rate_ratio_whatever_the_packet_size() {
        // (source rate, input frames, packet frames)
        let cases = [
            (8_000, 8_000, 160),
            (8_000, 8_001, 4096),
            (44_100, 44_100, 1152),
            (44_100, 10, 1152),
            (48_000, 96_000, 960),
            (22_050, 33_075, 65_535),
            (11_025, 100, 7),
            (16_000, 12_345, 1000),
        ];
        for (rate, frames, packet) in cases {
            let input = sine(rate, 300.0, 0.5, frames);
            let (out, _) = resample(rate, &input, packet);
            let expected = (frames as u64 * 16_000).div_ceil(rate as u64);
            assert_eq!(out.len() as u64, expected, "{rate} Hz, {frames} frames");
        }
    }

    #[test]
    fn sixteen_khz_passes_through_unchanged() {
        let input = sine(16_000, 440.0, 0.7, 5_000);
        let (out, _) = resample(16_000, &input, 333);
        assert_eq!(out, input);
    }

    #[test]
    fn output_is_aligned_with_the_input() {
        // A step at 0.5 s must still sit at 0.5 s after resampling (the delay is trimmed).
        for rate in [8_000u32, 44_100, 48_000] {
            let mut input = vec![0.0f32; rate as usize];
            for s in &mut input[rate as usize / 2..] {
                *s = 0.5;
            }
            let (out, _) = resample(rate, &input, 1000);
            let crossing = out.iter().position(|s| *s > 0.25).unwrap();
            assert!(
                (crossing as i64 - 8_000).abs() <= 2,
                "{rate} Hz: step at {crossing}"
            );
        }
    }

    #[test]
    fn queue_stays_below_one_block_plus_one_packet() {
        let input = sine(44_100, 440.0, 0.5, 44_100 * 30);
        let (_, peak) = resample(44_100, &input, 1152);
        let block = 3 * 441; // WANTED_BLOCK_FRAMES rounded up to a multiple of 441
        assert!(peak < block + 1152, "peak {peak}");
    }

    #[test]
    fn filter_cuts_off_just_under_the_lower_nyquist() {
        for (rate, lower_nyquist) in [(8_000u32, 4_000.0f32), (44_100, 8_000.0), (48_000, 8_000.0)]
        {
            let cutoff = StreamResampler::new(rate, 2).unwrap().cutoff_hz().unwrap();
            assert!(
                cutoff < lower_nyquist && cutoff > 0.9 * lower_nyquist,
                "{rate}: {cutoff}"
            );
        }
        assert_eq!(StreamResampler::new(16_000, 1).unwrap().cutoff_hz(), None);
    }

    #[test]
    fn channels_are_resampled_independently() {
        let left = sine(8_000, 440.0, 0.5, 8_000);
        let right = vec![0.0f32; 8_000];
        let mut resampler = StreamResampler::new(8_000, 2).unwrap();
        let mut out = vec![Vec::new(), Vec::new()];
        for (l, r) in left.chunks(500).zip(right.chunks(500)) {
            resampler.push(&[l, r], &mut out).unwrap();
        }
        resampler.finish(&mut out).unwrap();
        assert_eq!(out[0].len(), 16_000);
        assert_eq!(out[1].len(), 16_000);
        assert!(out[0].iter().any(|s| s.abs() > 0.4));
        assert!(out[1].iter().all(|s| *s == 0.0), "silence stays silence");
    }

    #[test]
    fn rejects_zero_channels() {
        assert!(StreamResampler::new(8_000, 0).is_err());
    }
}
