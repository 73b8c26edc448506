//! One channel through whisper.cpp: window by window, times mapped back to the recording.

use super::{io_error, speech_packings, Sampling, WhisperSettings};
use crate::chunks::Window;
use crate::engine::{ChannelTranscript, Siblings, SttError};
use crate::vad::SAMPLE_RATE;
use scorejar_core::model::{Segment, Word};
use scorejar_media::PcmReader;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperSegment, WhisperState, WhisperSysContext,
    WhisperSysState,
};

/// Transcribes `audio` (blocking): plans its windows with the recording's other channels,
/// then runs them side by side, each on the threads it takes from the recording's budget
/// (see [`Siblings`]).
pub(super) fn transcribe(
    context: &WhisperContext,
    settings: &WhisperSettings,
    audio: &PcmReader,
    language: Option<&str>,
    siblings: &Siblings,
) -> Result<ChannelTranscript, SttError> {
    let mut packings = match speech_packings(audio, settings) {
        Ok(packings) => packings,
        Err(e) => {
            siblings.withdraw(settings.threads);
            return Err(e);
        }
    };
    let lengths = packings
        .iter()
        .map(|windows| windows.iter().map(|w| w.len).collect())
        .collect();
    let chosen = siblings.plan(lengths, settings.threads);
    let windows = packings.swap_remove(chosen.min(packings.len() - 1));
    tracing::debug!(
        packing = chosen,
        windows = windows.len(),
        "planned with the recording's other channels"
    );
    // Longest first: the budget starts the recording's longest waiting window next.
    let mut order: Vec<usize> = (0..windows.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(windows[i].len));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<WindowTranscript>>> = Mutex::new(vec![None; windows.len()]);
    let first_error: Mutex<Option<SttError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..settings.threads.min(windows.len()) {
            scope.spawn(|| {
                while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let window = &windows[index];
                    if lock(&first_error).is_some() {
                        // The channel has failed: its other windows need not run.
                        siblings.cancel(window.len);
                        continue;
                    }
                    let threads = siblings.take(window.len);
                    let result =
                        transcribe_window(context, settings, audio, language, window, threads);
                    siblings.give_back(threads);
                    match result {
                        Ok(transcript) => lock(&done)[index] = Some(transcript),
                        Err(e) => {
                            lock(&first_error).get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = lock(&first_error).take() {
        return Err(e);
    }
    let mut out = ChannelTranscript {
        segments: Vec::new(),
        language: language.map(str::to_string),
    };
    let done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    for window in done.into_iter().flatten() {
        if out.language.is_none() {
            out.language = window.language;
        }
        out.segments.extend(window.segments);
    }
    Ok(out)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What whisper heard in one window, times in the recording.
#[derive(Debug, Clone)]
struct WindowTranscript {
    segments: Vec<Segment>,
    /// The language whisper detected (or was given).
    language: Option<String>,
}

/// One window, pass after pass until whisper has transcribed all of its speech.
fn transcribe_window(
    context: &WhisperContext,
    settings: &WhisperSettings,
    audio: &PcmReader,
    language: Option<&str>,
    window: &Window,
    threads: usize,
) -> Result<WindowTranscript, SttError> {
    let samples = window_samples(audio, window)?;
    let mut out = WindowTranscript {
        segments: Vec::new(),
        language: None,
    };
    let mut from = 0usize;
    loop {
        let started = std::time::Instant::now();
        let pass = one_pass(context, settings, language, threads, &samples[from..])?;
        if out.language.is_none() {
            out.language =
                whisper_rs::get_lang_str(pass.state.full_lang_id_from_state()).map(str::to_string);
        }
        let offset = from as f64 / f64::from(SAMPLE_RATE);
        let audio_secs = (samples.len() - from) as f64 / f64::from(SAMPLE_RATE);
        let last_end = collect_segments(
            &pass.state,
            context,
            window,
            (offset, audio_secs),
            settings,
            &mut out.segments,
        );
        // whisper wanted another pass from where its last complete segment ended (the text
        // after it was unfinished): go on from there only if speech is left, so a window's
        // trailing padding never costs an encoder pass of its own.
        let next = last_end
            .filter(|_| pass.wanted_more)
            .map(|end| from + (end * f64::from(SAMPLE_RATE)) as usize)
            .filter(|&next| next > from && window.audio_after(next as u64) >= MIN_TAIL_SAMPLES);
        tracing::debug!(
            window_secs = window.len as f64 / f64::from(SAMPLE_RATE),
            threads,
            pass_secs = started.elapsed().as_secs_f64(),
            pass_from_secs = offset,
            ?last_end,
            wanted_more = pass.wanted_more,
            continues = next.is_some(),
            "whisper pass"
        );
        drop(pass);
        super::heap::release_freed_memory();
        match next {
            Some(next) => from = next,
            None => return Ok(out),
        }
    }
}

/// Audio (pieces, padding included) that must be left after whisper's last segment for
/// another pass: VAD pads every piece by 0.3 s and whisper's timestamps run a few tenths of a
/// second early, so less than this is the end of words already transcribed.
const MIN_TAIL_SAMPLES: u64 = SAMPLE_RATE as u64;

/// One encoder pass of whisper over `samples` and the decoding that follows.
struct Pass {
    state: WhisperState,
    /// whisper left the end of `samples` untranscribed and would have run another pass.
    wanted_more: bool,
}

/// Runs whisper over `samples` for one encoder pass only: whisper.cpp would otherwise
/// re-encode a full 30 s window for whatever is left after its last timestamp, however short
/// or silent (the caller decides whether the rest is worth a pass).
fn one_pass(
    context: &WhisperContext,
    settings: &WhisperSettings,
    language: Option<&str>,
    threads: usize,
    samples: &[f32],
) -> Result<Pass, SttError> {
    let fitted = settings
        .fit_audio_ctx
        .then(|| fitted_audio_ctx(samples.len()));
    let run = |audio_ctx, temperature| {
        run_pass(
            context,
            settings,
            language,
            threads,
            samples,
            audio_ctx,
            temperature,
        )
    };
    let pass = run(fitted, 0.0)?;
    let ratio = compression_ratio(&pass.state);
    let empty = pass.state.full_n_segments() == 0;
    if fitted.is_some() && (empty || ratio > MAX_COMPRESSION_RATIO) {
        // A shortened encoder context sometimes yields nothing where VAD heard speech, or
        // loops on one sentence: the full context is the reference, ask it.
        let full = run(None, 0.0)?;
        if compression_ratio(&full.state) <= MAX_COMPRESSION_RATIO {
            return Ok(full);
        }
    } else if ratio <= MAX_COMPRESSION_RATIO {
        return Ok(pass);
    }
    // The text repeats itself (whisper stuck in a loop): what openai-whisper and
    // faster-whisper do, sample again at rising temperatures, and keep the least repetitive.
    let sampled = run(None, FALLBACK_TEMPERATURE)?;
    Ok(if compression_ratio(&sampled.state) < ratio {
        sampled
    } else {
        pass
    })
}

/// Text that zlib compresses more than this is whisper repeating itself (openai-whisper's and
/// faster-whisper's `compression_ratio_threshold`; whisper.cpp's own entropy test misses a
/// repeated sentence of a dozen different tokens).
const MAX_COMPRESSION_RATIO: f64 = 2.4;

/// The first temperature of the fallback (whisper.cpp goes on in its own steps of 0.2).
const FALLBACK_TEMPERATURE: f32 = 0.2;

/// Bytes of the pass's text over bytes of its zlib compression (faster-whisper's measure).
fn compression_ratio(state: &WhisperState) -> f64 {
    let text: String = state
        .as_iter()
        .filter_map(|segment| segment.to_str_lossy().ok().map(|t| t.into_owned()))
        .collect();
    text_compression_ratio(&text)
}

pub(crate) fn text_compression_ratio(text: &str) -> f64 {
    use std::io::Write;
    if text.is_empty() {
        return 0.0;
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(text.as_bytes());
    let compressed = encoder.finish().map_or(text.len(), |c| c.len()).max(1);
    text.len() as f64 / compressed as f64
}

/// Encoder frames (20 ms each) for `samples`, with 1.28 s of the window's silent padding kept
/// after them (the cue that the speech has ended): a multiple of 8, at most 1496. Why 8: the
/// attention's value product has the frame count as its inner dimension, and llamafile's
/// tinyBLAS kernels only take inner dimensions divisible by 8 — whisper's own 1500 sends that
/// product to ggml's plain dot-product loop (10 % of a pass here). 1496 frames are 29.92 s,
/// more than any window holds.
fn fitted_audio_ctx(samples: usize) -> i32 {
    const SAMPLES_PER_FRAME: usize = 320;
    const PADDING_FRAMES: usize = 64;
    const MAX_FRAMES: usize = 1496;
    let frames = samples.div_ceil(SAMPLES_PER_FRAME) + PADDING_FRAMES;
    frames.next_multiple_of(8).min(MAX_FRAMES) as i32
}

/// One `whisper_full` call, stopped after its first encoder pass. A fresh state per pass
/// makes each pass's result independent of what ran before (whisper.cpp's state carries
/// decoder caches from call to call; reusing one changed results here).
fn run_pass(
    context: &WhisperContext,
    settings: &WhisperSettings,
    language: Option<&str>,
    threads: usize,
    samples: &[f32],
    audio_ctx: Option<i32>,
    temperature: f32,
) -> Result<Pass, SttError> {
    let mut state = context
        .create_state()
        .map_err(|e| SttError::Retryable(format!("creating a whisper state: {e}")))?;
    let passes = AtomicU32::new(0);
    let mut params = full_params(settings, language, threads);
    if let Some(frames) = audio_ctx {
        params.set_audio_ctx(frames);
    }
    params.set_temperature(temperature);
    // SAFETY: the callback only touches `passes`, which outlives the `full` call below.
    unsafe {
        params.set_start_encoder_callback(Some(first_pass_only));
        params.set_start_encoder_callback_user_data(&passes as *const AtomicU32 as *mut c_void);
    }
    state
        .full(params, samples)
        .map_err(|e| SttError::Retryable(format!("whisper failed on a window: {e}")))?;
    Ok(Pass {
        state,
        wanted_more: passes.load(Ordering::Relaxed) > 1,
    })
}

/// whisper.cpp's encoder callback: allows the first encoder pass of a call, refuses (and so
/// ends the call after) any other, counting them.
unsafe extern "C" fn first_pass_only(
    _context: *mut WhisperSysContext,
    _state: *mut WhisperSysState,
    passes: *mut c_void,
) -> bool {
    // SAFETY: `one_pass` sets the user data to an `AtomicU32` that lives through the call.
    let passes = unsafe { &*(passes as *const AtomicU32) };
    passes.fetch_add(1, Ordering::Relaxed) == 0
}

fn full_params<'a>(
    settings: &WhisperSettings,
    language: Option<&'a str>,
    threads: usize,
) -> FullParams<'a, 'a> {
    let strategy = match settings.sampling {
        Sampling::Greedy => SamplingStrategy::Greedy { best_of: 1 },
        Sampling::Beam(width) => SamplingStrategy::BeamSearch {
            beam_size: width.max(1) as i32,
            patience: -1.0,
        },
    };
    let mut params = FullParams::new(strategy);
    params.set_n_threads(threads as i32);
    params.set_language(Some(language.unwrap_or("auto")));
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    // Timestamps stay on: without them whisper.cpp invents "[Music]" on telephone audio.
    params.set_no_timestamps(false);
    params.set_token_timestamps(true);
    params.set_suppress_blank(true);
    // Non-speech tokens ("[Music]", "(laughs)") are never what a QA reviewer wants to read.
    params.set_suppress_nst(true);
    params.set_no_speech_thold(settings.no_speech_threshold);
    params.set_logprob_thold(settings.logprob_threshold);
    params
}

/// The window's audio: its pieces with silence between them.
fn window_samples(audio: &PcmReader, window: &Window) -> Result<Vec<f32>, SttError> {
    let mut samples = vec![0.0f32; window.len as usize];
    for piece in &window.pieces {
        let part = audio
            .read(piece.source_start, piece.len as usize)
            .map_err(io_error)?;
        let at = piece.offset as usize;
        samples[at..at + part.len()].copy_from_slice(&part);
    }
    Ok(samples)
}

/// Adds the state's segments to `out` and returns where whisper's last segment ended, relative
/// to the pass's audio. `(offset, len)`: where the pass's audio starts in the window and how
/// long it is, seconds.
fn collect_segments(
    state: &WhisperState,
    context: &WhisperContext,
    window: &Window,
    (offset, len): (f64, f64),
    settings: &WhisperSettings,
    out: &mut Vec<Segment>,
) -> Option<f64> {
    let eot = context.token_eot();
    let mut last_end = None;
    for segment in state.as_iter() {
        last_end = Some(centis(segment.end_timestamp()));
        if centis(segment.start_timestamp()) >= len {
            // Timed after the audio ended (in the window's silent padding): invented.
            continue;
        }
        let Ok(text) = segment.to_str_lossy() else {
            continue;
        };
        let text = text.trim().to_string();
        if text.is_empty() || is_non_speech(&text) {
            continue;
        }
        let (words, mean_logprob) = words_of(&segment, eot);
        if segment.no_speech_probability() > settings.no_speech_threshold
            && mean_logprob < settings.logprob_threshold
        {
            continue;
        }
        let start = window.source_start_secs(offset + centis(segment.start_timestamp()));
        let end = window
            .source_end_secs(offset + centis(segment.end_timestamp()))
            .max(start);
        let words: Vec<Word> = words
            .into_iter()
            .map(|(word, t0, t1)| {
                let ws = window.source_start_secs(offset + t0).clamp(start, end);
                Word {
                    word,
                    start: ws,
                    end: window.source_end_secs(offset + t1).clamp(ws, end),
                }
            })
            .collect();
        out.push(Segment {
            start: round_ms(start),
            end: round_ms(end),
            text,
            channel: None,
            speaker: None,
            words: (!words.is_empty()).then(|| {
                words
                    .into_iter()
                    .map(|w| Word {
                        start: round_ms(w.start),
                        end: round_ms(w.end),
                        ..w
                    })
                    .collect()
            }),
        });
    }
    last_end
}

/// Words of a segment from its text tokens (a token starting with a space starts a word),
/// with window-relative times in seconds, and the tokens' mean log-probability.
fn words_of(segment: &WhisperSegment<'_>, eot: i32) -> (Vec<(String, f64, f64)>, f32) {
    let mut words: Vec<(String, f64, f64)> = Vec::new();
    let mut logprob_sum = 0.0f32;
    let mut counted = 0usize;
    for i in 0..segment.n_tokens() {
        let Some(token) = segment.get_token(i) else {
            continue;
        };
        let data = token.token_data();
        if data.id >= eot {
            continue; // timestamps and other special tokens
        }
        logprob_sum += data.plog;
        counted += 1;
        let Ok(piece) = token.to_str_lossy() else {
            continue;
        };
        let (t0, t1) = (centis(data.t0), centis(data.t1));
        match words.last_mut() {
            Some((word, _, end)) if !piece.starts_with(' ') && !word.is_empty() => {
                word.push_str(&piece);
                *end = t1;
            }
            _ => {
                let trimmed = piece.trim_start().to_string();
                if !trimmed.is_empty() {
                    words.push((trimmed, t0, t1));
                }
            }
        }
    }
    let mean = if counted == 0 {
        0.0
    } else {
        logprob_sum / counted as f32
    };
    (words, mean)
}

/// Whisper's non-speech annotations: `[Music]`, `(silence)`, `[BLANK_AUDIO]`, `*cough*`.
pub(crate) fn is_non_speech(text: &str) -> bool {
    let t = text.trim();
    let wrapped = |open: char, close: char| t.starts_with(open) && t.ends_with(close);
    t.is_empty() || wrapped('[', ']') || wrapped('(', ')') || wrapped('*', '*') || wrapped('♪', '♪')
}

fn centis(t: i64) -> f64 {
    t as f64 / 100.0
}

fn round_ms(secs: f64) -> f64 {
    (secs * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::{fitted_audio_ctx, is_non_speech, text_compression_ratio, MAX_COMPRESSION_RATIO};

    #[test]
    fn fitted_context_covers_the_audio_in_multiples_of_eight() {
        // (seconds of audio, frames): audio / 20 ms + 64 frames of padding, rounded up to 8,
        // never past 1496.
        for (secs, frames) in [
            (0.5, 96),
            (2.0, 168),
            (10.84, 608),
            (27.0, 1416),
            (29.06, 1496),
            (29.9, 1496),
            (40.0, 1496),
        ] {
            let samples = (secs * 16_000.0) as usize;
            assert_eq!(fitted_audio_ctx(samples), frames, "{secs} s");
        }
    }

    #[test]
    fn repeated_text_compresses_past_whispers_threshold() {
        let sentence =
            "If you want them, I would like to change the data of my life to leave them. ";
        let cases = [
            ("", false),
            ("Hello Emma, I would like to change the date of my flight to Lisbon.", false),
            ("Thank you for calling Brightline support, my name is Sarah. How can I help you today? Hi, I was charged twice for my internet bill this month, and I would like a refund please.", false),
            (&*sentence.repeat(5), true),
        ];
        for (text, repeats) in cases {
            let ratio = text_compression_ratio(text);
            assert_eq!(
                ratio > MAX_COMPRESSION_RATIO,
                repeats,
                "{ratio:.2}: {text:?}"
            );
        }
    }

    #[test]
    fn non_speech_annotations() {
        for (text, want) in [
            ("[Music]", true),
            ("[BLANK_AUDIO]", true),
            ("(silence)", true),
            ("*cough*", true),
            ("♪ la la ♪", true),
            ("Hello [inaudible] there", false),
            ("Thank you.", false),
            ("", true),
        ] {
            assert_eq!(is_non_speech(text), want, "{text:?}");
        }
    }
}
