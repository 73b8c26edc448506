//! The rules engine over a whole scorecard: every question that has `rules` is answered from
//! the interaction's lines, with the matched lines as evidence. Questions without rules are
//! left to the AI (`EvalCard::ai_questions`).

use super::card::EvalCard;
use super::lines::Line;
use super::result::{AnswerSource, EngineAnswer, Evidence};
use super::rules::{answer_normalised, normalise_lines};

/// The rules' answers, in scorecard order, for the questions that have rules.
pub fn answer_by_rules(card: &EvalCard, lines: &[Line]) -> Vec<EngineAnswer> {
    let normalised = normalise_lines(lines);
    card.questions
        .iter()
        .filter_map(|q| {
            let rules = q.rules.as_ref()?;
            let found = answer_normalised(rules, &q.kind, lines, &normalised);
            let evidence = found
                .evidence
                .iter()
                .filter_map(|n| lines.iter().find(|l| l.number == *n))
                .map(Evidence::line)
                .collect();
            Some(EngineAnswer {
                question_id: q.id.clone(),
                response: found.response,
                explanation: None,
                evidence,
                source: AnswerSource::Rules,
                needs_review: false,
                confidence: None,
            })
        })
        .collect()
}
