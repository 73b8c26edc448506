//! Voice-activity detection by frame energy, and the speech regions it yields. Pure.
//!
//! Why: Whisper invents text on silence ("Thank you.", "[Music]") — on a two-channel call each
//! channel is silent about half the time. Handing the engine only the stretches where somebody
//! speaks removes that failure and halves the work. Energy is enough here because a call
//! recording's channels are separate lines: when the agent speaks, the customer's channel holds
//! line noise, not a voice. The threshold adapts to the channel's own noise floor, so a noisy
//! line is judged against its noise, and a channel that is all speech keeps all of it.

/// Samples per second of the audio VAD reads.
pub const SAMPLE_RATE: u32 = 16_000;

/// Tunables; the defaults are what the fixtures were measured with (docs/transcription.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadSettings {
    pub frame_ms: u32,
    /// Frames this far (dB) above the channel's noise floor count as speech...
    pub floor_margin_db: f32,
    /// ...but never below this absolute level (dBFS): digital silence and hiss stay silence.
    pub min_speech_db: f32,
    /// Pauses shorter than this stay inside one region (words are not cut apart).
    pub merge_gap_ms: u32,
    /// Regions shorter than this (clicks) are dropped.
    pub min_region_ms: u32,
    /// Audio kept on each side of a region (soft word onsets and endings).
    pub pad_ms: u32,
}

impl Default for VadSettings {
    fn default() -> Self {
        Self {
            frame_ms: 20,
            floor_margin_db: 12.0,
            min_speech_db: -50.0,
            merge_gap_ms: 800,
            min_region_ms: 150,
            pad_ms: 300,
        }
    }
}

impl VadSettings {
    pub fn frame_samples(&self) -> usize {
        (SAMPLE_RATE * self.frame_ms / 1000) as usize
    }
}

/// A stretch of speech, in samples: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub start: u64,
    pub end: u64,
}

impl Region {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Accumulates per-frame energies (dBFS) over audio fed in any chunk sizes, so a long
/// channel is measured while it streams past (a few bytes per 20 ms frame are kept).
#[derive(Debug, Clone)]
pub struct EnergyMeter {
    frame: usize,
    sum_squares: f64,
    in_frame: usize,
    energies: Vec<f32>,
}

impl EnergyMeter {
    pub fn new(settings: &VadSettings) -> Self {
        Self {
            frame: settings.frame_samples(),
            sum_squares: 0.0,
            in_frame: 0,
            energies: Vec::new(),
        }
    }

    pub fn push(&mut self, samples: &[f32]) {
        for &s in samples {
            self.sum_squares += f64::from(s) * f64::from(s);
            self.in_frame += 1;
            if self.in_frame == self.frame {
                self.close_frame();
            }
        }
    }

    fn close_frame(&mut self) {
        let mean = self.sum_squares / self.in_frame.max(1) as f64;
        self.energies.push(to_db(mean));
        self.sum_squares = 0.0;
        self.in_frame = 0;
    }

