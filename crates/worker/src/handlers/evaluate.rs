//! `Evaluate`: score one evaluation (score submission) against the current version of its
//! scorecard, and store the result with the version it used.
//!
//! Questions with `rules` are answered by the rules engine; the rest by the AI engine (the
//! scorecard's `model`), unless the scorecard's model is `rules`, where they are N/A. The
//! score is computed in code from the answers (`scorejar_core::evaluation::result::assemble`).
//!
//! Idempotent: an evaluation already COMPLETED is left as it is. It runs once the transcript
//! is COMPLETED (the transcription step queues it); a transcript still in progress makes the
//! attempt retry later, a FAILED one fails the evaluation. Failing for good refunds what the
//! evaluation cost (priced as `POST /api/v1/ai/queue` prices it, never more than the
//! interaction still holds).

use super::{internal, load_interaction, HandlerError, HandlerResult, JobHandler};
use async_trait::async_trait;
use scorejar_core::evaluation::by_rules::answer_by_rules;
use scorejar_core::evaluation::card::EvalCard;
use scorejar_core::evaluation::lines::interaction_lines;
use scorejar_core::evaluation::result::{assemble, EvaluationResult};
use scorejar_core::evaluation::trial::not_answered;
use scorejar_core::model::*;
use scorejar_core::pricing::{price, PriceInput, Rates};
use scorejar_llm::{AiEngine, AiError};
use scorejar_store::queue::*;
use scorejar_store::Store;
use std::sync::Arc;

pub struct Evaluate {
    pub store: Arc<dyn Store>,
    /// `None`: no language model is configured; AI questions fail the evaluation.
    pub ai: Option<Arc<dyn AiEngine>>,
    pub rates: Rates,
}

fn submission_id(job: &ClaimedJob) -> Result<&str, HandlerError> {
    job.payload
        .get("scoreSubmissionId")
        .and_then(|v| v.as_str())
        .ok_or_else(|| HandlerError::Permanent("job has no scoreSubmissionId".into()))
}

fn ai_error(e: AiError) -> HandlerError {
    match e {
        AiError::Retryable(m) => HandlerError::Retryable(m),
        AiError::RetryAfter(m, wait) => HandlerError::RetryAfter(m, wait),
        AiError::Permanent(m) => HandlerError::Permanent(m),
    }
}

/// Fails the attempt unless the interaction's transcript (if it has one) is COMPLETED: one
/// still in progress is worth waiting for, a FAILED one is not.
pub(super) fn transcript_ready(interaction: &InteractionRecord) -> Result<(), HandlerError> {
    match interaction.transcript.as_ref().map(|t| t.status) {
        Some(StepStatus::Failed) => Err(HandlerError::Permanent(
            "no transcript to evaluate: the transcription failed".into(),
        )),
        Some(StepStatus::Completed) | None => Ok(()),
        Some(_) => Err(HandlerError::Retryable(
            "the transcript is not ready yet".into(),
        )),
    }
}

/// Scores `interaction` with one scorecard version: the rules answer their questions, the
/// AI the rest (N/A on a rules-only scorecard), and the score is computed from the answers.
/// Shared by evaluations and by tries (`TryScorecard`).
pub(super) async fn score(
    ai: Option<&Arc<dyn AiEngine>>,
    version: &ScorecardVersion,
    interaction: &InteractionRecord,
) -> Result<EvaluationResult, HandlerError> {
    let card = EvalCard::from_stored(
        &version.sections,
        version.passing_score,
        version.prompt.clone(),
        version.model.clone(),
    )
    .map_err(|e| internal("reading the scorecard", e))?
    .with_samples(version.samples);
    let lines = interaction_lines(interaction);
    if lines.is_empty() {
        return Err(HandlerError::Permanent(
            "nothing to evaluate: the interaction has no transcript or text".into(),
        ));
    }
    let mut answers = answer_by_rules(&card, &lines);
    let open = card.ai_questions();
    let mut ai_run = None;
    if !open.is_empty() {
        if card.rules_only() {
            answers.extend(open.iter().map(|q| {
                not_answered(&q.id, "the question has no rules on a rules-only scorecard")
            }));
        } else {
            let ai = ai.ok_or_else(|| {
                HandlerError::Permanent(
                    "the scorecard needs a language model and none is configured".into(),
                )
            })?;
            let (ai_answers, run) = ai
                .answer(&card, &open, &lines, interaction)
                .await
                .map_err(ai_error)?;
            answers.extend(ai_answers);
            ai_run = Some(run);
        }
    }
    let result = assemble(&card, version.version, answers, ai_run)
        .map_err(|e| internal("scoring the answers", e))?;
    record_model_use(&result);
    Ok(result)
}

