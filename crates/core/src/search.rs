//! Full-text search of what was said and written (`GET /api/v1/interactions?q=`): the query's
//! rules, and the matched passage's highlights. Pure; the store turns the terms into each
//! database's own full-text query (SQLite FTS5, PostgreSQL `tsvector`).
//!
//! A query is words and "quoted phrases"; an interaction matches when its transcript or e-mail
//! holds every one of them (case-insensitive, whole words, no stemming — the same on both
//! backends and in any language). A phrase matches its words in order, side by side.

use crate::ApiError;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words and phrases in one query.
pub const MAX_TERMS: usize = 8;

/// The start and end markers the databases put around matched words in a snippet: private-use
/// characters, which no transcript carries, so they cannot be forged by the text itself.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// One thing the text must contain: a single word, or several words in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub words: Vec<String>,
}

impl Term {
    /// The term as PostgreSQL's `phraseto_tsquery` and FTS5's phrase syntax read it: its words
    /// separated by single spaces.
    pub fn text(&self) -> String {
        self.words.join(" ")
    }

    /// The term as an FTS5 string: double-quoted (a phrase), inner quotes doubled, so nothing
    /// in the user's text is read as FTS5 syntax.
    pub fn fts5(&self) -> String {
        format!("\"{}\"", self.text().replace('"', "\"\""))
    }
}

/// Splits `q` into the words of a term: letters and digits, everything else a separator (as
/// both databases' tokenizers see it).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The terms of a search query, or a 400 naming `q`.
pub fn parse_query(q: &str) -> Result<Vec<Term>, ApiError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid(
            "q",
            format!("`q` is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let mut terms = Vec::new();
    // Odd-numbered pieces between quotes are phrases; an unclosed quote runs to the end.
    for (i, piece) in q.split('"').enumerate() {
        if i % 2 == 1 {
            let phrase = words(piece);
            if !phrase.is_empty() {
                terms.push(Term { words: phrase });
            }
        } else {
            terms.extend(words(piece).into_iter().map(|w| Term { words: vec![w] }));
        }
    }
    if terms.is_empty() {
        return Err(ApiError::invalid(
            "q",
            "`q` must contain a word to search for (letters or digits)",
        ));
    }
    if terms.len() > MAX_TERMS {
        return Err(ApiError::invalid(
            "q",
            format!("`q` has more than {MAX_TERMS} words and phrases"),
        ));
    }
    Ok(terms)
}

/// A snippet as the database marked it, split into its plain text and the character ranges
/// of the matched words (`[start, end)` in characters), for the API and the page to show.
pub fn highlights(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut count = 0;
    let mut open: Option<usize> = None;
    for c in marked.chars() {
        match c {
            MARK_START => open = Some(count),
            MARK_END => {
                if let Some(start) = open.take() {
                    if start < count {
                        ranges.push((start, count));
                    }
                }
            }
            c => {
                text.push(c);
                count += 1;
            }
        }
    }
    (text, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(q: &str) -> Vec<String> {
        parse_query(q).unwrap().iter().map(Term::text).collect()
    }

    #[test]
    fn queries_are_words_and_phrases() {
        let cases: &[(&str, &[&str])] = &[
            ("refund", &["refund"]),
            ("Refund  please", &["refund", "please"]),
            (
                "\"duplicate payment\" refund",
                &["duplicate payment", "refund"],
            ),
            ("\"unclosed phrase", &["unclosed phrase"]),
            ("it's-fine!", &["it", "s", "fine"]),
            ("café Ünïcode", &["café", "ünïcode"]),
            ("\"\" x", &["x"]),
        ];
        for (q, expected) in cases {
            assert_eq!(texts(q), *expected, "{q:?}");
        }
    }

    #[test]
    fn empty_long_or_crowded_queries_are_refused_naming_q() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        let crowded = "a b c d e f g h i";
        for q in ["", "  ", "!?*", "\"\"", long.as_str(), crowded] {
            let error = parse_query(q).unwrap_err();
            assert_eq!(
                (error.status, error.field.as_deref()),
                (400, Some("q")),
                "{q:?}"
            );
        }
    }

    #[test]
    fn fts5_terms_cannot_escape_their_quotes() {
        let term = Term {
            words: vec!["a\"b".into(), "OR".into()],
        };
        assert_eq!(term.fts5(), "\"a\"\"b OR\"");
    }

    #[test]
    fn marked_snippets_become_text_and_ranges() {
        let marked = format!("…I {MARK_START}am{MARK_END} {MARK_START}sorry{MARK_END} about");
        let (text, ranges) = highlights(&marked);
        assert_eq!(text, "…I am sorry about");
        assert_eq!(ranges, vec![(3, 5), (6, 11)]);
        let (text, ranges) =
            highlights(&format!("é{MARK_START}ü{MARK_END}{MARK_END}x{MARK_START}"));
        assert_eq!((text.as_str(), ranges), ("éüx", vec![(1, 2)]));
    }
}
