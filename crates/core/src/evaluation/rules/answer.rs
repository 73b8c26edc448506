//! Applying parsed rules to a transcript's lines: the answer, and the lines it rests on.
//!
//! A condition is true, false, or unknown (a metric the lines cannot tell). `all` is false as
//! soon as one part is false, unknown if one is unknown, else true; `any` is true as soon as one
//! part is true; `not` swaps true and false. An if-then rule answers `then` when its condition
//! is true, `else` (or N/A without one) when false, and N/A when unknown. With several if-then
//! rules, a SINGLE question takes the first rule's answer that is not N/A; a MULTIPLE question
//! every label the rules answer. A SLIDER takes its metric, clamped to the slider and snapped
//! to its step; N/A when the metric cannot be told.

use super::matching::{holds_phrase, in_window, lines_end, normalise, said_by};
use super::parse::{Condition, Op, Rules};
use crate::evaluation::lines::Line;
use crate::evaluation::metrics::measure;
use crate::scoring::{snap_slider, QuestionKind, Response};

/// The rules' answer to a question, with the numbers of the lines that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleAnswer {
    pub response: Response,
    /// Lines that matched a phrase or pattern leading to the answer, in order, each once.
    pub evidence: Vec<usize>,
}

enum Truth {
    True(Vec<usize>),
    False,
    Unknown,
}

/// Answers a question of `kind` by its `rules` over `lines`.
pub fn answer(rules: &Rules, kind: &QuestionKind, lines: &[Line]) -> RuleAnswer {
    answer_normalised(rules, kind, lines, &normalise_lines(lines))
}

/// Every line's text normalised (case, punctuation, spacing), for [`answer_normalised`].
pub fn normalise_lines(lines: &[Line]) -> Vec<String> {
    lines.iter().map(|l| normalise(&l.text)).collect()
}

/// [`answer`] with the lines already normalised ([`normalise_lines`]), so a scorecard's
/// questions share the work.
pub fn answer_normalised(
    rules: &Rules,
    kind: &QuestionKind,
    lines: &[Line],
    normalised: &[String],
) -> RuleAnswer {
    let na = RuleAnswer {
        response: Response::NotApplicable,
        evidence: Vec::new(),
    };
    match (rules, kind) {
        (Rules::Metric(name), QuestionKind::Slider { min, max, step }) => {
            match measure(name, lines) {
                Some(v) => RuleAnswer {
                    response: Response::Value(snap_slider(v, *min, *max, *step)),
                    evidence: Vec::new(),
                },
                None => na,
            }
        }
        (Rules::Choose(rules), _) => {
            let multiple = matches!(kind, QuestionKind::Multiple(_));
            let mut labels: Vec<String> = Vec::new();
            let mut evidence = Vec::new();
            for rule in rules {
                let label = match truth(&rule.condition, lines, normalised) {
                    Truth::True(lines) => {
                        evidence.extend(lines);
                        Some(&rule.then)
                    }
                    Truth::False => rule.otherwise.as_ref(),
                    Truth::Unknown => None,
                };
                if let Some(label) = label {
                    if !labels.contains(label) {
                        labels.push(label.clone());
                    }
                    if !multiple {
                        break;
                    }
                }
            }
            if labels.is_empty() {
                return na;
            }
            evidence.sort_unstable();
            evidence.dedup();
            RuleAnswer {
                response: Response::Chosen(labels),
                evidence,
            }
        }
        // `parse` pairs metric rules with sliders only.
        _ => na,
    }
}

fn truth(condition: &Condition, lines: &[Line], normalised: &[String]) -> Truth {
    match condition {
        Condition::Phrase {
            phrases,
            by,
            within,
            fuzzy,
        } => {
            let phrases: Vec<String> = phrases.iter().map(|p| normalise(p)).collect();
            matching_lines(lines, *by, *within, |i| {
                phrases
                    .iter()
                    .any(|p| holds_phrase(&normalised[i], p, *fuzzy))
            })
        }
        Condition::Regex { regex, by, within } => {
            matching_lines(lines, *by, *within, |i| regex.is_match(&lines[i].text))
        }
        Condition::All(parts) => {
            let mut evidence = Vec::new();
            let mut unknown = false;
            for part in parts {
                match truth(part, lines, normalised) {
                    Truth::False => return Truth::False,
                    Truth::Unknown => unknown = true,
                    Truth::True(e) => evidence.extend(e),
                }
            }
            if unknown {
                Truth::Unknown
            } else {
                Truth::True(evidence)
            }
        }
        Condition::Any(parts) => {
            let mut unknown = false;
            for part in parts {
                match truth(part, lines, normalised) {
                    Truth::True(e) => return Truth::True(e),
                    Truth::Unknown => unknown = true,
                    Truth::False => {}
                }
            }
            if unknown {
                Truth::Unknown
            } else {
                Truth::False
            }
        }
        Condition::Not(inner) => match truth(inner, lines, normalised) {
            Truth::True(_) => Truth::False,
            Truth::False => Truth::True(Vec::new()),
            Truth::Unknown => Truth::Unknown,
        },
        Condition::Metric { name, op, value } => match measure(name, lines) {
            None => Truth::Unknown,
            Some(m) => {
                let holds = match op {
                    Op::Lt => m < *value,
                    Op::Le => m <= *value,
                    Op::Gt => m > *value,
                    Op::Ge => m >= *value,
                    Op::Eq => (m - value).abs() < 1e-9,
                };
                if holds {
                    Truth::True(Vec::new())
                } else {
                    Truth::False
                }
            }
        },
    }
}

fn matching_lines(
    lines: &[Line],
    by: super::parse::Side,
    within: super::parse::Window,
    matches: impl Fn(usize) -> bool,
) -> Truth {
    let end = lines_end(lines);
    let found: Vec<usize> = (0..lines.len())
        .filter(|&i| said_by(&lines[i], by) && in_window(lines, i, within, end) && matches(i))
        .map(|i| lines[i].number)
        .collect();
    if found.is_empty() {
        Truth::False
    } else {
        Truth::True(found)
    }
}
