//! The quote guard: an AI's evidence counts only when its quote is found in the line it
//! names — exactly, then normalised for case, punctuation and spacing, then fuzzily (a window
//! of the line's words at least [`FUZZY_THRESHOLD`] similar, for small slips of the model).
//! Found quotes take that line's times and speaker; the rest are returned as unfound, so the
//! engine can ask again, and in the end drop them and flag the answer for review.

use super::reply::Quote;
use crate::evaluation::lines::Line;
use crate::evaluation::result::Evidence;
use crate::evaluation::rules::matching::{holds_phrase, normalise};

/// Normalised Levenshtein similarity a quote needs with some window of its line.
pub const FUZZY_THRESHOLD: f64 = 0.85;

/// How a quote was found in its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Exact,
    Normalised,
    Fuzzy,
}

/// Whether `quote` is in `line`, and how.
pub fn find_quote(quote: &str, line: &str) -> Option<Found> {
    let quote = quote.trim();
    if quote.is_empty() {
        return None;
    }
    if line.contains(quote) {
        return Some(Found::Exact);
    }
    let (line, quote) = (normalise(line), normalise(quote));
    if quote.is_empty() {
        return None;
    }
    if holds_phrase(&line, &quote, None) {
        return Some(Found::Normalised);
    }
    holds_phrase(&line, &quote, Some(FUZZY_THRESHOLD)).then_some(Found::Fuzzy)
}

/// The quotes found in the lines they name, as evidence, and those that were not.
pub fn verify(quotes: &[Quote], lines: &[Line]) -> (Vec<Evidence>, Vec<Quote>) {
    let mut found = Vec::new();
    let mut unfound = Vec::new();
    for q in quotes {
        let line = lines.iter().find(|l| l.number == q.line);
        match line.filter(|l| find_quote(&q.quote, &l.text).is_some()) {
            Some(line) => found.push(Evidence::quote(line, q.quote.trim().to_owned())),
            None => unfound.push(q.clone()),
        }
    }
    (found, unfound)
}
