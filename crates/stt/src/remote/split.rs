//! Cutting a long channel into pieces that each fit the provider's upload limit.
//!
//! A cut in the middle of a word loses that word (each half is transcribed alone), so each cut
//! goes at the quietest moment of the last few seconds before the limit: the 100 ms window of
//! lowest energy, cut at its centre. Pieces are contiguous and together hold every sample.
//! Pure apart from the `read` callback, so it is tested without files.

use super::wav::SAMPLE_RATE;

/// Length of the energy window: long enough that the closure of a plosive inside a word
/// (~50-100 ms) does not look like a pause between words.
const ENERGY_WINDOW: usize = SAMPLE_RATE as usize / 10;
/// Step between energy windows (10 ms).
const ENERGY_HOP: usize = SAMPLE_RATE as usize / 100;
/// How far before the limit a cut may move to find a pause.
pub const SEARCH_SAMPLES: u64 = 3 * SAMPLE_RATE as u64;
/// The last piece gets at least this much audio, so no piece is too short for a provider
/// (OpenAI refuses files under 0.1 s).
pub const MIN_TAIL_SAMPLES: u64 = SAMPLE_RATE as u64;

/// A span of samples, `start..start + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub start: u64,
    pub len: u64,
}

impl Piece {
    pub fn start_secs(&self) -> f64 {
        self.start as f64 / f64::from(SAMPLE_RATE)
    }

    pub fn duration_secs(&self) -> f64 {
        self.len as f64 / f64::from(SAMPLE_RATE)
    }
}

/// Where to cut `window`: the centre of its quietest 100 ms (the latest one on a tie, so pieces
/// stay long), or its end when it is shorter than 100 ms.
pub fn quietest_cut(window: &[f32]) -> usize {
    if window.len() < ENERGY_WINDOW {
        return window.len();
    }
    let mut prefix = Vec::with_capacity(window.len() + 1);
    let mut sum = 0.0f64;
    prefix.push(sum);
    for sample in window {
        sum += f64::from(*sample) * f64::from(*sample);
        prefix.push(sum);
    }
    let mut best = (f64::INFINITY, window.len());
    let mut at = 0;
    while at + ENERGY_WINDOW <= window.len() {
        let energy = prefix[at + ENERGY_WINDOW] - prefix[at];
        if energy <= best.0 {
            best = (energy, at + ENERGY_WINDOW / 2);
        }
        at += ENERGY_HOP;
    }
    best.1
}