/// The language model's share of a result, for `/metrics`: tokens, latency and cost by model.
fn record_model_use(result: &EvaluationResult) {
    let usage = &result.usage;
    if usage.requests == 0 {
        return;
    }
    let model = result.model.clone();
    metrics::counter!("scorejar_llm_requests_total", "model" => model.clone())
        .increment(u64::from(usage.requests));
    metrics::counter!("scorejar_llm_tokens_total", "model" => model.clone(), "kind" => "prompt")
        .increment(usage.prompt_tokens);
    metrics::counter!("scorejar_llm_tokens_total", "model" => model.clone(), "kind" => "completion")
        .increment(usage.completion_tokens);
    metrics::histogram!("scorejar_llm_latency_seconds", "model" => model.clone())
        .record(usage.latency_ms as f64 / 1000.0);
    if let Some(cost) = usage.cost {
        // A gauge only ever increased: the `metrics` counters count whole units.
        metrics::gauge!("scorejar_llm_cost_total", "model" => model).increment(cost);
    }
}

#[async_trait]
impl JobHandler for Evaluate {
    fn kind(&self) -> &'static str {
        scorejar_core::jobs::EVALUATE
    }

    async fn run(&self, job: &ClaimedJob) -> HandlerResult {
        let id = submission_id(job)?;
        let (account_id, interaction) = load_interaction(self.store.as_ref(), job).await?;
        let evaluation = interaction
            .evaluations
            .iter()
            .find(|e| e.score_submission_id == id)
            .ok_or_else(|| HandlerError::Permanent(format!("evaluation {id} no longer exists")))?;
        if evaluation.status == EvaluationStatus::Completed {
            return Ok(JobEffects::default());
        }
        transcript_ready(&interaction)?;
        let version = self
            .store
            .get_scorecard_version(&account_id, &evaluation.scorecard_id, None)
            .await
            .map_err(|e| internal("loading the scorecard", e))?
            .ok_or_else(|| {
                HandlerError::Permanent(format!(
                    "scorecard {} no longer exists",
                    evaluation.scorecard_id
                ))
            })?;
        let result = score(self.ai.as_ref(), &version, &interaction).await?;
        tracing::info!(
            evaluation = %id,
            engine = result.engine.as_str(),
            percentage = ?result.score.percentage,
            "evaluated"
        );
        let summary = EvaluationSummary::of(&result);
        let result =
            serde_json::to_value(&result).map_err(|e| internal("storing the result", e))?;
        Ok(JobEffects {
            evaluations: vec![EvaluationUpdate {
                score_submission_id: id.to_owned(),
                status: EvaluationStatus::Completed,
                result: Some(result),
                error: None,
                summary: Some(summary),
            }],
            ..Default::default()
        })
    }

    async fn give_up(&self, job: &ClaimedJob, error: &str) -> JobEffects {
        let Ok(id) = submission_id(job) else {
            return JobEffects::default();
        };
        let mut effects = JobEffects {
            evaluations: vec![EvaluationUpdate {
                score_submission_id: id.to_owned(),
                status: EvaluationStatus::Failed,
                result: None,
                error: Some(error.to_owned()),
                summary: None,
            }],
            ..Default::default()
        };
        if let Ok((_, interaction)) = load_interaction(self.store.as_ref(), job).await {
            let cost = price(&PriceInput::for_evaluation(&interaction), &self.rates).total;
            let refund = cost.min(interaction.credits_charged);
            if refund > 0 {
                effects.credits.push(CreditChange {
                    amount: refund,
                    reason: format!("refund: evaluation {id} failed"),
                });
            }
        }
        effects
    }
}
