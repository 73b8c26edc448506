//! ggml's q8_0 quantisation: blocks of 32 values, each stored as an f16 scale `d` and 32 `i8`
//! with `value ≈ q * d`, `d = max|x| / 127`. Done as ggml's reference quantiser does it, so a
//! file converted here is the file whisper.cpp's `quantize` tool would produce.

use half::f16;

pub const BLOCK: usize = 32;
pub const BLOCK_BYTES: usize = 2 + BLOCK;

/// Appends the q8_0 blocks of `values` (a multiple of 32 long) to `out`.
pub fn quantize(values: &[f32], out: &mut Vec<u8>) {
    assert!(
        values.len().is_multiple_of(BLOCK),
        "q8_0 needs whole blocks of {BLOCK}"
    );
    out.reserve(values.len() / BLOCK * BLOCK_BYTES);
    for block in values.chunks_exact(BLOCK) {
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let inverse = if d == 0.0 { 0.0 } else { 1.0 / d };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        // `round` rounds half away from zero, as C's roundf in ggml's reference quantiser.
        out.extend(block.iter().map(|&v| (v * inverse).round() as i8 as u8));
    }
}

/// Expands q8_0 blocks back to f32.
pub fn dequantize(bytes: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(bytes.len() / BLOCK_BYTES * BLOCK);
    for block in bytes.chunks_exact(BLOCK_BYTES) {
        let d = f16::from_le_bytes([block[0], block[1]]).to_f32();
        out.extend(block[2..].iter().map(|&q| q as i8 as f32 * d));
    }
    out
}

/// The largest error q8_0 may make on each value of a block: half a quantisation step, plus
/// what rounding the scale to f16 costs the largest code (127 steps).
pub fn error_bound(block: &[f32]) -> f32 {
    let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let scale_rounding = (f16::from_f32(d).to_f32() - d).abs();
    // The small relative slack covers f32 rounding in `v * inverse` and `q * d`.
    0.5 * d * (1.0 + 1e-5) + 127.0 * scale_rounding + f32::MIN_POSITIVE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_scale_then_codes() {
        let mut values = [0f32; BLOCK];
        values[0] = 1.27;
        values[1] = -1.27;
        values[2] = -0.0251; // 2.51 steps rounds to -3
        values[3] = 0.6349; // just under 63.5 steps
        let mut out = Vec::new();
        quantize(&values, &mut out);
        assert_eq!(out.len(), BLOCK_BYTES);
        assert_eq!(
            f16::from_le_bytes([out[0], out[1]]),
            f16::from_f32(0.01),
            "scale = max/127"
        );
        let codes: Vec<i8> = out[2..6].iter().map(|&b| b as i8).collect();
        assert_eq!(codes, vec![127, -127, -3, 63]);
        assert!(out[6..].iter().all(|&b| b == 0));
    }

    #[test]
    fn an_all_zero_block_stays_zero() {
        let mut out = Vec::new();
        quantize(&[0.0; BLOCK], &mut out);
        assert!(out.iter().all(|&b| b == 0));
        assert_eq!(dequantize(&out), vec![0.0; BLOCK]);
    }

    #[test]
    fn round_trip_stays_within_the_bound() {
        // Deterministic values over several magnitudes, including one tiny block.
        let values: Vec<f32> = (0..BLOCK * 8)
            .map(|i| {
                let magnitude = [1e-6, 0.01, 0.3, 5.0][i / BLOCK % 4];
                ((i * 7919 % 1000) as f32 / 500.0 - 1.0) * magnitude
            })
            .collect();
        let mut bytes = Vec::new();
        quantize(&values, &mut bytes);
        let back = dequantize(&bytes);
        for (block, got) in values.chunks(BLOCK).zip(back.chunks(BLOCK)) {
            let bound = error_bound(block);
            for (a, b) in block.iter().zip(got) {
                assert!((a - b).abs() <= bound, "{a} vs {b}, bound {bound}");
            }
        }
    }
}