/// Splits `total` samples into pieces of at most `max_len` samples, cutting at pauses.
/// `read(start, count)` returns samples of the channel (the search windows only).
pub fn plan_pieces<E>(
    total: u64,
    max_len: u64,
    mut read: impl FnMut(u64, usize) -> Result<Vec<f32>, E>,
) -> Result<Vec<Piece>, E> {
    assert!(max_len > 0, "pieces must hold samples");
    let mut pieces = Vec::new();
    let mut start = 0;
    while total - start > max_len {
        // Leave the last piece long enough to be accepted, and never cut at or before `start`.
        let latest = (start + max_len)
            .min(total.saturating_sub(MIN_TAIL_SAMPLES))
            .max(start + 1);
        let search = SEARCH_SAMPLES.min(max_len / 2);
        let earliest = latest.saturating_sub(search).max(start + 1);
        let window = read(earliest, (latest - earliest) as usize)?;
        let cut = (earliest + quietest_cut(&window) as u64).clamp(start + 1, latest);
        pieces.push(Piece {
            start,
            len: cut - start,
        });
        start = cut;
    }
    if total > start {
        pieces.push(Piece {
            start,
            len: total - start,
        });
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    const SEC: usize = SAMPLE_RATE as usize;

    /// A loud tone with silent gaps at the given `[from, to)` sample ranges.
    fn speech_with_gaps(len: usize, gaps: &[(usize, usize)]) -> Vec<f32> {
        (0..len)
            .map(|i| {
                if gaps.iter().any(|(a, b)| (*a..*b).contains(&i)) {
                    0.0
                } else {
                    0.5 * (i as f32 * 0.3).sin()
                }
            })
            .collect()
    }

    fn plan(samples: &[f32], max_len: u64) -> Vec<Piece> {
        plan_pieces::<Infallible>(samples.len() as u64, max_len, |start, count| {
            let start = start as usize;
            Ok(samples[start..start + count].to_vec())
        })
        .unwrap()
    }

    #[test]
    fn quietest_cut_table() {
        let cases: Vec<(&str, Vec<f32>, usize)> = vec![
            ("shorter than a window: cut at the end", vec![0.5; 100], 100),
            ("empty", vec![], 0),
            (
                "gap in the middle",
                speech_with_gaps(SEC, &[(8_000, 9_600)]),
                8_800,
            ),
            (
                "uniform loudness: the latest window",
                vec![0.5; SEC],
                SEC - ENERGY_WINDOW / 2,
            ),
            (
                "silence at the start only",
                speech_with_gaps(SEC, &[(0, 1_600)]),
                800,
            ),
        ];
        for (name, window, want) in cases {
            assert_eq!(quietest_cut(&window), want, "{name}");
        }
    }

    #[test]
    fn a_short_pause_beats_a_plosive_sized_dip() {
        // A 40 ms dip (as inside a word) and, earlier, a 150 ms pause: the pause wins.
        let window = speech_with_gaps(2 * SEC, &[(4_000, 6_400), (20_000, 20_640)]);
        let cut = quietest_cut(&window);
        assert!((4_000..6_400).contains(&cut), "cut at {cut}");
    }

    #[test]
    fn pieces_cut_in_pauses_and_cover_every_sample() {
        // 20 s of "speech" with pauses near 5.5 s, 11 s and 16 s; pieces of at most 6 s.
        let gaps = [
            (5 * SEC + SEC / 2, 5 * SEC + 7 * SEC / 10),
            (11 * SEC, 11 * SEC + SEC / 5),
            (16 * SEC, 16 * SEC + SEC / 5),
        ];
        let samples = speech_with_gaps(20 * SEC, &gaps);
        let pieces = plan(&samples, 6 * SEC as u64);
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        let mut next = 0;
        for piece in &pieces {
            assert_eq!(piece.start, next, "contiguous");
            assert!(piece.len <= 6 * SEC as u64);
            next = piece.start + piece.len;
        }
        assert_eq!(next, samples.len() as u64, "every sample in a piece");
        for (piece, (a, b)) in pieces.iter().skip(1).zip(gaps) {
            let cut = piece.start as usize;
            assert!((a..b).contains(&cut), "cut {cut} outside pause {a}..{b}");
        }
    }

    #[test]
    fn piece_counts_and_tails() {
        let max = 4 * SEC as u64;
        let cases = [
            // (total samples, want pieces)
            (0, 0),
            (100, 1),
            (4 * SEC as u64, 1),
            (4 * SEC as u64 + 1, 2),
            (12 * SEC as u64, 4),
        ];
        for (total, want) in cases {
            let samples = vec![0.3f32; total as usize];
            let pieces = plan(&samples, max);
            assert_eq!(pieces.len(), want, "total {total}: {pieces:?}");
            assert_eq!(pieces.iter().map(|p| p.len).sum::<u64>(), total);
            assert!(pieces.iter().all(|p| p.len <= max && p.len > 0));
            if pieces.len() > 1 {
                let tail = pieces.last().unwrap();
                assert!(tail.len >= MIN_TAIL_SAMPLES, "tail {tail:?}");
            }
        }
    }

    #[test]
    fn read_errors_propagate() {
        let got = plan_pieces(10 * SEC as u64, 4 * SEC as u64, |_, _| Err("disk gone"));
        assert_eq!(got, Err("disk gone"));
    }
}
