//! The part of a scorecard that scoring needs, read from the stored normal form of `sections`
//! (`crate::scorecard`): sections, their questions, and each question's answers or slider range.

use serde::Deserialize;
use serde_json::Value;

/// A scorecard as scoring sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringCard {
    pub sections: Vec<SectionSpec>,
    /// 0..=100; `None` when the scorecard sets no threshold.
    pub passing_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpec {
    pub id: String,
    pub name: String,
    pub questions: Vec<QuestionSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionSpec {
    pub id: String,
    pub kind: QuestionKind,
    /// Multiplies the question's points; 1 unless the scorecard sets it.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QuestionKind {
    Single(Vec<AnswerSpec>),
    Multiple(Vec<AnswerSpec>),
    Slider {
        min: f64,
        max: f64,
        step: Option<f64>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnswerSpec {
    pub label: String,
    /// `None`: choosing it makes the question N/A.
    pub points: Option<f64>,
    pub auto_fail: bool,
}

/// The stored normal form, as written by `crate::scorecard::sections`.
#[derive(Deserialize)]
struct StoredSection {
    id: String,
    name: String,
    #[serde(default)]
    questions: Vec<StoredQuestion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredQuestion {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    answers: Vec<StoredAnswer>,
    min: Option<f64>,
    max: Option<f64>,
    step: Option<f64>,
    weight: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredAnswer {
    label: String,
    points: Option<f64>,
    #[serde(default)]
    auto_fail: bool,
}

impl ScoringCard {
    /// Reads stored `sections`. An error means the stored JSON is not the normal form, which
    /// validation guarantees: a bug or a damaged row, never a client's mistake.
    pub fn from_stored(sections: &Value, passing_score: Option<f64>) -> Result<Self, String> {
        let stored: Vec<StoredSection> =
            serde_json::from_value(sections.clone()).map_err(|e| format!("sections: {e}"))?;
        let sections = stored
            .into_iter()
            .map(|s| {
                let questions = s
                    .questions
                    .into_iter()
                    .map(question)
                    .collect::<Result<_, _>>()?;
                Ok(SectionSpec {
                    id: s.id,
                    name: s.name,
                    questions,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(ScoringCard {
            sections,
            passing_score,
        })
    }

    /// Every question, in scorecard order.
    pub fn questions(&self) -> impl Iterator<Item = &QuestionSpec> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }
}

/// One question of the stored normal form (what `crate::scorecard` checks rules against).
pub(crate) fn question_from_stored(value: &Value) -> Result<QuestionSpec, String> {
    let stored: StoredQuestion =
        serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    question(stored)
}

fn question(q: StoredQuestion) -> Result<QuestionSpec, String> {
    let answers = || {
        q.answers
            .iter()
            .map(|a| AnswerSpec {
                label: a.label.clone(),
                points: a.points,
                auto_fail: a.auto_fail,
            })
            .collect()
    };
    let kind = match q.kind.as_str() {
        "SINGLE" => QuestionKind::Single(answers()),
        "MULTIPLE" => QuestionKind::Multiple(answers()),
        "SLIDER" => match (q.min, q.max) {
            (Some(min), Some(max)) => QuestionKind::Slider {
                min,
                max,
                step: q.step,
            },
            _ => return Err(format!("question {}: a SLIDER without min/max", q.id)),
        },
        other => return Err(format!("question {}: unknown type {other}", q.id)),
    };
    Ok(QuestionSpec {
        id: q.id,
        kind,
        weight: q.weight.unwrap_or(1.0),
    })
}
