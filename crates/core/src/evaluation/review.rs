//! A reviewer's corrections of an evaluation (`PATCH /api/v1/score-submissions/{id}`) and the
//! agreement between engines and reviewers (`GET /api/v1/scorecards/{id}/agreement`).
//!
//! An override replaces the answers it names with the reviewer's (`source: REVIEWER`), keeps
//! the engine's first answer beside it (`engineAnswer`, never overwritten by later overrides),
//! recomputes the score in code, and appends an entry to `reviews` (who, when, why, what
//! changed). A question whose reviewer answer equals the engine's still counts as reviewed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::card::EvalCard;
use super::result::{AnswerSource, AnswerView, EvaluationResult, ScoreView};
use crate::scoring::{score, Response, ResponseError};

/// One reviewer answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub question_id: String,
    pub response: Response,
}

/// An entry of an evaluation's review history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewEntry {
    /// The reviewer: a user id or token name.
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub reason: String,
    pub question_ids: Vec<String>,
    /// The percentage before and after.
    pub percentage_before: Option<f64>,
    pub percentage_after: Option<f64>,
}

/// Why an override cannot be applied (a 400 naming the answer).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("`answers[{index}]`: {error}")]
    Answer { index: usize, error: ResponseError },
    #[error("`reason` is required")]
    NoReason,
    #[error("`answers` must name at least one question")]
    Empty,
}

fn response_of(a: &AnswerView) -> Response {
    if a.na {
        Response::NotApplicable
    } else if let Some(v) = a.value {
        Response::Value(v)
    } else {
        Response::Chosen(a.answers.clone())
    }
}

/// `result` with `corrections` applied by `by` at `at` for `reason`.
pub fn apply_override(
    card: &EvalCard,
    result: &EvaluationResult,
    corrections: &[Correction],
    by: &str,
    at: &str,
    reason: &str,
) -> Result<EvaluationResult, OverrideError> {
    if reason.trim().is_empty() {
        return Err(OverrideError::NoReason);
    }
    if corrections.is_empty() {
        return Err(OverrideError::Empty);
    }
    let mut responses: Vec<(String, Response)> = result
        .answers
        .iter()
        .map(|a| (a.question_id.clone(), response_of(a)))
        .collect();
    for (index, c) in corrections.iter().enumerate() {
        let slot = responses
            .iter_mut()
            .find(|(id, _)| *id == c.question_id)
            .ok_or_else(|| OverrideError::Answer {
                index,
                error: ResponseError::UnknownQuestion(c.question_id.clone()),
            })?;
        slot.1 = c.response.clone();
    }
    // The error names a question; the reviewer is told which of their answers it was.
    let scored = score(&card.scoring, &responses).map_err(|error| {
        let index = corrections
            .iter()
            .position(|c| c.question_id == error.question())
            .unwrap_or(0);
        OverrideError::Answer { index, error }
    })?;
    let mut out = result.clone();
    for answer in &mut out.answers {
        let Some(c) = corrections
            .iter()
            .find(|c| c.question_id == answer.question_id)
        else {
            continue;
        };
        if answer.engine_answer.is_none() && answer.source != AnswerSource::Reviewer {
            answer.engine_answer = Some(Box::new(answer.clone()));
        }
        let (labels, value, na) = match &c.response {
            Response::Chosen(l) => (l.clone(), None, false),
            Response::Value(v) => (Vec::new(), Some(*v), false),
            Response::NotApplicable => (Vec::new(), None, true),
        };
        answer.answers = labels;
        answer.value = value;
        answer.na = na;
        answer.source = AnswerSource::Reviewer;
        answer.explanation = Some(reason.to_owned());
        answer.evidence = Vec::new();
        answer.needs_review = false;
        answer.confidence = None;
    }
    for (answer, q) in out.answers.iter_mut().zip(&scored.questions) {
        answer.points = q.points;
        answer.possible = q.possible;
        answer.auto_fail = q.auto_fail;
    }
    out.reviews.push(ReviewEntry {
        by: by.to_owned(),
        at: at.to_owned(),
        reason: reason.to_owned(),
        question_ids: corrections.iter().map(|c| c.question_id.clone()).collect(),
        percentage_before: result.score.percentage,
        percentage_after: scored.percentage,
    });
    out.score = ScoreView {
        earned: scored.earned,
        possible: scored.possible,
        percentage: scored.percentage,
    };
    out.passed = scored.passed;
    out.auto_failed = scored.auto_failed;
    out.sections = scored.sections;
    out.needs_review = out.answers.iter().any(|a| a.needs_review);
    Ok(out)
}

/// A question's agreement between the engine and the reviewers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    /// Reviewed evaluations that answered the question.
    pub count: usize,
    /// Share where the engine's answer stood (0..=1); `None` without any.
    pub agreed: Option<f64>,
    /// Cohen's κ between the engine's and the final answers; `None` when undefined (no
    /// evaluations, or every answer in one category on both sides).
    pub kappa: Option<f64>,
}

/// The category an answer falls in, for agreement: its labels, its value, or N/A.
pub fn category(a: &AnswerView) -> String {
    match response_of(a) {
        Response::NotApplicable => "N/A".to_owned(),
        Response::Value(v) => v.to_string(),
        Response::Chosen(mut labels) => {
            labels.sort();
            labels.join("|")
        }
    }
}

/// Agreement over (engine's, final) category pairs.
pub fn agreement(pairs: &[(String, String)]) -> Agreement {
    let n = pairs.len();
    if n == 0 {
        return Agreement {
            count: 0,
            agreed: None,
            kappa: None,
        };
    }
    let observed = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n as f64;
    let mut categories: Vec<&String> = pairs.iter().flat_map(|(a, b)| [a, b]).collect();
    categories.sort();
    categories.dedup();
    let expected: f64 = categories
        .iter()
        .map(|c| {
            let first = pairs.iter().filter(|(a, _)| a == *c).count() as f64 / n as f64;
            let second = pairs.iter().filter(|(_, b)| b == *c).count() as f64 / n as f64;
            first * second
        })
        .sum();
    let kappa = (expected < 1.0).then(|| round4((observed - expected) / (1.0 - expected)));
    Agreement {
        count: n,
        agreed: Some(round4(observed)),
        kappa,
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The (engine's, final) pair of every reviewed answer of `result`, by question id: an answer
/// a reviewer changed pairs its `engineAnswer` with it; in a reviewed evaluation, an answer
/// left alone pairs with itself (the engine's answer stood).
pub fn reviewed_pairs(result: &EvaluationResult) -> Vec<(String, String, String)> {
    if result.reviews.is_empty() {
        return Vec::new();
    }
    result
        .answers
        .iter()
        .map(|a| {
            let engine = a.engine_answer.as_deref().unwrap_or(a);
            (a.question_id.clone(), category(engine), category(a))
        })
        .collect()
}

/// Reads a stored result (an error is a damaged row).
pub fn read_result(value: &Value) -> Result<EvaluationResult, String> {
    serde_json::from_value(value.clone()).map_err(|e| format!("evaluation result: {e}"))
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
