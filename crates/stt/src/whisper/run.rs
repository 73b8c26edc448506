//! One channel through whisper.cpp: window by window, times mapped back to the recording.

use super::{io_error, speech_windows, Sampling, WhisperSettings};
use crate::chunks::Window;
use crate::engine::{ChannelTranscript, SttError};
use scorejar_core::model::{Segment, Word};
use scorejar_media::PcmReader;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperSegment, WhisperState};

/// Transcribes `audio` (blocking).
pub(super) fn transcribe(
    context: &WhisperContext,
    settings: &WhisperSettings,
    audio: &PcmReader,
    language: Option<&str>,
    threads: usize,
) -> Result<ChannelTranscript, SttError> {
    let windows = speech_windows(audio, settings)?;
    let mut state = context
        .create_state()
        .map_err(|e| SttError::Retryable(format!("creating a whisper state: {e}")))?;
    let mut out = ChannelTranscript {
        segments: Vec::new(),
        language: language.map(str::to_string),
    };
    for window in &windows {
        let samples = window_samples(audio, window)?;
        let params = full_params(settings, language, threads);
        state
            .full(params, &samples)
            .map_err(|e| SttError::Retryable(format!("whisper failed on a window: {e}")))?;
        if out.language.is_none() {
            out.language =
                whisper_rs::get_lang_str(state.full_lang_id_from_state()).map(str::to_string);
        }
        collect_segments(&state, context, window, settings, &mut out.segments);
    }
    Ok(out)
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

fn collect_segments(
    state: &WhisperState,
    context: &WhisperContext,
    window: &Window,
    settings: &WhisperSettings,
    out: &mut Vec<Segment>,
) {
    let eot = context.token_eot();
    for segment in state.as_iter() {
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
        let start = window.source_start_secs(centis(segment.start_timestamp()));
        let end = window
            .source_end_secs(centis(segment.end_timestamp()))
            .max(start);
        let words: Vec<Word> = words
            .into_iter()
            .map(|(word, t0, t1)| {
                let ws = window.source_start_secs(t0).clamp(start, end);
                Word {
                    word,
                    start: ws,
                    end: window.source_end_secs(t1).clamp(ws, end),
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
    use super::is_non_speech;

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
