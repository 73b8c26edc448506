//! The arithmetic of `super` (see its header): responses checked against the scorecard, then
//! summed per question, per section and overall.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::card::{AnswerSpec, QuestionKind, QuestionSpec, ScoringCard};

/// An engine's answer to one question.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// The chosen labels: exactly one for SINGLE, any number for MULTIPLE.
    Chosen(Vec<String>),
    /// A SLIDER's value.
    Value(f64),
    /// The question does not apply to this interaction.
    NotApplicable,
}

/// Why a set of responses cannot be scored. An AI engine retries on these; a reviewer gets a
/// 400 naming the question.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResponseError {
    #[error("no question {0} on this scorecard")]
    UnknownQuestion(String),
    #[error("question {0} was answered twice")]
    Duplicate(String),
    #[error("question {0} has no answer")]
    Missing(String),
    #[error("question {question}: {label:?} is not one of its answers")]
    UnknownLabel { question: String, label: String },
    #[error("question {question} takes exactly one answer, got {count}")]
    NotOne { question: String, count: usize },
    #[error("question {question}: {label:?} was chosen twice")]
    RepeatedLabel { question: String, label: String },
    #[error("question {question} is a slider: it takes a value, not labels")]
    ValueExpected { question: String },
    #[error("question {question} takes labels, not a value")]
    LabelsExpected { question: String },
    #[error("question {question}: {value} is not within {min}..={max} on a step of {step}")]
    OffScale {
        question: String,
        value: f64,
        min: f64,
        max: f64,
        step: f64,
    },
}

impl ResponseError {
    /// The question the error is about.
    pub fn question(&self) -> &str {
        match self {
            ResponseError::UnknownQuestion(q)
            | ResponseError::Duplicate(q)
            | ResponseError::Missing(q) => q,
            ResponseError::UnknownLabel { question, .. }
            | ResponseError::NotOne { question, .. }
            | ResponseError::RepeatedLabel { question, .. }
            | ResponseError::ValueExpected { question }
            | ResponseError::LabelsExpected { question }
            | ResponseError::OffScale { question, .. } => question,
        }
    }
}

/// One question's share of the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionScore {
    pub question_id: String,
    /// Weighted points earned; `None` when the question is N/A.
    pub points: Option<f64>,
    /// Weighted points possible; `None` when the question is N/A.
    pub possible: Option<f64>,
    pub na: bool,
    /// A chosen answer is an auto-fail.
    pub auto_fail: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionScore {
    pub id: String,
    pub name: String,
    pub earned: f64,
    pub possible: f64,
    /// `None` when nothing in the section could be scored.
    pub percentage: Option<f64>,
}

/// An evaluation's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub earned: f64,
    pub possible: f64,
    /// 0 after an auto-fail; `None` when nothing could be scored.
    pub percentage: Option<f64>,
    pub passed: Option<bool>,
    /// Ids of the questions whose chosen answer is an auto-fail, in scorecard order.
    pub auto_failed: Vec<String>,
    pub sections: Vec<SectionScore>,
    /// Every question, in scorecard order.
    pub questions: Vec<QuestionScore>,
}

/// Values this close to a step (relative to the step) count as on it: decimal steps such as
/// 0.1 are not exact in binary.
const STEP_TOLERANCE: f64 = 1e-9;

/// Scores `responses` (one per question of `card`, by question id).
pub fn score(
    card: &ScoringCard,
    responses: &[(String, Response)],
) -> Result<Scored, ResponseError> {
    let by_id = index_responses(card, responses)?;
    let mut questions = Vec::new();
    let mut sections = Vec::with_capacity(card.sections.len());
    let (mut earned, mut possible) = (0.0, 0.0);
    for section in &card.sections {
        let (mut section_earned, mut section_possible) = (0.0, 0.0);
        for question in &section.questions {
            let response = by_id
                .get(question.id.as_str())
                .ok_or_else(|| ResponseError::Missing(question.id.clone()))?;
            let scored = score_question(question, response)?;
            if let (Some(p), Some(max)) = (scored.points, scored.possible) {
                section_earned += p;
                section_possible += max;
            }
            questions.push(scored);
        }
        earned += section_earned;
        possible += section_possible;
        sections.push(SectionScore {
            id: section.id.clone(),
            name: section.name.clone(),
            earned: round_points(section_earned),
            possible: round_points(section_possible),
            percentage: percentage(section_earned, section_possible),
        });
    }
    let auto_failed: Vec<String> = questions
        .iter()
        .filter(|q| q.auto_fail)
        .map(|q| q.question_id.clone())
        .collect();
    let percentage = if auto_failed.is_empty() {
        percentage(earned, possible)
    } else {
        Some(0.0)
    };
    let passed = match (card.passing_score, percentage) {
        (Some(threshold), Some(p)) => Some(auto_failed.is_empty() && p >= threshold),
        _ => None,
    };
    Ok(Scored {
        earned: round_points(earned),
        possible: round_points(possible),
        percentage,
        passed,
        auto_failed,
        sections,
        questions,
    })
}

