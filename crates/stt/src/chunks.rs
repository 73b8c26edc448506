//! Packing speech regions into the windows an engine transcribes, and mapping the engine's
//! times back to the recording. Pure.
//!
//! Whisper reads audio in 30-second windows and its encoder costs the same for a full window
//! as for a short one, so speech regions are packed together (with a short silence between
//! them, so words of different turns don't run together) into windows just under 30 s. Each
//! window is read from disk on its own, which bounds memory whatever the recording's length;
//! windows only ever cut where VAD found a pause, so no word is lost at a cut. A region of
//! uninterrupted speech longer than `max_piece` is split at its quietest frame near the limit.

use crate::vad::{Region, VadSettings, SAMPLE_RATE};

/// A stretch of the source placed in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// First sample in the source channel.
    pub source_start: u64,
    pub len: u64,
    /// Where it starts in the window (samples).
    pub offset: u64,
}

/// One window: pieces of the source with `gap` samples of silence between them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Window {
    pub pieces: Vec<Piece>,
    /// Length in samples, gaps included.
    pub len: u64,
}

impl Window {
    /// Source time (seconds) of a segment start at `secs` into the window: a time inside a gap
    /// moves forward to the next piece.
    pub fn source_start_secs(&self, secs: f64) -> f64 {
        let at = (secs.max(0.0) * SAMPLE_RATE as f64) as u64;
        let piece = self
            .pieces
            .iter()
            .find(|p| at < p.offset + p.len)
            .or(self.pieces.last());
        piece.map_or(0.0, |p| {
            let inside = at.saturating_sub(p.offset).min(p.len);
            to_secs(p.source_start + inside)
        })
    }

    /// Source time (seconds) of a segment end at `secs` into the window: a time inside a gap
    /// moves back to the end of the previous piece.
    pub fn source_end_secs(&self, secs: f64) -> f64 {
        let at = (secs.max(0.0) * SAMPLE_RATE as f64) as u64;
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|p| at > p.offset)
            .or(self.pieces.first());
        piece.map_or(0.0, |p| {
            let inside = at.saturating_sub(p.offset).min(p.len);
            to_secs(p.source_start + inside)
        })
    }

    /// Samples of source audio (pieces, not gaps) in the window after `at` (window samples).
    pub fn audio_after(&self, at: u64) -> u64 {
        self.pieces
            .iter()
            .map(|p| (p.offset + p.len).saturating_sub(at.max(p.offset)))
            .sum()
    }
}

fn to_secs(samples: u64) -> f64 {
    samples as f64 / SAMPLE_RATE as f64
}

/// Limits of packing, in samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackLimits {
    /// Windows are filled up to this length.
    pub max_window: u64,
    /// Silence between two pieces of one window.
    pub gap: u64,
    /// Uninterrupted speech longer than this is split.
    pub max_piece: u64,
    /// Windows packed evenly for the threads ([`packings`]) average at least this.
    pub min_window: u64,
}

impl Default for PackLimits {
    fn default() -> Self {
        let sr = u64::from(SAMPLE_RATE);
        Self {
            max_window: sr * 295 / 10,
            gap: sr / 2,
            max_piece: sr * 300,
            min_window: sr * 10,
        }
    }
}

/// Splits regions longer than `limits.max_piece` at the quietest frame in the last tenth
/// before the limit (`energies`: per-frame dB of the channel).
pub fn split_long(
    regions: &[Region],
    energies: &[f32],
    limits: &PackLimits,
    vad: &VadSettings,
) -> Vec<Region> {
    let frame = vad.frame_samples() as u64;
    let mut out = Vec::with_capacity(regions.len());
    for region in regions {
        let mut start = region.start;
        while region.end - start > limits.max_piece {
            let limit = start + limits.max_piece;
            let search_from = limit - limits.max_piece / 10;
            let quietest = (search_from / frame..limit / frame)
                .filter(|&f| (f as usize) < energies.len())
                .min_by(|&a, &b| energies[a as usize].total_cmp(&energies[b as usize]))
                .map_or(limit, |f| f * frame)
                .max(start + frame);
            out.push(Region {
                start,
                end: quietest,
            });
            start = quietest;
        }
        out.push(Region {
            start,
            end: region.end,
        });
    }
    out
}

