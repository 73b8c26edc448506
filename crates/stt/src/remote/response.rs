//! Reading a `verbose_json` answer into scorejar segments.
//!
//! OpenAI answers `{text, language, duration, segments: [{start, end, text, …}], words:
//! [{word, start, end}]}`, with the words at the top level; other servers put words inside
//! segments, or leave out words or segments. Whatever comes, words are attached to the segment
//! they fall in by time, text is trimmed, and empty segments are dropped. A `text`-only answer
//! becomes one segment over the piece.

use super::language::normalise_language;
use scorejar_core::model::{Segment, Word};
use serde::Deserialize;

/// Whisper's own rule for a segment it heard nothing in: likely silence *and* a low-confidence
/// decode. Servers running Whisper apply it already; applying it again changes nothing there
/// and drops invented text ("Thank you.") from servers that do not.
const NO_SPEECH_PROB: f64 = 0.6;
const LOW_AVG_LOGPROB: f64 = -1.0;

#[derive(Debug, Deserialize)]
struct VerboseJson {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    segments: Option<Vec<RawSegment>>,
    #[serde(default)]
    words: Option<Vec<RawWord>>,
}

#[derive(Debug, Deserialize)]
struct RawSegment {
    start: f64,
    end: f64,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    words: Option<Vec<RawWord>>,
    #[serde(default)]
    no_speech_prob: Option<f64>,
    #[serde(default)]
    avg_logprob: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct RawWord {
    word: String,
    start: f64,
    end: f64,
}

/// What one uploaded piece was heard to say; times are seconds from the piece's start.
#[derive(Debug, Clone, PartialEq)]
pub struct PieceTranscript {
    pub segments: Vec<Segment>,
    pub language: Option<String>,
}

/// Parses a successful answer for a piece lasting `piece_secs`.
pub fn parse_verbose_json(body: &[u8], piece_secs: f64) -> Result<PieceTranscript, String> {
    let answer: VerboseJson = serde_json::from_slice(body)
        .map_err(|e| format!("the transcription server's answer is not verbose_json: {e}"))?;
    let language = answer.language.as_deref().and_then(normalise_language);
    let raw_segments = answer.segments.unwrap_or_default();
    let top_words = answer.words.unwrap_or_default();
    let words = if top_words.is_empty() {
        // Servers that nest words in segments; attached again by time below like top-level ones.
        let nested = raw_segments.iter().flat_map(|s| s.words.iter().flatten());
        clean_words(nested)
    } else {
        clean_words(top_words.iter())
    };

    let segments = if raw_segments.is_empty() {
        text_only_segment(answer.text.as_deref().unwrap_or(""), words, piece_secs)
    } else {
        segments_with_words(raw_segments, words)
    };
    Ok(PieceTranscript { segments, language })
}

/// Moves every time in `segments` later by `secs` (a piece's start in the channel).
pub fn shift(segments: &mut [Segment], secs: f64) {
    for segment in segments {
        segment.start += secs;
        segment.end += secs;
        for word in segment.words.iter_mut().flatten() {
            word.start += secs;
            word.end += secs;
        }
    }
}

fn clean_words<'a>(raw: impl Iterator<Item = &'a RawWord>) -> Vec<Word> {
    let mut words: Vec<Word> = raw
        .filter_map(|w| {
            let text = w.word.trim();
            (!text.is_empty()).then(|| Word {
                word: text.to_string(),
                start: w.start,
                end: w.end.max(w.start),
            })
        })
        .collect();
    words.sort_by(|a, b| a.start.total_cmp(&b.start));
    words
}

fn text_only_segment(text: &str, words: Vec<Word>, piece_secs: f64) -> Vec<Segment> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let (start, end) = match (words.first(), words.iter().map(|w| w.end).reduce(f64::max)) {
        (Some(first), Some(last_end)) => (first.start, last_end),
        _ => (0.0, piece_secs),
    };
    vec![Segment {
        start,
        end,
        text: text.to_string(),
        channel: None,
        speaker: None,
        words: (!words.is_empty()).then_some(words),
    }]
}

/// Attaches each word to the segment holding its midpoint (else the nearest one), then drops
/// segments with no text or no speech — with their words, which belong to nothing kept.
fn segments_with_words(mut raw: Vec<RawSegment>, words: Vec<Word>) -> Vec<Segment> {
    raw.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut attached: Vec<Vec<Word>> = raw.iter().map(|_| Vec::new()).collect();
    for word in words {
        let index = nearest_segment(&raw, (word.start + word.end) / 2.0);
        attached[index].push(word);
    }
    raw.into_iter()
        .zip(attached)
        .filter(|(segment, _)| !is_no_speech(segment))
        .filter_map(|(segment, words)| {
            let text = segment.text.as_deref().unwrap_or("").trim();
            (!text.is_empty()).then(|| Segment {
                start: segment.start,
                end: segment.end.max(segment.start),
                text: text.to_string(),
                channel: None,
                speaker: None,
                words: (!words.is_empty()).then_some(words),
            })
        })
        .collect()
}

/// Index of the segment (sorted by start, not empty) a time belongs to.
fn nearest_segment(segments: &[RawSegment], at: f64) -> usize {
    let after = segments.partition_point(|s| s.start <= at);
    match (after.checked_sub(1), segments.get(after)) {
        (None, _) => 0,
        (Some(before), None) => before,
        (Some(before), Some(next)) => {
            let past_end = at - segments[before].end;
            if past_end <= 0.0 || past_end <= next.start - at {
                before
            } else {
                after
            }
        }
    }
}

fn is_no_speech(segment: &RawSegment) -> bool {
    matches!(
        (segment.no_speech_prob, segment.avg_logprob),
        (Some(p), Some(lp)) if p > NO_SPEECH_PROB && lp < LOW_AVG_LOGPROB
    )
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
