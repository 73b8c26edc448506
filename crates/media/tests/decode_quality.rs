//! Resampling quality (frequency and amplitude kept, no aliasing or imaging) and bounded
//! memory on a long recording, on WAV files generated here.

mod decode_support;

use decode_support::*;
use scorejar_media::decode::{decode_with, DecodeOptions, Decoded, SAMPLE_RATE};

/// Decodes a float WAV of `secs` seconds at `rate` whose single channel is the sum of
/// `tones` (frequency, amplitude).
fn decode_tones(rate: u32, secs: u64, tones: &[(f64, f64)]) -> Vec<f32> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tones.wav");
    write_wav(
        &path,
        WavFormat::Float32,
        rate,
        1,
        rate as u64 * secs,
        |n, _| tones.iter().map(|(f, a)| sine(*f, *a, rate, n)).sum(),
    );
    let decoded = decode_with(&path, dir.path(), &DecodeOptions::without_ffmpeg()).unwrap();
    assert_eq!(decoded.audio.source_sample_rate, rate);
    let samples = decoded.audio.channels[0].read_all().unwrap();
    assert_eq!(samples.len() as u64, SAMPLE_RATE as u64 * secs, "{rate} Hz");
    samples
}

/// Level of `amplitude` relative to `reference`, in dB.
fn db(amplitude: f64, reference: f64) -> f64 {
    20.0 * (amplitude / reference).log10()
}

#[test]
fn tones_in_the_passband_keep_frequency_and_amplitude() {
    // (source rate, tone Hz): telephone audio upsampled, music rates downsampled; tones up to
    // the top of the telephone band (3.4 kHz) and of wide-band speech (7 kHz).
    let cases = [
        (8_000, 1_000.0),
        (8_000, 3_400.0),
        (11_025, 440.0),
        (22_050, 5_000.0),
        (44_100, 1_000.0),
        (44_100, 7_000.0),
        (48_000, 3_400.0),
    ];
    for (rate, freq) in cases {
        let samples = decode_tones(rate, 2, &[(freq, 0.5)]);
        // One second from the middle: a whole number of cycles of any integer frequency.
        let window = middle(&samples, SAMPLE_RATE as usize);
        let amplitude = amplitude_at(window, freq, RATE);
        assert!(
            (amplitude - 0.5).abs() < 0.005,
            "{rate} Hz → 16 kHz, {freq} Hz tone: amplitude {amplitude:.4} (0.5 ± 1 %)"
        );
        let residual = 1.0 - tone_fraction(window, freq, RATE);
        assert!(
            residual < 1e-4,
            "{rate} Hz → 16 kHz, {freq} Hz tone: {residual:.2e} of the power is elsewhere"
        );
    }
}

#[test]
fn upsampling_telephone_audio_adds_no_images() {
    // A naive 8 → 16 kHz upsampler mirrors a tone at f to 8000 − f.
    for freq in [1_000.0, 3_000.0, 3_400.0] {
        let samples = decode_tones(8_000, 2, &[(freq, 0.5)]);
        let window = middle(&samples, SAMPLE_RATE as usize);
        let image = amplitude_at(window, 8_000.0 - freq, RATE);
        let level = db(image, amplitude_at(window, freq, RATE));
        assert!(level < -60.0, "{freq} Hz: image at {level:.1} dB");
    }
}

#[test]
fn downsampling_removes_what_16_khz_cannot_hold() {
    // A tone above 8 kHz must vanish, not fold back (12 kHz would alias to 4 kHz, 9 kHz to 7).
    let cases = [
        (44_100, 12_000.0),
        (48_000, 9_000.0),
        (22_050, 10_000.0),
        (44_100, 20_000.0),
    ];
    for (rate, freq) in cases {
        let samples = decode_tones(rate, 2, &[(1_000.0, 0.4), (freq, 0.4)]);
        let window = middle(&samples, SAMPLE_RATE as usize);
        let alias = 16_000.0 - freq;
        let alias_level = db(amplitude_at(window, alias.abs(), RATE), 0.4);
        assert!(
            alias_level < -60.0,
            "{rate} Hz, {freq} Hz: alias at {alias_level:.1} dB"
        );
        let kept = amplitude_at(window, 1_000.0, RATE);
        assert!(
            (kept - 0.4).abs() < 0.004,
            "{rate} Hz: the 1 kHz tone is {kept:.4}"
        );
        let residual = 1.0 - tone_fraction(window, 1_000.0, RATE);
        assert!(
            residual < 1e-4,
            "{rate} Hz, {freq} Hz: {residual:.2e} left over"
        );
    }
}

/// Decodes a generated two-channel 8 kHz PCM WAV of `secs` seconds (440 Hz left, 1 kHz
/// right); returns the decode and keeps its directory alive.
fn decode_call(secs: u64) -> (tempfile::TempDir, Decoded) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let rate = 8_000;
    write_wav(
        &path,
        WavFormat::Pcm16,
        rate,
        2,
        rate as u64 * secs,
        |n, channel| {
            let freq = if channel == 0 { 440.0 } else { 1_000.0 };
            sine(freq, 0.3, rate, n)
        },
    );
    let decoded = decode_with(&path, dir.path(), &DecodeOptions::without_ffmpeg()).unwrap();
    // The input is not needed any more; the disk holds only the decoded channels.
    std::fs::remove_file(&path).unwrap();
    (dir, decoded)
}

#[test]
fn a_twenty_minute_recording_decodes_in_bounded_memory() {
    let (_short_dir, short) = decode_call(10);
    let (_long_dir, long) = decode_call(20 * 60);
    let frames = SAMPLE_RATE as u64 * 20 * 60;
    for channel in &long.audio.channels {
        assert_eq!(channel.len(), frames);
    }
    // What is held in memory depends on the codec and the resampler, not on the length:
    // the same high-water mark for 10 seconds and for 20 minutes, under one FFT block plus
    // one packet.
    assert_eq!(
        long.stats.peak_buffered_frames,
        short.stats.peak_buffered_frames
    );
    assert!(
        long.stats.peak_buffered_frames <= 1024 + long.stats.largest_packet_frames,
        "{:?}",
        long.stats
    );
    // Every part was decoded: the tones are there in the last second too, read as a window.
    let last_second = frames - SAMPLE_RATE as u64;
    for (channel, freq) in [(0, 440.0), (1, 1_000.0)] {
        let window = long.audio.channels[channel]
            .read(last_second, SAMPLE_RATE as usize)
            .unwrap();
        let residual = 1.0 - tone_fraction(&window[..8_000], freq, RATE);
        assert!(residual < 1e-3, "channel {channel}: {residual:.2e}");
    }
}
