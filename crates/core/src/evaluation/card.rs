//! A scorecard version as an evaluation reads it: the scoring view (`crate::scoring`) plus,
//! per question, what the engines need — its text and prompt for the AI, `naWhen`, and its
//! parsed `rules`. Read from the stored normal form (`crate::scorecard::sections`).

use serde::Deserialize;
use serde_json::Value;

use super::rules::{self, Rules};
use crate::scoring::{QuestionKind, ScoringCard};

/// The scorecard `model` that means "the rules alone, no language model".
pub const RULES_MODEL: &str = "rules";

/// One question with what the engines need to answer it.
#[derive(Debug, Clone)]
pub struct EvalQuestion {
    pub id: String,
    pub text: String,
    /// Extra guidance for the AI.
    pub prompt: Option<String>,
    /// When the question does not apply (for the AI).
    pub na_when: Option<String>,
    pub kind: QuestionKind,
    /// Answered by the rules engine when present.
    pub rules: Option<Rules>,
}

/// A scorecard version, ready to evaluate.
#[derive(Debug, Clone)]
pub struct EvalCard {
    pub scoring: ScoringCard,
    /// Every question, in scorecard order.
    pub questions: Vec<EvalQuestion>,
    /// The scorecard's own instructions for the AI.
    pub prompt: Option<String>,
    /// `provider/model`, a model name, `rules`, or `None` (the default provider's first model).
    pub model: Option<String>,
    /// How many times the AI answers (majority wins); at least 1.
    pub samples: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredQuestion {
    id: String,
    #[serde(default)]
    text: String,
    prompt: Option<String>,
    na_when: Option<String>,
    rules: Option<Value>,
}

impl EvalCard {
    /// Reads a stored version. An error is a damaged row (validation wrote the normal form).
    pub fn from_stored(
        sections: &Value,
        passing_score: Option<f64>,
        prompt: Option<String>,
        model: Option<String>,
    ) -> Result<Self, String> {
        let scoring = ScoringCard::from_stored(sections, passing_score)?;
        let stored = sections.as_array().into_iter().flatten().flat_map(|s| {
            s.get("questions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        });
        let questions = stored
            .zip(scoring.questions())
            .map(|(value, spec)| {
                let q: StoredQuestion =
                    serde_json::from_value(value.clone()).map_err(|e| format!("question: {e}"))?;
                let rules = q
                    .rules
                    .as_ref()
                    .map(|r| rules::parse(r, "rules", &spec.kind))
                    .transpose()
                    .map_err(|e| format!("question {}: {e}", q.id))?;
                Ok(EvalQuestion {
                    id: q.id,
                    text: q.text,
                    prompt: q.prompt,
                    na_when: q.na_when,
                    kind: spec.kind.clone(),
                    rules,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(EvalCard {
            scoring,
            questions,
            prompt,
            model,
            samples: 1,
        })
    }

    /// The scorecard's `samples` (`None` or less than 1: once).
    pub fn with_samples(mut self, samples: Option<i64>) -> Self {
        self.samples = samples.unwrap_or(1).clamp(1, crate::scorecard::MAX_SAMPLES) as usize;
        self
    }

    /// Whether the scorecard asks for the rules alone.
    pub fn rules_only(&self) -> bool {
        self.model.as_deref() == Some(RULES_MODEL)
    }

    /// Questions the rules engine cannot answer (no `rules`): the AI's.
    pub fn ai_questions(&self) -> Vec<&EvalQuestion> {
        self.questions
            .iter()
            .filter(|q| q.rules.is_none())
            .collect()
    }
}