/// A slider value clamped to `min..=max` and moved to the nearest step counted from `min`
/// (never past `max` when the range is not a whole number of steps): what the rules engine
/// makes of a measured figure.
pub fn snap_slider(value: f64, min: f64, max: f64, step: Option<f64>) -> f64 {
    let clamped = value.clamp(min, max);
    let Some(step) = step.filter(|s| *s > 0.0) else {
        return clamped;
    };
    let steps = ((clamped - min) / step).round();
    let mut snapped = min + steps * step;
    if snapped > max + step * STEP_TOLERANCE {
        snapped = min + (steps - 1.0) * step;
    }
    // 0.05 × 14 is 0.7000000000000001 in binary: round away the noise a user would see.
    (snapped * 1e9).round() / 1e9
}

fn index_responses<'a>(
    card: &ScoringCard,
    responses: &'a [(String, Response)],
) -> Result<HashMap<&'a str, &'a Response>, ResponseError> {
    let mut by_id = HashMap::with_capacity(responses.len());
    for (id, response) in responses {
        if !card.questions().any(|q| &q.id == id) {
            return Err(ResponseError::UnknownQuestion(id.clone()));
        }
        if by_id.insert(id.as_str(), response).is_some() {
            return Err(ResponseError::Duplicate(id.clone()));
        }
    }
    Ok(by_id)
}

fn score_question(
    question: &QuestionSpec,
    response: &Response,
) -> Result<QuestionScore, ResponseError> {
    let id = question.id.clone();
    let na = || QuestionScore {
        question_id: id.clone(),
        points: None,
        possible: None,
        na: true,
        auto_fail: false,
    };
    let labels_expected = || ResponseError::LabelsExpected {
        question: id.clone(),
    };
    let (points, auto_fail) = match (&question.kind, response) {
        (_, Response::NotApplicable) => return Ok(na()),
        (QuestionKind::Single(answers), Response::Chosen(labels)) => {
            let chosen = chosen_answers(&id, answers, labels)?;
            let [answer] = chosen.as_slice() else {
                return Err(ResponseError::NotOne {
                    question: id,
                    count: labels.len(),
                });
            };
            let highest = answers
                .iter()
                .filter_map(|a| a.points)
                .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
            match (answer.points, highest) {
                (Some(points), Some(highest)) => (Some((points, highest)), answer.auto_fail),
                // A null-points answer: N/A, though an auto-fail still fails.
                _ => (None, answer.auto_fail),
            }
        }
        (QuestionKind::Multiple(answers), Response::Chosen(labels)) => {
            let chosen = chosen_answers(&id, answers, labels)?;
            let auto_fail = chosen.iter().any(|a| a.auto_fail);
            if !chosen.is_empty() && chosen.iter().all(|a| a.points.is_none()) {
                (None, auto_fail)
            } else {
                let earned = chosen.iter().filter_map(|a| a.points).sum();
                let possible = answers
                    .iter()
                    .filter_map(|a| a.points)
                    .map(|p| p.max(0.0))
                    .sum();
                (Some((earned, possible)), auto_fail)
            }
        }
        (QuestionKind::Slider { min, max, step }, Response::Value(value)) => {
            if !on_scale(*value, *min, *max, *step) {
                return Err(ResponseError::OffScale {
                    question: id,
                    value: *value,
                    min: *min,
                    max: *max,
                    step: step.unwrap_or(0.0),
                });
            }
            (Some((*value, *max)), false)
        }
        (QuestionKind::Slider { .. }, Response::Chosen(_)) => {
            return Err(ResponseError::ValueExpected { question: id })
        }
        (_, Response::Value(_)) => return Err(labels_expected()),
    };
    let Some((earned, possible)) = points else {
        return Ok(QuestionScore { auto_fail, ..na() });
    };
    Ok(QuestionScore {
        question_id: id,
        points: Some(round_points(earned * question.weight)),
        possible: Some(round_points(possible * question.weight)),
        na: false,
        auto_fail,
    })
}

/// The answers `labels` name, each checked to exist and be chosen once.
fn chosen_answers<'a>(
    question: &str,
    answers: &'a [AnswerSpec],
    labels: &[String],
) -> Result<Vec<&'a AnswerSpec>, ResponseError> {
    let mut chosen: Vec<&AnswerSpec> = Vec::with_capacity(labels.len());
    for label in labels {
        let answer = answers.iter().find(|a| &a.label == label).ok_or_else(|| {
            ResponseError::UnknownLabel {
                question: question.to_owned(),
                label: label.clone(),
            }
        })?;
        if chosen.iter().any(|c| c.label == answer.label) {
            return Err(ResponseError::RepeatedLabel {
                question: question.to_owned(),
                label: label.clone(),
            });
        }
        chosen.push(answer);
    }
    Ok(chosen)
}

fn on_scale(value: f64, min: f64, max: f64, step: Option<f64>) -> bool {
    if !value.is_finite() || value < min || value > max {
        return false;
    }
    match step {
        Some(step) if step > 0.0 => {
            let steps = (value - min) / step;
            (steps - steps.round()).abs() <= STEP_TOLERANCE * steps.abs().max(1.0)
        }
        _ => true,
    }
}

fn percentage(earned: f64, possible: f64) -> Option<f64> {
    (possible > 0.0).then(|| (earned / possible * 10_000.0).round() / 100.0)
}

fn round_points(points: f64) -> f64 {
    (points * 10_000.0).round() / 10_000.0
}