/// Packs `regions` (in order, not overlapping) into windows.
pub fn pack(regions: &[Region], limits: &PackLimits) -> Vec<Window> {
    let mut windows: Vec<Window> = Vec::new();
    let mut current = Window::default();
    for region in regions.iter().filter(|r| !r.is_empty()) {
        let gap = if current.pieces.is_empty() {
            0
        } else {
            limits.gap
        };
        if !current.pieces.is_empty() && current.len + gap + region.len() > limits.max_window {
            windows.push(std::mem::take(&mut current));
        }
        let gap = if current.pieces.is_empty() {
            0
        } else {
            limits.gap
        };
        let offset = current.len + gap;
        current.pieces.push(Piece {
            source_start: region.start,
            len: region.len(),
            offset,
        });
        current.len = offset + region.len();
    }
    if !current.pieces.is_empty() {
        windows.push(current);
    }
    windows
}

/// Ways to pack `regions` for a recording that runs `threads` windows at once: the greedy
/// packing first, then even packings into each window count up to `threads` more, as long as
/// the windows average at least `limits.min_window` ([`crate::plan`] picks one).
pub fn packings(regions: &[Region], limits: &PackLimits, threads: usize) -> Vec<Vec<Window>> {
    let greedy = pack(regions, limits);
    let speech: u64 = greedy.iter().map(|w| w.len).sum();
    let mut out = vec![greedy.clone()];
    for count in greedy.len()..greedy.len() + threads.max(1) {
        let too_short = count > greedy.len() && speech / (count as u64) < limits.min_window;
        if count == 0 || too_short {
            break;
        }
        let even = pack_even(regions, limits, count);
        if out.iter().all(|known| *known != even) {
            out.push(even);
        }
    }
    out
}

