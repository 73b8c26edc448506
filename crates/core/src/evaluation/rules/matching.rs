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

/// Whether the normalised `phrase` is in the normalised `line`.
pub(crate) fn holds_phrase(line: &str, phrase: &str, fuzzy: Option<f64>) -> bool {
    if format!(" {line} ").contains(&format!(" {phrase} ")) {
        return true;
    }
    let Some(threshold) = fuzzy else { return false };
    let words: Vec<&str> = line.split(' ').collect();
    let n = phrase.split(' ').count();
    if words.len() < n {
        return false;
    }
    words
        .windows(n)
        .any(|w| strsim::normalized_levenshtein(&w.join(" "), phrase) >= threshold)
}

pub(super) fn said_by(line: &Line, side: Side) -> bool {
    match side {
        Side::Any => true,
        Side::Agent => line.speaker == Speaker::Agent,
        Side::Customer => line.speaker == Speaker::Customer,
    }
}

/// Whether line `index` of `lines` starts inside `window`: by its start time when the lines
/// are timed, else by its position.
pub(super) fn in_window(lines: &[Line], index: usize, window: Window) -> bool {
    if window == Window::default() {
        return true;
    }
    let (at, end) = match lines[index].start {
        Some(start) => {
            let end = lines.iter().filter_map(|l| l.end).fold(0.0, f64::max);
            (start, end)
        }
        // Positions: the last message is -1 from the end, so the end is the count.
        None => (index as f64, lines.len() as f64),
    };
    let resolve = |bound: f64| if bound < 0.0 { end + bound } else { bound };
    window.from.is_none_or(|f| at >= resolve(f)) && window.to.is_none_or(|t| at <= resolve(t))
}
