//! An evaluation's result as it is stored and shown (`GET /api/v1/score-submissions/{id}`):
//! every answer with where it came from and the evidence it rests on, and the score computed
//! from the answers by `crate::scoring` — engines answer, code scores.

use serde::{Deserialize, Serialize};

use super::card::EvalCard;
use super::lines::{Line, Speaker};
use crate::scoring::{score, Response, ResponseError, SectionScore};

/// Who gave an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AnswerSource {
    Ai,
    Rules,
    Reviewer,
}

/// Which engines answered an evaluation's questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Engine {
    Ai,
    Rules,
    Mixed,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Ai => "AI",
            Engine::Rules => "RULES",
            Engine::Mixed => "MIXED",
        }
    }
}

/// A piece of the interaction an answer rests on: a line of it, or the part of a line an AI
/// quoted (verified by the quote guard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub text: String,
    /// Seconds from the start; `None` for text interactions.
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub speaker: Speaker,
    /// 1-based line number in the evaluation's transcript lines.
    pub line: usize,
}

impl Evidence {
    /// The whole of `line`.
    pub fn line(line: &Line) -> Self {
        Self::quote(line, line.text.clone())
    }

    /// `text` found in `line`.
    pub fn quote(line: &Line, text: String) -> Self {
        Evidence {
            text,
            start: line.start,
            end: line.end,
            speaker: line.speaker,
            line: line.number,
        }
    }
}

/// An engine's (or a reviewer's) answer to one question, before scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineAnswer {
    pub question_id: String,
    pub response: Response,
    pub explanation: Option<String>,
    pub evidence: Vec<Evidence>,
    pub source: AnswerSource,
    pub needs_review: bool,
    /// Share of samples that agreed (AI); `None` for the deterministic rules.
    pub confidence: Option<f64>,
}

/// One answered question, scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerView {
    pub question_id: String,
    /// Chosen labels (SINGLE, MULTIPLE); empty for a slider or N/A.
    pub answers: Vec<String>,
    /// A slider's value.
    pub value: Option<f64>,
    pub points: Option<f64>,
    pub possible: Option<f64>,
    pub na: bool,
    pub auto_fail: bool,
    pub explanation: Option<String>,
    pub evidence: Vec<Evidence>,
    pub source: AnswerSource,
    pub needs_review: bool,
    pub confidence: Option<f64>,
    /// The engine's answer, kept beside a reviewer's (`source: REVIEWER`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_answer: Option<Box<AnswerView>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreView {
    pub earned: f64,
    pub possible: f64,
    /// 0 after an auto-fail; `None` when nothing could be scored.
    pub percentage: Option<f64>,
}

/// What answering cost (AI engines; zero for the rules) and what it used, for audit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub latency_ms: u64,
    /// In the provider's price unit; `None` when the provider has no prices configured.
    pub cost: Option<f64>,
    /// Chat Completions requests made, retries included.
    pub requests: u32,
}

/// The stored result of a COMPLETED evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationResult {
    pub engine: Engine,
    /// The model that answered the AI's questions (`provider/model`), or `rules`.
    pub model: String,
    pub scorecard_version: i64,
    pub score: ScoreView,
    pub passed: Option<bool>,
    pub auto_failed: Vec<String>,
    /// Some answer needs a person's look (unverified evidence, low confidence).
    pub needs_review: bool,
    pub sections: Vec<SectionScore>,
    pub answers: Vec<AnswerView>,
    pub usage: Usage,
    /// SHA-256 (hex) of the system prompt sent to the model; `None` without an AI call.
    pub prompt_sha256: Option<String>,
    /// The model's raw replies, in order (audit; never re-run to reproduce a score).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raw_output: Vec<String>,
    /// Reviewer overrides, oldest first (`super::review`).
    #[serde(default)]
    pub reviews: Vec<super::review::ReviewEntry>,
}

/// What the AI (when it answered) contributes besides its answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AiRun {
    /// `provider/model`.
    pub model: String,
    pub usage: Usage,
    pub prompt_sha256: Option<String>,
    pub raw_output: Vec<String>,
}

/// Scores `answers` (one per question of `card`) into a result. `ai` is `None` when no
/// question went to the AI.
pub fn assemble(
    card: &EvalCard,
    scorecard_version: i64,
    answers: Vec<EngineAnswer>,
    ai: Option<AiRun>,
) -> Result<EvaluationResult, ResponseError> {
    let responses: Vec<(String, Response)> = answers
        .iter()
        .map(|a| (a.question_id.clone(), a.response.clone()))
        .collect();
    let scored = score(&card.scoring, &responses)?;
    let by_rules = answers.iter().any(|a| a.source == AnswerSource::Rules);
    let by_ai = answers.iter().any(|a| a.source == AnswerSource::Ai);
    let engine = match (by_ai, by_rules) {
        (true, true) => Engine::Mixed,
        (true, false) => Engine::Ai,
        _ => Engine::Rules,
    };
    let mut views = Vec::with_capacity(answers.len());
    for question in &scored.questions {
        let Some(answer) = answers
            .iter()
            .find(|a| a.question_id == question.question_id)
        else {
            continue;
        };
        let (labels, value) = match &answer.response {
            Response::Chosen(labels) => (labels.clone(), None),
            Response::Value(v) => (Vec::new(), Some(*v)),
            Response::NotApplicable => (Vec::new(), None),
        };
        views.push(AnswerView {
            question_id: question.question_id.clone(),
            answers: labels,
            value,
            points: question.points,
            possible: question.possible,
            na: question.na,
            auto_fail: question.auto_fail,
            explanation: answer.explanation.clone(),
            evidence: answer.evidence.clone(),
            source: answer.source,
            needs_review: answer.needs_review,
            confidence: answer.confidence,
            engine_answer: None,
        });
    }
    let ai = ai.unwrap_or_default();
    Ok(EvaluationResult {
        engine,
        model: if by_ai {
            ai.model
        } else {
            super::card::RULES_MODEL.to_owned()
        },
        scorecard_version,
        score: ScoreView {
            earned: scored.earned,
            possible: scored.possible,
            percentage: scored.percentage,
        },
        passed: scored.passed,
        auto_failed: scored.auto_failed,
        needs_review: views.iter().any(|a| a.needs_review),
        sections: scored.sections,
        answers: views,
        usage: ai.usage,
        prompt_sha256: ai.prompt_sha256,
        raw_output: ai.raw_output,
        reviews: Vec::new(),
    })
}
