//! Which evaluation results fire an action. Matching reads only the stored result, so the
//! same result always fires the same actions.

use serde::{Deserialize, Serialize};

use crate::evaluation::result::EvaluationResult;

/// A comparison of a score with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
}

impl Op {
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Ge => left >= right,
            Op::Gt => left > right,
            Op::Le => left <= right,
            Op::Lt => left < right,
        }
    }
}

/// When an action runs. JSON: `{"type": "EVALUATION_COMPLETED"}`, `{"type": "ANSWER",
/// "questionId", "answer"}`, `{"type": "SCORE", "op", "percentage" | "points"}`,
/// `{"type": "PASS_FAIL", "passed"}`, `{"type": "NEEDS_REVIEW"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum Trigger {
    /// Every completed evaluation.
    EvaluationCompleted {},
    /// The question's answer includes this label (case and surrounding spaces aside).
    #[serde(rename_all = "camelCase")]
    Answer { question_id: String, answer: String },
    /// The score compared with a threshold: a percentage (0–100) or points earned.
    Score {
        op: Op,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percentage: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<f64>,
    },
    /// The evaluation passed (or failed) the scorecard's passing score.
    PassFail { passed: bool },
    /// Some answer was flagged for a person's look (unverified evidence, low confidence).
    NeedsReview {},
}

impl Trigger {
    /// Checks what serde cannot: a SCORE has exactly one threshold, a percentage within
    /// 0–100; an ANSWER names a question and a label. `Err((field, reason))`, the field
    /// relative to the trigger.
    pub fn check(&self) -> Result<(), (String, String)> {
        match self {
            Trigger::Score {
                percentage, points, ..
            } => match (percentage, points) {
                (Some(p), None) if !(0.0..=100.0).contains(p) => Err((
                    "percentage".into(),
                    "`percentage` must be between 0 and 100".into(),
                )),
                (None, Some(p)) if !p.is_finite() => {
                    Err(("points".into(), "`points` must be a number".into()))
                }
                (Some(_), None) | (None, Some(_)) => Ok(()),
                _ => Err((
                    "percentage".into(),
                    "a SCORE trigger needs exactly one of `percentage` and `points`".into(),
                )),
            },
            Trigger::Answer {
                question_id,
                answer,
            } => {
                if question_id.trim().is_empty() {
                    Err(("questionId".into(), "`questionId` must not be empty".into()))
                } else if answer.trim().is_empty() {
                    Err(("answer".into(), "`answer` must not be empty".into()))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// The question an ANSWER trigger reads, to check it exists on the scorecard.
    pub fn question_id(&self) -> Option<&str> {
        match self {
            Trigger::Answer { question_id, .. } => Some(question_id),
            _ => None,
        }
    }

    /// Whether this result fires the trigger.
    pub fn fires(&self, result: &EvaluationResult) -> bool {
        match self {
            Trigger::EvaluationCompleted {} => true,
            Trigger::Answer {
                question_id,
                answer,
            } => {
                let wanted = answer.trim().to_lowercase();
                result
                    .answers
                    .iter()
                    .filter(|a| &a.question_id == question_id && !a.na)
                    .flat_map(|a| a.answers.iter())
                    .any(|label| label.trim().to_lowercase() == wanted)
            }
            Trigger::Score {
                op,
                percentage,
                points,
            } => match (percentage, points) {
                (Some(threshold), _) => result
                    .score
                    .percentage
                    .is_some_and(|p| op.holds(p, *threshold)),
                (None, Some(threshold)) => op.holds(result.score.earned, *threshold),
                (None, None) => false,
            },
            Trigger::PassFail { passed } => result.passed == Some(*passed),
            Trigger::NeedsReview {} => result.needs_review,
        }
    }
}
