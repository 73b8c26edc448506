//! Long interactions: when the lines and the questions do not fit the model's context window
//! they are sent in overlapping parts (`split`), each part is answered on its own, and the
//! answers are combined per question (`combine`) — never truncated silently.
//!
//! Combining, per question (the rule users read in `docs/evaluation.md`):
//! - SINGLE: an answer backed by verified evidence wins (the first part's, in call order);
//!   without any, the answer most parts gave (ties: the earliest); N/A only when every part
//!   says N/A. So a "Yes" with evidence in any part wins for presence questions.
//! - MULTIPLE: every label any part chose; N/A only when every part says N/A.
//! - SLIDER: the mean of the parts' values (snapped to the slider); N/A only when all are.
//! - The explanation and evidence come from the parts whose answer was kept.

use super::reply::ModelAnswer;
use crate::evaluation::card::EvalQuestion;
use crate::evaluation::lines::Line;
use crate::scoring::{snap_slider, QuestionKind, Response};

/// One part's answer to a question, with how many of its quotes the guard verified.
#[derive(Debug, Clone, PartialEq)]
pub struct PartAnswer {
    pub answer: ModelAnswer,
    pub verified: usize,
}

/// `lines` cut into parts of at most `budget` characters of rendered text each (`cost` gives a
/// line's), consecutive parts sharing `overlap` lines so a moment cut in two is seen whole in
/// one of them. Every part has at least one line.
pub fn split(
    lines: &[Line],
    budget: usize,
    overlap: usize,
    cost: impl Fn(&Line) -> usize,
) -> Vec<&[Line]> {
    let mut parts = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        let mut used = 0;
        while end < lines.len() && (end == start || used + cost(&lines[end]) <= budget) {
            used += cost(&lines[end]);
            end += 1;
        }
        parts.push(&lines[start..end]);
        if end == lines.len() {
            break;
        }
        // Step back for the overlap, but always move forward.
        start = end.saturating_sub(overlap).max(start + 1);
    }
    parts
}

/// The answers of every part (each in question order) combined into one per question.
pub fn combine(questions: &[&EvalQuestion], parts: &[Vec<PartAnswer>]) -> Vec<ModelAnswer> {
    questions
        .iter()
        .enumerate()
        .map(|(q, question)| {
            let answers: Vec<&PartAnswer> = parts.iter().filter_map(|p| p.get(q)).collect();
            combine_one(question, &answers)
        })
        .collect()
}

fn combine_one(question: &EvalQuestion, answers: &[&PartAnswer]) -> ModelAnswer {
    let applicable: Vec<&PartAnswer> = answers
        .iter()
        .copied()
        .filter(|a| a.answer.response != Response::NotApplicable)
        .collect();
    let Some(first) = applicable.first() else {
        return answers[0].answer.clone();
    };
    match &question.kind {
        QuestionKind::Single(_) => {
            if let Some(backed) = applicable.iter().find(|a| a.verified > 0) {
                return backed.answer.clone();
            }
            let count = |r: &Response| {
                applicable
                    .iter()
                    .filter(|a| &a.answer.response == r)
                    .count()
            };
            let best = applicable
                .iter()
                .max_by_key(|a| {
                    (
                        count(&a.answer.response),
                        std::cmp::Reverse(position(&applicable, a)),
                    )
                })
                .unwrap_or(first);
            best.answer.clone()
        }
        QuestionKind::Multiple(_) => {
            let mut out = first.answer.clone();
            let mut labels: Vec<String> = Vec::new();
            out.quotes.clear();
            for a in &applicable {
                if let Response::Chosen(chosen) = &a.answer.response {
                    for l in chosen {
                        if !labels.contains(l) {
                            labels.push(l.clone());
                        }
                    }
                }
                out.quotes.extend(a.answer.quotes.iter().cloned());
            }
            out.response = Response::Chosen(labels);
            out
        }
        QuestionKind::Slider { min, max, step } => {
            let values: Vec<f64> = applicable
                .iter()
                .filter_map(|a| match a.answer.response {
                    Response::Value(v) => Some(v),
                    _ => None,
                })
                .collect();
            let mut out = first.answer.clone();
            if !values.is_empty() {
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                out.response = Response::Value(snap_slider(mean, *min, *max, *step));
            }
            out
        }
    }
}

fn position(all: &[&PartAnswer], a: &PartAnswer) -> usize {
    all.iter()
        .position(|x| std::ptr::eq(*x, a))
        .unwrap_or(usize::MAX)
}

/// Below this share of agreeing samples an AI answer is flagged `needsReview`.
pub const LOW_CONFIDENCE: f64 = 0.6;

/// A scorecard's `samples` (several full answers to the same questions) reduced to one answer
/// per question: the response most samples gave (ties: the earliest sample's), with its
/// explanation and quotes from the first sample that gave it, and `confidence` = the share of
/// samples that gave it.
pub fn vote(samples: &[Vec<ModelAnswer>]) -> Vec<(ModelAnswer, f64)> {
    let Some(first) = samples.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|q| {
            let answers: Vec<&ModelAnswer> = samples.iter().filter_map(|s| s.get(q)).collect();
            let count = |r: &Response| answers.iter().filter(|a| &a.response == r).count();
            let mut best = answers[0];
            for a in &answers {
                if count(&a.response) > count(&best.response) {
                    best = a;
                }
            }
            let share = count(&best.response) as f64 / samples.len() as f64;
            (best.clone(), (share * 1e4).round() / 1e4)
        })
        .collect()
}