/// Packs `regions` into at most `count` windows as even as the regions allow: the shortest
/// window limit for which greedy packing needs no more than `count` windows (greedy packing
/// is optimal for a given limit, so a binary search finds it).
pub fn pack_even(regions: &[Region], limits: &PackLimits, count: usize) -> Vec<Window> {
    let with_limit = |max_window| {
        pack(
            regions,
            &PackLimits {
                max_window,
                ..*limits
            },
        )
    };
    let longest_piece = regions.iter().map(Region::len).max().unwrap_or(0);
    let (mut low, mut high) = (longest_piece, limits.max_window.max(longest_piece));
    while low < high {
        let mid = low + (high - low) / 2;
        if with_limit(mid).len() <= count {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    with_limit(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: u64 = SAMPLE_RATE as u64;

    fn r(start_s: f64, end_s: f64) -> Region {
        Region {
            start: (start_s * SR as f64) as u64,
            end: (end_s * SR as f64) as u64,
        }
    }

    #[test]
    fn packs_regions_into_windows_under_the_limit() {
        let limits = PackLimits::default();
        let cases: Vec<(Vec<Region>, Vec<usize>)> = vec![
            (vec![], vec![]),
            (vec![r(0.0, 29.0)], vec![1]),
            (vec![r(0.0, 10.0), r(20.0, 30.0)], vec![2]),
            (vec![r(0.0, 10.0), r(20.0, 30.0), r(40.0, 50.0)], vec![2, 1]),
            (vec![r(0.0, 45.0), r(50.0, 55.0)], vec![1, 1]),
            (vec![r(0.0, 5.0), r(10.0, 55.0)], vec![1, 1]),
        ];
        for (regions, want) in cases {
            let windows = pack(&regions, &limits);
            let pieces: Vec<usize> = windows.iter().map(|w| w.pieces.len()).collect();
            assert_eq!(pieces, want, "{regions:?}");
            for w in &windows {
                assert!(w.pieces.len() == 1 || w.len <= limits.max_window);
            }
            // Every region lands in exactly one piece, whole.
            let total: u64 = windows.iter().flat_map(|w| &w.pieces).map(|p| p.len).sum();
            assert_eq!(total, regions.iter().map(Region::len).sum::<u64>());
        }
    }

    #[test]
    fn offers_the_greedy_packing_then_even_ones_for_the_threads() {
        let secs = |windows: &Vec<Window>| -> Vec<f64> {
            windows.iter().map(|w| w.len as f64 / SR as f64).collect()
        };
        // (regions, threads, each option's window lengths in seconds)
        let cases: Vec<(Vec<Region>, usize, Vec<Vec<f64>>)> = vec![
            (vec![], 2, vec![vec![]]),
            // One region cannot be cut anywhere else.
            (vec![r(0.0, 29.0)], 2, vec![vec![29.0]]),
            // Greedy fills the first window; three even ones of 10 s are the alternative.
            (
                vec![r(0.0, 10.0), r(20.0, 30.0), r(40.0, 50.0)],
                2,
                vec![vec![20.5, 10.0], vec![10.0, 10.0, 10.0]],
            ),
            // One thread: no more windows than greedy packing needs.
            (
                vec![r(0.0, 20.0), r(30.0, 35.0), r(40.0, 60.0)],
                1,
                vec![vec![25.5, 20.0]],
            ),
            // Windows would average under 10 s: no more of them.
            (vec![r(0.0, 6.0), r(10.0, 16.0)], 2, vec![vec![12.5]]),
        ];
        for (regions, threads, want) in cases {
            let options = packings(&regions, &PackLimits::default(), threads);
            let got: Vec<Vec<f64>> = options.iter().map(secs).collect();
            assert_eq!(got, want, "{regions:?} on {threads}");
            for option in &options {
                let total: u64 = option.iter().flat_map(|w| &w.pieces).map(|p| p.len).sum();
                assert_eq!(total, regions.iter().map(Region::len).sum::<u64>());
            }
        }
    }

    #[test]
    fn maps_window_times_back_to_the_source() {
        let limits = PackLimits::default();
        // Pieces: 10..12 s at 0..2 s, gap 2..2.5 s, 20..23 s at 2.5..5.5 s.
        let windows = pack(&[r(10.0, 12.0), r(20.0, 23.0)], &limits);
        let w = &windows[0];
        let cases = [
            (0.0, 10.0, 10.0),
            (1.0, 11.0, 11.0),
            (2.2, 20.0, 12.0), // inside the gap: start moves on, end moves back
            (3.0, 20.5, 20.5),
            (5.5, 23.0, 23.0),
            (9.0, 23.0, 23.0),
        ];
        for (t, start, end) in cases {
            assert!((w.source_start_secs(t) - start).abs() < 1e-3, "start {t}");
            assert!((w.source_end_secs(t) - end).abs() < 1e-3, "end {t}");
        }
    }

    #[test]
    fn counts_the_audio_left_after_a_point() {
        let limits = PackLimits::default();
        // Pieces at 0..2 s and 2.5..5.5 s of the window.
        let windows = pack(&[r(10.0, 12.0), r(20.0, 23.0)], &limits);
        let w = &windows[0];
        for (at_s, want_s) in [
            (0.0, 5.0),
            (1.0, 4.0),
            (2.2, 3.0),
            (4.0, 1.5),
            (5.5, 0.0),
            (9.0, 0.0),
        ] {
            let at = (at_s * SR as f64) as u64;
            assert_eq!(
                w.audio_after(at),
                (want_s * SR as f64) as u64,
                "after {at_s} s"
            );
        }
    }

    #[test]
    fn splits_long_speech_at_the_quietest_frame() {
        let vad = VadSettings::default();
        let limits = PackLimits {
            max_piece: 10 * SR,
            ..PackLimits::default()
        };
        // 25 s of speech at -20 dB with one quiet frame at 9.5 s and one at 19.2 s.
        let frames_per_s = 1000 / vad.frame_ms as usize;
        let mut energies = vec![-20.0f32; 25 * frames_per_s];
        energies[95 * frames_per_s / 10] = -60.0;
        energies[192 * frames_per_s / 10] = -60.0;
        let pieces = split_long(&[r(0.0, 25.0)], &energies, &limits, &vad);
        let bounds: Vec<(f64, f64)> = pieces
            .iter()
            .map(|p| (p.start as f64 / SR as f64, p.end as f64 / SR as f64))
            .collect();
        assert_eq!(bounds, vec![(0.0, 9.5), (9.5, 19.2), (19.2, 25.0)]);
    }
}
