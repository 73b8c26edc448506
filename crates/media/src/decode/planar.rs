//! A decoded symphonia packet as planar `f32`, one slice per channel, reusing its buffers;
//! and runs of silence to fill the holes damaged packets leave.

use symphonia::core::audio::{AudioBuffer, AudioBufferRef, Signal};

/// A decoded packet as `f32`, one slice per channel, reusing its allocations.
#[derive(Default)]
pub(crate) struct PlanarBuffer {
    samples: Option<AudioBuffer<f32>>,
    silence: Vec<f32>,
}

impl PlanarBuffer {
    /// Converts `decoded` and returns exactly `channels` planes: a stream whose channel count
    /// changes mid-way keeps its first count (extra channels dropped, missing ones silent) so
    /// the channel files stay aligned in time.
    pub(crate) fn fill<'a>(
        &'a mut self,
        decoded: &AudioBufferRef<'_>,
        channels: usize,
    ) -> Vec<&'a [f32]> {
        let spec = *decoded.spec();
        let frames = decoded.frames();
        let fits = self
            .samples
            .as_ref()
            .is_some_and(|b| b.capacity() >= decoded.capacity() && *b.spec() == spec);
        if !fits {
            self.samples = Some(AudioBuffer::new(decoded.capacity() as u64, spec));
        }
        let samples = self.samples.as_mut().expect("allocated above");
        decoded.convert(samples);
        if self.silence.len() < frames {
            self.silence.resize(frames, 0.0);
        }
        let samples = self.samples.as_ref().expect("allocated above");
        (0..channels)
            .map(|channel| {
                if channel < spec.channels.count() {
                    samples.chan(channel)
                } else {
                    &self.silence[..frames]
                }
            })
            .collect()
    }

    /// `frames` frames of silence for each of `channels` channels, in runs of at most
    /// [`SILENCE_RUN`] frames (so concealing a long gap allocates nothing large).
    pub(crate) fn silence(&mut self, channels: usize, frames: usize) -> Vec<&[f32]> {
        let frames = frames.min(SILENCE_RUN);
        if self.silence.len() < frames {
            self.silence.resize(frames, 0.0);
        }
        vec![&self.silence[..frames]; channels]
    }
}

/// Longest run of silence handed out at once.
pub(crate) const SILENCE_RUN: usize = 4096;
