//! Scoring: an evaluation's points, computed in code from the answers an engine (the AI, the
//! rules or a reviewer) gave. Engines only *answer*; nothing here knows where an answer came from.
//!
//! The arithmetic (`docs/scorecards.md` says the same for users):
//! - SINGLE: one answer; earned = its points, possible = the highest points of any answer.
//! - MULTIPLE: any subset (none is allowed); earned = the sum of the chosen answers' points,
//!   possible = the sum of every answer's positive points.
//! - SLIDER: a value within `min..=max` on its `step` (counted from `min`); earned = the value,
//!   possible = `max`.
//! - A question's `weight` (default 1) multiplies both. An answer with `points: null` (for
//!   MULTIPLE: when every chosen answer has null points), or a question answered N/A, counts in
//!   neither earned nor possible.
//! - A chosen `autoFail` answer makes the percentage 0 and lists the question in `autoFailed`,
//!   whatever else was earned. `passed` = percentage ≥ `passingScore` and no auto-fail; `null`
//!   without a `passingScore`, or when nothing could be scored (every question N/A).
//! - Percentages are rounded to two decimals, points to four, and the pass threshold is
//!   compared with the rounded percentage (the figure people see decides).
//! - Sections only group: each gets its own subtotal, and no section weighs more than another.

pub(crate) mod card;
mod score;
#[cfg(test)]
mod tests;

pub use card::{AnswerSpec, QuestionKind, QuestionSpec, ScoringCard, SectionSpec};
pub use score::{score, snap_slider, QuestionScore, Response, ResponseError, Scored, SectionScore};
