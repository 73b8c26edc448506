//! The dashboard's figures, from the completed evaluations of a period: average score and pass
//! rate over time, per scorecard and per agent; each question's pass rate (the ones that fail
//! most first); the evaluations waiting for a reviewer. Pure: the store reads the facts, the
//! web app draws the charts.
//!
//! A question *passes* in an evaluation when it was answered (not N/A), could earn points, and
//! earned all of them without tripping an auto-fail; it *fails* otherwise. Questions worth no
//! points (informational) count neither way.

use crate::evaluation::result::{AnswerView, EvaluationResult};
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime};

/// One completed evaluation, as the store reads it for the dashboard.
#[derive(Debug, Clone)]
pub struct EvaluationFact {
    pub evaluation_id: String,
    pub interaction_id: String,
    pub scorecard_id: String,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub completed_at: OffsetDateTime,
    pub percentage: Option<f64>,
    pub passed: Option<bool>,
    pub needs_review: bool,
    pub reviewed: bool,
    /// The stored result (`None` when it could not be read): per-question figures come from it.
    pub result: Option<EvaluationResult>,
}

/// Count, average score and pass rate of a group of evaluations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub count: usize,
    /// Mean percentage of those with a score (0..=100).
    pub average: Option<f64>,
    /// Share of those with a verdict that passed (0..=1).
    pub pass_rate: Option<f64>,
}

/// The evaluations of one day (or week) of the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub start: OffsetDateTime,
    pub figures: Figures,
}

/// A named group (scorecard or agent) and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub figures: Figures,
}

/// One question's record over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRate {
    pub scorecard_id: String,
    pub question_id: String,
    /// Evaluations where it counted (passed or failed).
    pub counted: usize,
    pub passed: usize,
}

impl QuestionRate {
    pub fn rate(&self) -> f64 {
        self.passed as f64 / self.counted as f64
    }
}

/// Everything the dashboard shows about evaluations.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub overall: Figures,
    pub needs_review: usize,
    pub trend: Vec<Bucket>,
    /// Days per bucket of `trend`: 1, or 7 for periods longer than a month.
    pub bucket_days: i64,
    pub scorecards: Vec<Group>,
    pub agents: Vec<Group>,
    /// Lowest pass rate first (ties: most counted first).
    pub questions: Vec<QuestionRate>,
    /// Indexes into the facts of evaluations flagged for review and not yet reviewed, newest
    /// first.
    pub review_queue: Vec<usize>,
}

/// Longest review queue and question list the summary keeps.
pub const LIST_LIMIT: usize = 10;

/// The summary of `facts` over the `days` before `now`. Facts outside the period are ignored.
pub fn summarize(facts: &[EvaluationFact], days: i64, now: OffsetDateTime) -> Summary {
    let since = now - Duration::days(days);
    let within: Vec<(usize, &EvaluationFact)> = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.completed_at >= since && f.completed_at <= now)
        .collect();
    let bucket_days = if days > 31 { 7 } else { 1 };
    let buckets = (days + bucket_days - 1) / bucket_days;
    let trend = (0..buckets)
        .map(|i| {
            let start = since + Duration::days(i * bucket_days);
            let end = start + Duration::days(bucket_days);
            let figures = figures(
                within
                    .iter()
                    .map(|(_, f)| *f)
                    .filter(|f| f.completed_at >= start && f.completed_at < end),
            );
            Bucket { start, figures }
        })
        .collect();
    let mut review_queue: Vec<usize> = within
        .iter()
        .filter(|(_, f)| f.needs_review && !f.reviewed)
        .map(|(i, _)| *i)
        .collect();
    review_queue.sort_by_key(|i| std::cmp::Reverse(facts[*i].completed_at));
    let needs_review = review_queue.len();
    review_queue.truncate(LIST_LIMIT);
    Summary {
        overall: figures(within.iter().map(|(_, f)| *f)),
        needs_review,
        trend,
        bucket_days,
        scorecards: groups(&within, |f| {
            Some((f.scorecard_id.clone(), f.scorecard_id.clone()))
        }),
        agents: groups(&within, |f| {
            let id = f.agent_id.clone()?;
            let name = f.agent_name.clone().unwrap_or_else(|| id.clone());
            Some((id, name))
        }),
        questions: question_rates(within.iter().map(|(_, f)| *f)),
        review_queue,
    }
}

/// Count, mean score and pass rate of `facts`.
pub fn figures<'a>(facts: impl Iterator<Item = &'a EvaluationFact>) -> Figures {
    let (mut count, mut scored, mut score_sum, mut judged, mut passed) = (0, 0, 0.0, 0, 0);
    for fact in facts {
        count += 1;
        if let Some(p) = fact.percentage {
            scored += 1;
            score_sum += p;
        }
        if let Some(verdict) = fact.passed {
            judged += 1;
            passed += usize::from(verdict);
        }
    }
    Figures {
        count,
        average: (scored > 0).then(|| score_sum / scored as f64),
        pass_rate: (judged > 0).then(|| passed as f64 / judged as f64),
    }
}

/// The facts grouped by `key` (id, name), most evaluations first, then by name.
fn groups(
    within: &[(usize, &EvaluationFact)],
    key: impl Fn(&EvaluationFact) -> Option<(String, String)>,
) -> Vec<Group> {
    let mut grouped: BTreeMap<String, (String, Vec<&EvaluationFact>)> = BTreeMap::new();
    for (_, fact) in within {
        if let Some((id, name)) = key(fact) {
            grouped.entry(id).or_insert((name, Vec::new())).1.push(fact);
        }
    }
    let mut out: Vec<Group> = grouped
        .into_iter()
        .map(|(id, (name, facts))| Group {
            id,
            name,
            figures: figures(facts.into_iter()),
        })
        .collect();
    out.sort_by(|a, b| {
        b.figures
            .count
            .cmp(&a.figures.count)
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Whether the answer passed (`Some(true)`), failed, or does not count (`None`).
pub fn question_outcome(answer: &AnswerView) -> Option<bool> {
    if answer.na {
        return None;
    }
    let possible = answer.possible.filter(|p| *p > 0.0)?;
    let earned = answer.points.unwrap_or(0.0);
    Some(!answer.auto_fail && earned >= possible)
}

/// Each question's pass rate, lowest first; ties: most counted first, then by id.
fn question_rates<'a>(facts: impl Iterator<Item = &'a EvaluationFact>) -> Vec<QuestionRate> {
    let mut by_question: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for fact in facts {
        let Some(result) = &fact.result else { continue };
        for answer in &result.answers {
            if let Some(outcome) = question_outcome(answer) {
                let entry = by_question
                    .entry((fact.scorecard_id.clone(), answer.question_id.clone()))
                    .or_default();
                entry.0 += 1;
                entry.1 += usize::from(outcome);
            }
        }
    }
    let mut rates: Vec<QuestionRate> = by_question
        .into_iter()
        .map(
            |((scorecard_id, question_id), (counted, passed))| QuestionRate {
                scorecard_id,
                question_id,
                counted,
                passed,
            },
        )
        .collect();
    rates.sort_by(|a, b| {
        a.rate()
            .total_cmp(&b.rate())
            .then_with(|| b.counted.cmp(&a.counted))
            .then_with(|| a.question_id.cmp(&b.question_id))
    });
    rates
}

#[cfg(test)]
#[path = "dashboard_tests.rs"]
mod tests;
