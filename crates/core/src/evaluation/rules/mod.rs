//! The rules engine: a question's `rules` decide its answer from the transcript's lines and the
//! figures measured on them — deterministic, and needing nothing outside. `parse` checks a
//! question's rules when the scorecard is saved (errors name the JSON path); `answer` applies
//! them. The language is documented in `docs/scorecards.md`.

mod answer;
pub(crate) mod matching;
mod parse;
#[cfg(test)]
mod tests;

pub use answer::{answer, answer_normalised, normalise_lines, RuleAnswer};
pub use parse::{parse, Condition, Op, RuleError, Rules, Side, Window};
