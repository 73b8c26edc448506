//! The file each request uploads: a canonical 44-byte-header WAV, 16 kHz mono 16-bit PCM.
//!
//! 16-bit PCM halves the upload against `f32` and loses nothing a speech model can hear; every
//! OpenAI-compatible server reads it.

/// Sample rate of decoded channels, and so of every uploaded file.
pub const SAMPLE_RATE: u32 = scorejar_media::decode::SAMPLE_RATE;

/// Bytes before the samples in the files [`encode_wav`] writes.
pub const HEADER_LEN: u64 = 44;

const BYTES_PER_SAMPLE: u64 = 2;

/// Size of the WAV file holding `samples` samples.
pub fn wav_len(samples: u64) -> u64 {
    HEADER_LEN + samples * BYTES_PER_SAMPLE
}

/// The most samples whose WAV stays within `max_bytes`.
pub fn max_samples_within(max_bytes: u64) -> u64 {
    max_bytes.saturating_sub(HEADER_LEN) / BYTES_PER_SAMPLE
}

/// Encodes `samples` (nominally in [-1, 1]; louder ones are clipped) as a WAV file.
///
/// Panics if the data would not fit a WAV's 32-bit size fields; the settings cap uploads
/// below that.
pub fn encode_wav(samples: &[f32]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() as u64 * BYTES_PER_SAMPLE)
        .ok()
        .filter(|len| *len <= u32::MAX - 36)
        .expect("WAV data fits 32-bit sizes");
    let byte_rate = SAMPLE_RATE * BYTES_PER_SAMPLE as u32;
    let mut out = Vec::with_capacity(wav_len(samples.len() as u64) as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&byte_rate.to_le_bytes());
    out.extend_from_slice(&(BYTES_PER_SAMPLE as u16).to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        out.extend_from_slice(&to_i16(*sample).to_le_bytes());
    }
    out
}

fn to_i16(sample: f32) -> i16 {
    // NaN becomes 0 through the saturating cast.
    (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_describes_16k_mono_16bit() {
        let wav = encode_wav(&[0.0, 0.5, -0.5]);
        assert_eq!(wav.len() as u64, wav_len(3));
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(wav[4..8].try_into().unwrap()), 36 + 6);
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        assert_eq!(u16::from_le_bytes([wav[20], wav[21]]), 1, "PCM");
        assert_eq!(u16::from_le_bytes([wav[22], wav[23]]), 1, "mono");
        assert_eq!(u32::from_le_bytes(wav[24..28].try_into().unwrap()), 16_000);
        assert_eq!(u32::from_le_bytes(wav[28..32].try_into().unwrap()), 32_000);
        assert_eq!(u16::from_le_bytes([wav[34], wav[35]]), 16);
        assert_eq!(&wav[36..40], b"data");
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()), 6);
    }

    #[test]
    fn samples_are_scaled_rounded_and_clipped() {
        let cases = [
            (0.0, 0),
            (1.0, 32767),
            (-1.0, -32767),
            (0.5, 16384),
            (2.0, 32767),
            (-7.0, -32767),
            (f32::NAN, 0),
        ];
        for (input, want) in cases {
            let wav = encode_wav(&[input]);
            let got = i16::from_le_bytes([wav[44], wav[45]]);
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn sizes_round_trip() {
        for samples in [0, 1, 16_000, 1_000_000] {
            assert_eq!(max_samples_within(wav_len(samples)), samples);
            assert_eq!(max_samples_within(wav_len(samples) + 1), samples);
        }
        assert_eq!(max_samples_within(10), 0);
    }
}
