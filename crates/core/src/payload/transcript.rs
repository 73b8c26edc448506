//! The `transcript` object of an upload, and the plain-text view derived from segments.
//!
//! Rules:
//! - `text`: optional string, kept as given when not blank.
//! - `language`: optional hint. A language tag whose primary subtag is 2–3 ASCII letters
//!   (`en`, `ES`, `en-US`, `pt_BR`) is stored as that primary subtag in lower case (`en`, `es`,
//!   `pt`); the Whisper names `english`/`spanish` map to `en`/`es`; anything else is a 400. A
//!   blank string counts as absent.
//! - `agentChannel`: non-negative integer; channel labelling uses 0 when it is absent.
//! - `segments`: Whisper `verbose_json` style. `start`/`end` are finite seconds with
//!   `0 <= start <= end`; `text` is required unless `words` is given; `channel` is a
//!   non-negative integer; `speaker` a string or an integer (stored as a string); `words` entries
//!   are `{word, start, end}` checked like segments. Words win over `text` (the reference:
//!   `text` is "used when `words` is absent"): when `words` hold a non-blank word, the segment
//!   text is the words (trimmed) joined by single spaces, whatever `text` says; `text` is used
//!   when `words` is absent, empty or all blank. Other segment keys (`id`, `seek`, `tokens`,
//!   ...) are ignored.
//! - A non-blank `text` or at least one segment makes the object a provided transcript
//!   ([`UploadTranscript::Provided`]). Without a `text`, the text is derived by [`derive_text`].
//! - Otherwise a `language` or an `agentChannel` makes it hints only
//!   ([`UploadTranscript::Hints`]): the upload's media is to be transcribed with them. Whether
//!   there is media is not known here; hints without media are refused by `inference` with
//!   the same error ([`missing_content`]). An object with neither is that error at once.

use serde_json::{Map, Value};

use super::fields::{
    as_array, as_finite_f64, as_non_negative_int, as_object, as_str, check_max_bytes,
    check_max_chars, check_max_items, index, is_blank, join, optional, optional_str, required,
    wrong,
};
use super::limits::{MAX_SEGMENTS, MAX_SPEAKER_CHARS, MAX_TRANSCRIPT_TEXT_BYTES, MAX_WORDS};
use crate::error::ApiError;
use crate::model::{Segment, TranscriptHints, TranscriptInput, UploadTranscript, Word};

/// The plain-text view of segments: one line per segment with non-blank text, in order.
/// A segment with a `channel` is labelled `Agent:` when the channel is the agent channel
/// (`agent_channel`, default 0) and `Customer:` otherwise; one with only a `speaker` is
/// labelled `Speaker <speaker>:` (`Agent:`/`Customer:` when the speaker is literally named so);
/// one with neither is the bare text. Line breaks inside a segment become spaces so every
/// segment stays one line.
pub fn derive_text(segments: &[Segment], agent_channel: Option<i64>) -> String {
    let agent = agent_channel.unwrap_or(0);
    let mut lines = Vec::with_capacity(segments.len());
    for segment in segments {
        let text = one_line(&segment.text);
        if text.is_empty() {
            continue;
        }
        let label = match (segment.channel, segment.speaker.as_deref()) {
            (Some(channel), _) if channel == agent => Some("Agent".to_string()),
            (Some(_), _) => Some("Customer".to_string()),
            (None, Some(speaker)) => Some(speaker_label(speaker)),
            (None, None) => None,
        };
        lines.push(match label {
            Some(label) => format!("{label}: {text}"),
            None => text,
        });
    }
    lines.join("\n")
}

fn speaker_label(speaker: &str) -> String {
    let speaker = speaker.trim();
    if speaker.eq_ignore_ascii_case("agent") {
        "Agent".to_string()
    } else if speaker.eq_ignore_ascii_case("customer") {
        "Customer".to_string()
    } else {
        format!("Speaker {speaker}")
    }
}

fn one_line(text: &str) -> String {
    let parts: Vec<&str> = text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    parts.join(" ")
}

/// Running totals that bound one transcript's size across all its segments.
#[derive(Default)]
struct Budget {
    text_bytes: usize,
    words: usize,
}

/// The answer to a transcript object without content (no non-blank `text`, no segments) where
/// hints alone cannot do: nothing is to be transcribed, or there are no hints either.
pub fn missing_content(path: &str) -> ApiError {
    ApiError::invalid(
        path,
        format!(
            "`{path}` must have a non-empty `text` or at least one segment; `language` and \
             `agentChannel` alone are hints for transcribing a media file or `downloadUrl`"
        ),
    )
}

/// Parses the `transcript` object at `path`.
pub(crate) fn parse_transcript(value: &Value, path: &str) -> Result<UploadTranscript, ApiError> {
    let obj = as_object(value, path)?;
    let text_path = join(path, "text");
    let given_text = optional_str(obj, "text", &text_path)?;
    if let Some(text) = given_text {
        check_max_bytes(text, MAX_TRANSCRIPT_TEXT_BYTES, &text_path)?;
    }
    let language = optional(obj, "language")
        .map(|v| parse_language(v, &join(path, "language")))
        .transpose()?
        .flatten();
    let agent_channel = optional(obj, "agentChannel")
        .map(|v| as_non_negative_int(v, &join(path, "agentChannel")))
        .transpose()?;
    let segments = match optional(obj, "segments") {
        Some(v) => parse_segments(v, &join(path, "segments"))?,
        None => Vec::new(),
    };

    let given_text = given_text.filter(|t| !is_blank(t));
    if given_text.is_none() && segments.is_empty() {
        if language.is_none() && agent_channel.is_none() {
            return Err(missing_content(path));
        }
        return Ok(UploadTranscript::Hints(TranscriptHints {
            language,
            agent_channel,
        }));
    }
    let text = match given_text {
        Some(text) => text.to_string(),
        None => derive_text(&segments, agent_channel),
    };
    check_max_bytes(&text, MAX_TRANSCRIPT_TEXT_BYTES, &text_path)?;
    Ok(UploadTranscript::Provided(TranscriptInput {
        text,
        language,
        agent_channel,
        segments,
    }))
}

