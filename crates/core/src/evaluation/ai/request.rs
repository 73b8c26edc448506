//! The Chat Completions request for a set of questions: the system prompt (the scorecard's
//! `prompt` and our instructions), the user content (the interaction as numbered lines, then the
//! questions with their allowed answers and `naWhen`), and a strict JSON schema for the reply.
//! The schema is tight — enums, short strings with `maxLength`, few quotes — because small
//! models ramble in free text.

use serde_json::{json, Map, Value};

use super::{question_key, NOT_APPLICABLE};
use crate::evaluation::card::EvalQuestion;
use crate::evaluation::lines::{Line, Speaker};
use crate::scoring::QuestionKind;

/// Longest explanation the schema allows, in characters.
pub const MAX_EXPLANATION_CHARS: u64 = 200;
/// Longest evidence quote the schema allows, in characters.
pub const MAX_QUOTE_CHARS: u64 = 160;
/// Most evidence quotes per question.
pub const MAX_QUOTES: u64 = 3;

const INSTRUCTIONS: &str = "You are a quality assurance analyst for a contact center. \
Read the interaction and answer every question about it. Answer only from what is in the \
interaction. Use \"N/A\" only when the question does not apply to this interaction. For each \
answer give a one-sentence explanation and up to 3 pieces of evidence: short quotes copied \
exactly from the interaction, each with the number of the line it comes from. Reply with JSON only.";

/// The system prompt: the scorecard's own instructions (if any) before ours.
pub fn system_prompt(scorecard_prompt: Option<&str>) -> String {
    match scorecard_prompt.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => format!("{p}\n\n{INSTRUCTIONS}"),
        None => INSTRUCTIONS.to_owned(),
    }
}

/// `[12] 01:05 Agent: text` (the time is left out for lines without one).
pub fn render_line(line: &Line) -> String {
    let speaker = match line.speaker {
        Speaker::Agent => "Agent",
        Speaker::Customer => "Customer",
        Speaker::Unknown => "Speaker",
    };
    match line.start {
        Some(start) => {
            let secs = start.max(0.0) as u64;
            format!(
                "[{}] {:02}:{:02} {speaker}: {}",
                line.number,
                secs / 60,
                secs % 60,
                line.text
            )
        }
        None => format!("[{}] {speaker}: {}", line.number, line.text),
    }
}

/// The questions as the model reads them.
pub fn render_questions(questions: &[&EvalQuestion]) -> String {
    let mut out = String::new();
    for (i, q) in questions.iter().enumerate() {
        out.push_str(&format!("{} ", question_key(i)));
        match &q.kind {
            QuestionKind::Single(answers) => {
                let labels: Vec<String> =
                    answers.iter().map(|a| format!("{:?}", a.label)).collect();
                out.push_str(&format!(
                    "(choose one of {}): {}",
                    labels.join(", "),
                    q.text
                ));
            }
            QuestionKind::Multiple(answers) => {
                let labels: Vec<String> =
                    answers.iter().map(|a| format!("{:?}", a.label)).collect();
                out.push_str(&format!(
                    "(choose any of {}): {}",
                    labels.join(", "),
                    q.text
                ));
            }
            QuestionKind::Slider { min, max, step } => {
                let step = step
                    .map(|s| format!(" in steps of {s}"))
                    .unwrap_or_default();
                out.push_str(&format!("(a number from {min} to {max}{step}): {}", q.text));
            }
        }
        if let Some(prompt) = &q.prompt {
            out.push_str(&format!(" Guidance: {prompt}"));
        }
        if let Some(na) = &q.na_when {
            out.push_str(&format!(" Answer \"{NOT_APPLICABLE}\" when: {na}"));
        }
        out.push('\n');
    }
    out
}

/// The user message: a header line about the interaction, its lines, the questions.
pub fn user_content(header: &str, lines: &[Line], questions: &[&EvalQuestion]) -> String {
    let mut out = format!("{header}\n\nInteraction (line number, time, speaker):\n");
    for line in lines {
        out.push_str(&render_line(line));
        out.push('\n');
    }
    out.push_str("\nQuestions:\n");
    out.push_str(&render_questions(questions));
    out
}

/// The strict JSON schema of a reply to `questions`.
pub fn reply_schema(questions: &[&EvalQuestion]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let key = question_key(i);
        let answer = match &q.kind {
            QuestionKind::Single(answers) => {
                let mut labels: Vec<Value> = answers.iter().map(|a| json!(a.label)).collect();
                labels.push(json!(NOT_APPLICABLE));
                json!({"type": "string", "enum": labels})
            }
            QuestionKind::Multiple(answers) => {
                let mut labels: Vec<Value> = answers.iter().map(|a| json!(a.label)).collect();
                labels.push(json!(NOT_APPLICABLE));
                json!({"type": "array", "items": {"type": "string", "enum": labels},
                       "maxItems": answers.len() + 1})
            }
            QuestionKind::Slider { min, max, .. } => json!({"anyOf": [
                {"type": "number", "minimum": min, "maximum": max},
                {"type": "string", "enum": [NOT_APPLICABLE]}
            ]}),
        };
        properties.insert(
            key.clone(),
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["answer", "explanation", "evidence"],
                "properties": {
                    "answer": answer,
                    "explanation": {"type": "string", "maxLength": MAX_EXPLANATION_CHARS},
                    "evidence": {
                        "type": "array",
                        "maxItems": MAX_QUOTES,
                        "items": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["line", "quote"],
                            "properties": {
                                "line": {"type": "integer", "minimum": 1},
                                "quote": {"type": "string", "maxLength": MAX_QUOTE_CHARS}
                            }
                        }
                    }
                }
            }),
        );
        required.push(json!(key));
    }
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": properties
    })
}
