//! The mel filterbank whisper.cpp reads from the model file and applies to the power spectrum.
//!
//! Whisper was trained on librosa's filters (`librosa.filters.mel(sr=16000, n_fft=400,
//! n_mels=80)`: Slaney's mel scale — linear below 1 kHz, logarithmic above — and Slaney
//! normalisation, each triangle scaled to unit area). OpenAI ships them precomputed
//! (`mel_filters.npz`); we compute the same numbers here so the converter needs no Python.

/// Row-major `[n_mels][n_fft / 2 + 1]` weights.
#[derive(Clone, Debug, PartialEq)]
pub struct MelFilters {
    pub n_mels: usize,
    /// Frequency bins per filter (`n_fft / 2 + 1`, 201 for Whisper).
    pub n_bins: usize,
    pub data: Vec<f32>,
}

impl MelFilters {
    /// Whisper's filterbank: 16 kHz, 400-sample FFT, `n_mels` bands (80; 128 for large-v3).
    pub fn whisper(n_mels: usize) -> Self {
        mel_filters(16_000.0, 400, n_mels)
    }

    pub fn get(&self, mel: usize, bin: usize) -> f32 {
        self.data[mel * self.n_bins + bin]
    }
}

/// Slaney-style triangular filters from 0 Hz to Nyquist, area-normalised (librosa's defaults).
pub fn mel_filters(sample_rate: f64, n_fft: usize, n_mels: usize) -> MelFilters {
    let n_bins = n_fft / 2 + 1;
    let nyquist = sample_rate / 2.0;
    let fft_freqs: Vec<f64> = (0..n_bins)
        .map(|i| i as f64 * nyquist / (n_bins - 1) as f64)
        .collect();
    // n_mels + 2 points equally spaced on the mel scale: band i spans points i..i+2.
    let (mel_lo, mel_hi) = (hz_to_mel(0.0), hz_to_mel(nyquist));
    let edges: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(mel_lo + (mel_hi - mel_lo) * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut data = vec![0f32; n_mels * n_bins];
    for m in 0..n_mels {
        let (left, center, right) = (edges[m], edges[m + 1], edges[m + 2]);
        let area_norm = 2.0 / (right - left);
        for (bin, &f) in fft_freqs.iter().enumerate() {
            let rising = (f - left) / (center - left);
            let falling = (right - f) / (right - center);
            // Rounded to f32 before and after normalising, as librosa does (it fills a
            // float32 matrix, then scales it): this reproduces OpenAI's mel_filters.npz
            // bit for bit, not just to within an ulp.
            let weight = rising.min(falling).max(0.0) as f32;
            data[m * n_bins + bin] = (weight as f64 * area_norm) as f32;
        }
    }
    MelFilters {
        n_mels,
        n_bins,
        data,
    }
}

/// Slaney's mel scale: 3 mels per 200 Hz up to 1 kHz, then logarithmic (27 mels per
/// factor 6.4).
fn hz_to_mel(hz: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    if hz >= MIN_LOG_HZ {
        min_log_mel + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (log_step() * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of `librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)` (librosa 0.11.0,
    /// float32), printed in a throwaway Python session; OpenAI's `mel_filters.npz` (openai-whisper
    /// 20250625, `mel_80`) holds the same bits, and the whole matrix matched it exactly.
    const LIBROSA: &[(usize, usize, f32)] = &[
        (0, 1, 0.024_862_595),
        (1, 1, 0.001_990_822),
        (1, 2, 0.022_871_772),
        (14, 14, 0.025_835_324),
        (15, 14, 0.001_018_090_6),
        (20, 19, 0.010_972_2),
        (20, 20, 0.013_890_394),
        (40, 42, 0.005_411_104_8),
        (40, 43, 0.014_735_566),
        (40, 44, 0.006_518_19),
        (60, 93, 0.006_591_093),
        (60, 96, 0.000_797_849_15),
        (79, 186, 0.000_366_741_67),
        (79, 192, 0.003_164_711_9),
        (79, 199, 0.000_448_759),
        (0, 0, 0.0),
        (0, 2, 0.0),
        (79, 200, 0.0),
        (60, 120, 0.0),
    ];

    #[test]
    fn whisper_filters_match_librosa() {
        let f = MelFilters::whisper(80);
        assert_eq!((f.n_mels, f.n_bins, f.data.len()), (80, 201, 80 * 201));
        for &(m, bin, expected) in LIBROSA {
            let got = f.get(m, bin);
            assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "mel {m} bin {bin}: {got} vs librosa {expected}"
            );
        }
        // librosa's matrix: 391 non-zero weights summing to 1.999024.
        assert_eq!(f.data.iter().filter(|&&w| w > 0.0).count(), 391);
        let sum: f64 = f.data.iter().map(|&w| w as f64).sum();
        assert!((sum - 1.999_024_092).abs() < 1e-6, "{sum}");
    }

    #[test]
    fn mel_scale_is_linear_below_1khz_and_inverts() {
        assert_eq!(hz_to_mel(0.0), 0.0);
        assert!((hz_to_mel(200.0) - 3.0).abs() < 1e-12);
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(6400.0) - 42.0).abs() < 1e-9);
        for hz in [0.0, 123.4, 999.9, 1000.0, 4321.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9, "{hz}");
        }
    }
}
