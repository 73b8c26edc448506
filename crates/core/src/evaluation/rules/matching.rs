//! Which lines a phrase or pattern condition looks at, and whether a phrase is in a line.
//!
//! Phrases are compared normalised: lower case, every run of characters that are not letters
//! or digits made one space, so "Thank you, for calling!" holds "thank you for calling" — and
//! only whole words match ("hell" is not in "hello"). With `fuzzy: f`, a phrase of n words also
//! matches any n consecutive words of the line whose normalised Levenshtein similarity is at
//! least f (speech recognition mishears: "thank you for colling").

use super::parse::{Side, Window};
use crate::evaluation::lines::{Line, Speaker};

pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Whether the normalised `phrase` is in the normalised `line` as whole words; with `fuzzy`,
/// also whether some run of as many words of the line is at least that similar to it.
/// Allocation-free: normalised text has single spaces, so a run of words is a slice of it.
pub(crate) fn holds_phrase(line: &str, phrase: &str, fuzzy: Option<f64>) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let bytes = line.as_bytes();
    let whole_words = |i: usize| {
        let end = i + phrase.len();
        (i == 0 || bytes[i - 1] == b' ') && (end == line.len() || bytes[end] == b' ')
    };
    if line.match_indices(phrase).any(|(i, _)| whole_words(i)) {
        return true;
    }
    let Some(threshold) = fuzzy else { return false };
    let n = phrase.split(' ').count();
    // Word starts, and the end of the line, as byte offsets.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(line.match_indices(' ').map(|(i, _)| i + 1))
        .collect();
    if starts.len() < n {
        return false;
    }
    let phrase_chars = phrase.chars().count();
    (0..=starts.len() - n).any(|first| {
        let end = starts.get(first + n).map_or(line.len(), |next| next - 1);
        let window = &line[starts[first]..end];
        // Similarity 1 - distance / longest cannot reach the threshold when the lengths alone
        // differ by more than that: skip the distance computation.
        let window_chars = window.chars().count();
        let longest = window_chars.max(phrase_chars) as f64;
        let gap = window_chars.abs_diff(phrase_chars) as f64;
        1.0 - gap / longest >= threshold
            && strsim::normalized_levenshtein(window, phrase) >= threshold
    })
}

pub(super) fn said_by(line: &Line, side: Side) -> bool {
    match side {
        Side::Any => true,
        Side::Agent => line.speaker == Speaker::Agent,
        Side::Customer => line.speaker == Speaker::Customer,
    }
}

/// The end of the lines for windows counted from the end: the latest `end` of timed lines.
pub(super) fn lines_end(lines: &[Line]) -> f64 {
    lines.iter().filter_map(|l| l.end).fold(0.0, f64::max)
}

/// Whether line `index` of `lines` starts inside `window`: by its start time when the lines
/// are timed (`timed_end` = [`lines_end`], computed once by the caller), else by its position.
pub(super) fn in_window(lines: &[Line], index: usize, window: Window, timed_end: f64) -> bool {
    if window == Window::default() {
        return true;
    }
    let (at, end) = match lines[index].start {
        Some(start) => (start, timed_end),
        // Positions: the last message is -1 from the end, so the end is the count.
        None => (index as f64, lines.len() as f64),
    };
    let resolve = |bound: f64| if bound < 0.0 { end + bound } else { bound };
    window.from.is_none_or(|f| at >= resolve(f)) && window.to.is_none_or(|t| at <= resolve(t))
}