    /// The energies of every frame (a partial last frame included).
    pub fn finish(mut self) -> Vec<f32> {
        if self.in_frame > 0 {
            self.close_frame();
        }
        self.energies
    }
}

fn to_db(mean_square: f64) -> f32 {
    if mean_square <= 1e-12 {
        -120.0
    } else {
        (10.0 * mean_square.log10()) as f32
    }
}

/// The speech threshold for a channel with these frame energies.
pub fn threshold_db(energies: &[f32], settings: &VadSettings) -> f32 {
    if energies.is_empty() {
        return settings.min_speech_db;
    }
    let mut sorted = energies.to_vec();
    sorted.sort_by(f32::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let floor = at(0.10);
    let loud = at(0.95);
    if loud - floor < 6.0 {
        // A flat channel is all silence or all speech: no noise floor to measure against.
        return settings.min_speech_db;
    }
    // Above the noise floor, but at most halfway to the speech level, so a line with little
    // headroom between noise and voice keeps its quieter words.
    (floor + settings.floor_margin_db.min((loud - floor) / 2.0)).max(settings.min_speech_db)
}

/// Speech regions of a channel of `total_samples` samples whose frame energies are
/// `energies`: frames above the threshold, pauses under `merge_gap_ms` bridged, clicks under
/// `min_region_ms` dropped, `pad_ms` added on both sides (clamped to the channel), overlapping
/// regions merged.
pub fn speech_regions(energies: &[f32], total_samples: u64, settings: &VadSettings) -> Vec<Region> {
    let threshold = threshold_db(energies, settings);
    let frame = settings.frame_samples() as u64;
    let ms_to_frames = |ms: u32| (ms / settings.frame_ms).max(1) as usize;
    let merge_gap = ms_to_frames(settings.merge_gap_ms);
    let min_region = ms_to_frames(settings.min_region_ms);
    let pad = u64::from(settings.pad_ms) * u64::from(SAMPLE_RATE) / 1000;

    // Runs of speech frames, as frame index ranges, with short pauses bridged.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, &e) in energies.iter().enumerate() {
        if e < threshold {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if i - *end <= merge_gap => *end = i + 1,
            _ => runs.push((i, i + 1)),
        }
    }

    let mut regions: Vec<Region> = Vec::new();
    for (start, end) in runs.into_iter().filter(|(s, e)| e - s >= min_region) {
        let region = Region {
            start: (start as u64 * frame).saturating_sub(pad),
            end: (end as u64 * frame + pad).min(total_samples),
        };
        match regions.last_mut() {
            Some(last) if region.start <= last.end => last.end = last.end.max(region.end),
            _ => regions.push(region),
        }
    }
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: usize = SAMPLE_RATE as usize;

    /// `parts`: (seconds, amplitude) — a 200 Hz tone of that amplitude, or silence for 0.
    fn signal(parts: &[(f64, f32)]) -> Vec<f32> {
        let mut out = Vec::new();
        for &(secs, amp) in parts {
            let n = (secs * SR as f64) as usize;
            let offset = out.len();
            out.extend((0..n).map(|i| {
                let t = (offset + i) as f32 / SR as f32;
                amp * (2.0 * std::f32::consts::PI * 200.0 * t).sin()
            }));
        }
        out
    }

    fn regions_secs(samples: &[f32], settings: &VadSettings) -> Vec<(f64, f64)> {
        let mut meter = EnergyMeter::new(settings);
        // Fed in odd chunk sizes: the result must not depend on how the audio arrives.
        for chunk in samples.chunks(777) {
            meter.push(chunk);
        }
        speech_regions(&meter.finish(), samples.len() as u64, settings)
            .iter()
            .map(|r| (r.start as f64 / SR as f64, r.end as f64 / SR as f64))
            .collect()
    }

    fn close(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x.0 - y.0).abs() < 0.03 && (x.1 - y.1).abs() < 0.03)
    }

    /// (name, signal parts as (seconds, amplitude), expected regions in seconds)
    type Case = (&'static str, Vec<(f64, f32)>, Vec<(f64, f64)>);

    #[test]
    fn regions_table() {
        let s = VadSettings::default();
        let cases: Vec<Case> = vec![
            ("digital silence", vec![(5.0, 0.0)], vec![]),
            ("hiss below -50 dBFS", vec![(5.0, 0.002)], vec![]),
            (
                "one turn, padded",
                vec![(1.0, 0.0), (2.0, 0.3), (2.0, 0.0)],
                vec![(0.7, 3.3)],
            ),
            (
                "short pause bridged",
                vec![(1.0, 0.0), (1.0, 0.3), (0.5, 0.0), (1.0, 0.3), (2.0, 0.0)],
                vec![(0.7, 3.8)],
            ),
            (
                "long pause splits",
                vec![(1.0, 0.0), (1.0, 0.3), (3.0, 0.0), (1.0, 0.3), (1.0, 0.0)],
                vec![(0.7, 2.3), (4.7, 6.3)],
            ),
            (
                "click dropped",
                vec![(1.0, 0.0), (0.06, 0.5), (1.0, 0.0)],
                vec![],
            ),
            ("speech to the edges", vec![(3.0, 0.3)], vec![(0.0, 3.0)]),
            (
                "quiet speech on a noisy line kept",
                vec![(1.0, 0.01), (2.0, 0.1), (1.0, 0.01)],
                vec![(0.7, 3.3)],
            ),
        ];
        for (name, parts, want) in cases {
            let got = regions_secs(&signal(&parts), &s);
            assert!(close(&got, &want), "{name}: got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn threshold_adapts_but_stays_below_speech() {
        let s = VadSettings::default();
        // All speech at -20 dB with no pauses: the threshold must stay well below it.
        let speech = vec![-20.0f32; 100];
        assert!(threshold_db(&speech, &s) <= -45.0);
        // Noise floor at -40 dB, speech at -10 dB: threshold 12 dB above the floor.
        let mut noisy = vec![-40.0f32; 80];
        noisy.extend(vec![-10.0f32; 20]);
        assert_eq!(threshold_db(&noisy, &s), -28.0);
        // Only 16 dB between noise and speech: halfway.
        let mut close = vec![-40.0f32; 80];
        close.extend(vec![-24.0f32; 20]);
        assert_eq!(threshold_db(&close, &s), -32.0);
        // Digital silence: the absolute minimum applies.
        assert_eq!(threshold_db(&[-120.0; 10], &s), -50.0);
    }
}
