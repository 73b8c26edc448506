//! A try of a scorecard on one interaction, before it is activated (the web app's "Try it"):
//! the rules answer their questions exactly as an evaluation would; the questions left to the
//! AI are named, not asked — a try is free and instant, and an AI answer is neither — and are
//! scored as not applicable. Nothing is stored or charged.

use super::by_rules::answer_by_rules;
use super::card::EvalCard;
use super::lines::Line;
use super::result::{assemble, AnswerSource, EngineAnswer, EvaluationResult};
use crate::scoring::{Response, ResponseError};

/// What a try found.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    pub result: EvaluationResult,
    /// Ids of the questions only the AI answers (not asked in a try).
    pub left_to_ai: Vec<String>,
}

/// An answer that says a question was not answered, and why (scored as N/A).
pub fn not_answered(question_id: &str, why: &str) -> EngineAnswer {
    EngineAnswer {
        question_id: question_id.to_owned(),
        response: Response::NotApplicable,
        explanation: Some(why.to_owned()),
        evidence: Vec::new(),
        source: AnswerSource::Rules,
        needs_review: false,
        confidence: None,
    }
}

/// The rules' answers to `card` over `lines`, scored as version `version`.
pub fn try_rules(card: &EvalCard, version: i64, lines: &[Line]) -> Result<Trial, ResponseError> {
    let mut answers = answer_by_rules(card, lines);
    let open = card.ai_questions();
    let why = if card.rules_only() {
        "the question has no rules on a rules-only scorecard"
    } else {
        "answered by the AI when evaluated; a try asks only the rules"
    };
    answers.extend(open.iter().map(|q| not_answered(&q.id, why)));
    let left_to_ai = if card.rules_only() {
        Vec::new()
    } else {
        open.iter().map(|q| q.id.clone()).collect()
    };
    Ok(Trial {
        result: assemble(card, version, answers, None)?,
        left_to_ai,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::lines::Speaker;
    use serde_json::json;

    fn card(model: &str) -> EvalCard {
        let sections = json!([{ "id": "s", "name": "Call", "questions": [
            { "id": "greet", "text": "Greeted?", "type": "SINGLE",
              "answers": [{ "label": "Yes", "points": 2, "autoFail": false }, { "label": "No", "points": 0, "autoFail": false }],
              "rules": { "if": { "phrase": "thank you for calling", "by": "AGENT" }, "then": "Yes", "else": "No" } },
            { "id": "tone", "text": "Friendly tone?", "type": "SINGLE",
              "answers": [{ "label": "Yes", "points": 1, "autoFail": false }, { "label": "No", "points": 0, "autoFail": false }] }
        ]}]);
        EvalCard::from_stored(&sections, Some(50.0), None, Some(model.into())).unwrap()
    }

    fn lines(agent_says: &str) -> Vec<Line> {
        vec![Line {
            number: 1,
            speaker: Speaker::Agent,
            text: agent_says.into(),
            start: Some(0.0),
            end: Some(2.0),
        }]
    }

    #[test]
    fn the_rules_answer_and_the_ai_questions_wait() {
        let cases = [
            (
                "rules",
                "Thank you for calling!",
                Some(100.0),
                Vec::<&str>::new(),
            ),
            ("rules", "Hello.", Some(0.0), vec![]),
            (
                "openai/gpt",
                "Thank you for calling!",
                Some(100.0),
                vec!["tone"],
            ),
        ];
        for (model, said, percentage, left) in cases {
            let trial = try_rules(&card(model), 3, &lines(said)).unwrap();
            assert_eq!(trial.result.score.percentage, percentage, "{model} {said}");
            assert_eq!(trial.left_to_ai, left, "{model}");
            assert_eq!(trial.result.scorecard_version, 3);
            let tone = &trial.result.answers[1];
            assert!(tone.na, "the AI's question counts as not applicable");
        }
    }
}
