//! A model's reply read and checked against the questions asked: one answer per question, in
//! its allowed set. What cannot be read is a [`ReplyError`], which the engine retries (a
//! bounded number of times) before failing the evaluation. Harmless slips are mended rather
//! than retried: a fenced ```json block, a slider value off its step (snapped), `N/A` beside
//! labels in a MULTIPLE answer (the labels win).

use serde_json::Value;

use super::{question_key, NOT_APPLICABLE};
use crate::evaluation::card::EvalQuestion;
use crate::scoring::{snap_slider, QuestionKind, Response};

/// An evidence quote as the model gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub line: usize,
    pub quote: String,
}

/// The model's answer to one question, before the quote guard.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelAnswer {
    pub question_id: String,
    pub response: Response,
    pub explanation: String,
    pub quotes: Vec<Quote>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplyError {
    #[error("the reply is not a JSON object: {0}")]
    NotJson(String),
    #[error("the reply has no answer to {0}")]
    Missing(String),
    #[error("the answer to {key} is not allowed: {reason}")]
    Invalid { key: String, reason: String },
}

/// The JSON inside a reply, without a Markdown fence around it.
fn unfence(content: &str) -> &str {
    let t = content.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// Reads `content` (the assistant message) as answers to `questions`, in their order.
pub fn parse_reply(
    content: &str,
    questions: &[&EvalQuestion],
) -> Result<Vec<ModelAnswer>, ReplyError> {
    let value: Value =
        serde_json::from_str(unfence(content)).map_err(|e| ReplyError::NotJson(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| ReplyError::NotJson("not an object".into()))?;
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let key = question_key(i);
            let entry = object
                .get(&key)
                .and_then(Value::as_object)
                .ok_or_else(|| ReplyError::Missing(key.clone()))?;
            let invalid = |reason: String| ReplyError::Invalid {
                key: key.clone(),
                reason,
            };
            let answer = entry
                .get("answer")
                .ok_or_else(|| ReplyError::Missing(format!("{key}.answer")))?;
            let response = read_response(answer, &q.kind).map_err(invalid)?;
            let explanation = entry
                .get("explanation")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_owned();
            let quotes = entry
                .get("evidence")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    let line = usize::try_from(e.get("line")?.as_u64()?).ok()?;
                    let quote = e.get("quote")?.as_str()?.trim().to_owned();
                    (!quote.is_empty()).then_some(Quote { line, quote })
                })
                .collect();
            Ok(ModelAnswer {
                question_id: q.id.clone(),
                response,
                explanation,
                quotes,
            })
        })
        .collect()
}

fn read_response(answer: &Value, kind: &QuestionKind) -> Result<Response, String> {
    if answer.as_str() == Some(NOT_APPLICABLE) {
        return Ok(Response::NotApplicable);
    }
    match kind {
        QuestionKind::Single(answers) => {
            let label = answer.as_str().ok_or("expected one label")?;
            if answers.iter().any(|a| a.label == label) {
                Ok(Response::Chosen(vec![label.to_owned()]))
            } else {
                Err(format!("{label:?} is not one of its answers"))
            }
        }
        QuestionKind::Multiple(answers) => {
            let items = answer.as_array().ok_or("expected a list of labels")?;
            let mut chosen: Vec<String> = Vec::new();
            let mut na = false;
            for item in items {
                let label = item.as_str().ok_or("expected labels")?;
                if label == NOT_APPLICABLE {
                    na = true;
                } else if !answers.iter().any(|a| a.label == label) {
                    return Err(format!("{label:?} is not one of its answers"));
                } else if !chosen.iter().any(|c| c == label) {
                    chosen.push(label.to_owned());
                }
            }
            if na && chosen.is_empty() {
                Ok(Response::NotApplicable)
            } else {
                Ok(Response::Chosen(chosen))
            }
        }
        QuestionKind::Slider { min, max, step } => {
            let value = answer.as_f64().ok_or("expected a number")?;
            Ok(Response::Value(snap_slider(value, *min, *max, *step)))
        }
    }
}