/// The language hint as a lower-case primary subtag; `None` when blank.
fn parse_language(value: &Value, path: &str) -> Result<Option<String>, ApiError> {
    let raw = as_str(value, path)?;
    let lower = raw.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return Ok(None);
    }
    match lower.as_str() {
        "english" => return Ok(Some("en".into())),
        "spanish" => return Ok(Some("es".into())),
        _ => {}
    }
    let mut subtags = lower.split(['-', '_']);
    let primary = subtags.next().unwrap_or_default();
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    let rest_ok =
        subtags.all(|t| (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(Some(primary.to_string()))
    } else {
        Err(wrong(
            path,
            "a language code such as \"en\" or \"es\"",
            value,
        ))
    }
}

fn parse_segments(value: &Value, path: &str) -> Result<Vec<Segment>, ApiError> {
    let items = as_array(value, path)?;
    check_max_items(items, MAX_SEGMENTS, path)?;
    let mut budget = Budget::default();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_segment(item, &index(path, i), &mut budget))
        .collect()
}

fn parse_segment(value: &Value, path: &str, budget: &mut Budget) -> Result<Segment, ApiError> {
    let obj = as_object(value, path)?;
    let (start, end) = parse_span(obj, path)?;
    let channel = optional(obj, "channel")
        .map(|v| as_non_negative_int(v, &join(path, "channel")))
        .transpose()?;
    let speaker = optional(obj, "speaker")
        .map(|v| parse_speaker(v, &join(path, "speaker")))
        .transpose()?
        .flatten();
    let words = optional(obj, "words")
        .map(|v| parse_words(v, &join(path, "words"), budget))
        .transpose()?;

    let text_path = join(path, "text");
    let given = optional_str(obj, "text", &text_path)?;
    let text = match (words.as_deref().map(join_words), given) {
        (Some(from_words), Some(text)) if from_words.is_empty() && !is_blank(text) => {
            text.to_string()
        }
        (Some(from_words), _) => from_words,
        (None, Some(text)) => text.to_string(),
        (None, None) => return Err(ApiError::missing(text_path)),
    };
    budget.text_bytes = budget.text_bytes.saturating_add(text.len());
    if budget.text_bytes > MAX_TRANSCRIPT_TEXT_BYTES {
        return Err(ApiError::invalid(
            &text_path,
            format!("transcript segments hold more than {MAX_TRANSCRIPT_TEXT_BYTES} bytes of text"),
        ));
    }
    Ok(Segment {
        start,
        end,
        text,
        channel,
        speaker,
        words,
    })
}

/// `start` and `end` of a segment or word: finite, `0 <= start <= end`.
fn parse_span(obj: &Map<String, Value>, path: &str) -> Result<(f64, f64), ApiError> {
    let start_path = join(path, "start");
    let end_path = join(path, "end");
    let start = as_finite_f64(required(obj, "start", &start_path)?, &start_path)?;
    let end = as_finite_f64(required(obj, "end", &end_path)?, &end_path)?;
    if start < 0.0 {
        return Err(ApiError::invalid(
            &start_path,
            format!("`{start_path}` must not be negative, got {start}"),
        ));
    }
    if end < start {
        return Err(ApiError::invalid(
            &end_path,
            format!("`{end_path}` ({end}) must not be before `start` ({start})"),
        ));
    }
    Ok((start, end))
}

/// A speaker given as a string or an integer; blank strings count as absent.
fn parse_speaker(value: &Value, path: &str) -> Result<Option<String>, ApiError> {
    let speaker = match value {
        Value::String(s) if is_blank(s) => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        _ => return Err(wrong(path, "a string or an integer", value)),
    };
    check_max_chars(&speaker, MAX_SPEAKER_CHARS, path)?;
    Ok(Some(speaker))
}

fn parse_words(value: &Value, path: &str, budget: &mut Budget) -> Result<Vec<Word>, ApiError> {
    let items = as_array(value, path)?;
    budget.words = budget.words.saturating_add(items.len());
    if budget.words > MAX_WORDS {
        return Err(ApiError::invalid(
            path,
            format!("a transcript may hold at most {MAX_WORDS} words"),
        ));
    }
    let mut words = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let word_path = index(path, i);
        let obj = as_object(item, &word_path)?;
        let text_path = join(&word_path, "word");
        let word = as_str(required(obj, "word", &text_path)?, &text_path)?.to_string();
        let (start, end) = parse_span(obj, &word_path)?;
        budget.text_bytes = budget.text_bytes.saturating_add(word.len());
        words.push(Word { word, start, end });
    }
    Ok(words)
}

fn join_words(words: &[Word]) -> String {
    let parts: Vec<&str> = words
        .iter()
        .map(|w| w.word.trim())
        .filter(|w| !w.is_empty())
        .collect();
    parts.join(" ")
}

#[cfg(test)]
#[path = "transcript_tests.rs"]
mod tests;
