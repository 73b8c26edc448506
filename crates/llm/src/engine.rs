//! The AI engine: asks a provider the questions the rules do not answer, reads the reply, and
//! keeps only evidence the quote guard finds.
//!
//! One evaluation attempt:
//! 1. The scorecard's `model` picks the provider and model (`LlmSettings::resolve`).
//! 2. The request: system prompt, the interaction's numbered lines and the questions, a strict
//!    JSON schema, `temperature: 0` (one sample).
//! 3. A reply cut short (`finish_reason: length`), not JSON, or with an answer outside the
//!    allowed set is asked again, up to [`MAX_REPLY_TRIES`] requests; then the evaluation fails
//!    for good (refunded by the job). 429, 5xx and timeouts fail the attempt as retryable: the
//!    job queue retries with backoff. Any other 4xx (bad request, unknown model, bad key) fails
//!    for good with the provider's reason.
//! 4. Quotes not found in the line they name get one targeted request again (naming them);
//!    what is still not found is dropped and the answer is marked `needsReview`.
//! 5. A scorecard's `samples` (> 1) asks every question that many times (temperature 0.7) and
//!    the majority wins; `confidence` is the winning share, below 0.6 the answer needs review.
//! 6. An interaction too long for the provider's `context_tokens` is sent in overlapping parts,
//!    each answered as above, and the answers combined (`scorejar_core::evaluation::ai::combine`).
//!
//! Everything used is returned for the result: provider/model, the system prompt's SHA-256,
//! the raw replies, tokens, latency, cost in the provider's prices.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use scorejar_core::evaluation::ai::combine::{combine, split, vote, PartAnswer, LOW_CONFIDENCE};
use scorejar_core::evaluation::ai::reply::{parse_reply, ModelAnswer, Quote};
use scorejar_core::evaluation::ai::request::{
    render_line, render_questions, reply_schema, system_prompt, user_content,
};
use scorejar_core::evaluation::ai::{question_key, quotes};
use scorejar_core::evaluation::card::{EvalCard, EvalQuestion};
use scorejar_core::evaluation::lines::Line;
use scorejar_core::evaluation::result::{AiRun, AnswerSource, EngineAnswer, Usage};
use scorejar_core::model::InteractionRecord;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::chat::{ChatClient, Completion};
use crate::settings::LlmSettings;

/// Requests for one set of answers before an unreadable reply fails the evaluation.
pub const MAX_REPLY_TRIES: usize = 3;

/// Why the AI could not answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AiError {
    /// Worth another attempt later (429, 5xx, timeouts).
    #[error("{0}")]
    Retryable(String),
    /// Worth another attempt, not before the wait the provider asked for (`Retry-After`).
    #[error("{0}")]
    RetryAfter(String, Duration),
    /// Will fail the same way again (a refused request, replies that never parse).
    #[error("{0}")]
    Permanent(String),
}

/// Answers questions about an interaction.
#[async_trait]
pub trait AiEngine: Send + Sync {
    async fn answer(
        &self,
        card: &EvalCard,
        questions: &[&EvalQuestion],
        lines: &[Line],
        interaction: &InteractionRecord,
    ) -> Result<(Vec<EngineAnswer>, AiRun), AiError>;
}

/// The engine over the configured providers.
pub struct LlmEngine {
    settings: LlmSettings,
    clients: HashMap<String, (ChatClient, Arc<Semaphore>)>,
}

impl LlmEngine {
    pub fn new(settings: LlmSettings) -> Result<Self, String> {
        let mut clients = HashMap::new();
        for provider in &settings.providers {
            let slots = Arc::new(Semaphore::new(provider.concurrency.max(1)));
            clients.insert(
                provider.name.clone(),
                (ChatClient::new(provider.clone())?, slots),
            );
        }
        Ok(Self { settings, clients })
    }
}

/// Tokens a reply may take: a bounded amount per question (the schema keeps answers short).
fn max_tokens(questions: usize) -> u64 {
    200 + 160 * questions as u64
}

fn header(interaction: &InteractionRecord) -> String {
    let mut h = format!(
        "A {} {} interaction",
        interaction.direction.as_str().to_ascii_lowercase(),
        interaction.interaction_type.as_str().to_ascii_lowercase()
    );
    if let Some(ms) = interaction.duration_ms {
        h.push_str(&format!(" of {} seconds", ms / 1000));
    }
    if let Some(email) = &interaction.email {
        if let Some(subject) = &email.subject {
            h.push_str(&format!(", subject {subject:?}"));
        }
    }
    h.push('.');
    h
}

struct Conversation<'a> {
    client: &'a ChatClient,
    model: String,
    temperature: f64,
    schema: Value,
    messages: Vec<Value>,
    run: AiRun,
}

impl Conversation<'_> {
    async fn ask(&mut self, questions: &[&EvalQuestion]) -> Result<Vec<ModelAnswer>, AiError> {
        let mut last = String::new();
        for _ in 0..MAX_REPLY_TRIES {
            let completion = self
                .client
                .complete(
                    &self.model,
                    &self.messages,
                    &self.schema,
                    max_tokens(questions.len()),
                    self.temperature,
                )
                .await?;
            self.count(&completion);
            if completion.finish_reason == "length" {
                last = "the reply was cut off at the token limit".into();
                continue;
            }
            match parse_reply(&completion.content, questions) {
                Ok(answers) => {
                    self.messages
                        .push(json!({"role": "assistant", "content": completion.content}));
                    return Ok(answers);
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(AiError::Permanent(format!(
            "the language model gave no usable answer in {MAX_REPLY_TRIES} tries: {last}"
        )))
    }

    fn count(&mut self, c: &Completion) {
        let u = &mut self.run.usage;
        u.prompt_tokens += c.prompt_tokens;
        u.completion_tokens += c.completion_tokens;
        u.latency_ms += c.latency.as_millis() as u64;
        u.requests += 1;
        self.run.raw_output.push(c.content.clone());
    }
}

#[async_trait]
impl AiEngine for LlmEngine {
    async fn answer(
        &self,
        card: &EvalCard,
        questions: &[&EvalQuestion],
        lines: &[Line],
        interaction: &InteractionRecord,
    ) -> Result<(Vec<EngineAnswer>, AiRun), AiError> {
        let (provider, model) = self
            .settings
            .resolve(card.model.as_deref())
            .map_err(AiError::Permanent)?;
        let (client, slots) = &self.clients[&provider.name];
        let _slot = slots
            .acquire()
            .await
            .map_err(|_| AiError::Retryable("shutting down".into()))?;
        let system = system_prompt(card.prompt.as_deref());
        let header = header(interaction);
        let mut run = AiRun {
            model: format!("{}/{model}", provider.name),
            prompt_sha256: Some(hex::encode(Sha256::digest(system.as_bytes()))),
            ..Default::default()
        };
        let parts = parts_for(lines, questions, &system, &header, provider.context_tokens);
        // One sample is the deterministic answer; several need variety to vote on.
        let temperature = if card.samples > 1 {
            SAMPLING_TEMPERATURE
        } else {
            0.0
        };
        let mut samples = Vec::with_capacity(card.samples);
        for _ in 0..card.samples {
            let ask = Ask {
                client,
                model: &model,
                system: &system,
                header: &header,
                questions,
                temperature,
            };
            samples.push(answer_in_parts(&ask, &parts, &mut run).await?);
        }
        let voted = vote(&samples);
        let result = voted
            .into_iter()
            .map(|(a, share)| {
                let (evidence, missing) = quotes::verify(&a.quotes, lines);
                let sampled = card.samples > 1;
                EngineAnswer {
                    question_id: a.question_id,
                    response: a.response,
                    explanation: Some(a.explanation).filter(|e| !e.is_empty()),
                    evidence,
                    source: AnswerSource::Ai,
                    needs_review: !missing.is_empty() || (sampled && share < LOW_CONFIDENCE),
                    confidence: sampled.then_some(share),
                }
            })
            .collect();
        run.usage.cost = cost(&run.usage, provider);
        Ok((result, run))
    }
}

/// Characters per token when estimating what fits a context window: English runs near 4;
/// 3 leaves room for names, numbers and the chat template.
const CHARS_PER_TOKEN: u64 = 3;
/// Lines two consecutive parts share.
const OVERLAP_LINES: usize = 3;

/// The interaction in parts that each fit the context window with the prompt, the questions
/// and the reply; one part when all of it fits.
fn parts_for<'a>(
    lines: &'a [Line],
    questions: &[&EvalQuestion],
    system: &str,
    header: &str,
    context_tokens: u64,
) -> Vec<&'a [Line]> {
    let cost = |l: &Line| render_line(l).len() + 1;
    let fixed = (system.len() + header.len() + render_questions(questions).len() + 200) as u64;
    let room = context_tokens.saturating_sub(max_tokens(questions.len())) * CHARS_PER_TOKEN;
    let budget = room.saturating_sub(fixed).max(400) as usize;
    let total: usize = lines.iter().map(cost).sum();
    if total <= budget {
        return vec![lines];
    }
    split(lines, budget, OVERLAP_LINES, cost)
}

/// Temperature of each request when a scorecard asks for several samples.
const SAMPLING_TEMPERATURE: f64 = 0.7;

/// What every request of one evaluation shares.
struct Ask<'a> {
    client: &'a ChatClient,
    model: &'a str,
    system: &'a str,
    header: &'a str,
    questions: &'a [&'a EvalQuestion],
    temperature: f64,
}

/// One full answer: every part asked, the parts' answers combined.
async fn answer_in_parts(
    ask: &Ask<'_>,
    parts: &[&[Line]],
    run: &mut AiRun,
) -> Result<Vec<ModelAnswer>, AiError> {
    let mut answered: Vec<Vec<PartAnswer>> = Vec::with_capacity(parts.len());
    for part in parts {
        let answers = answer_part(ask, part, run).await?;
        answered.push(
            answers
                .into_iter()
                .map(|answer| PartAnswer {
                    verified: quotes::verify(&answer.quotes, part).0.len(),
                    answer,
                })
                .collect(),
        );
    }
    Ok(if answered.len() == 1 {
        answered.remove(0).into_iter().map(|p| p.answer).collect()
    } else {
        combine(ask.questions, &answered)
    })
}

/// One part asked, its reply read (re-asked when unreadable), and unfound quotes asked about
/// once more.
async fn answer_part(
    ask: &Ask<'_>,
    part: &[Line],
    run: &mut AiRun,
) -> Result<Vec<ModelAnswer>, AiError> {
    let questions = ask.questions;
    let mut conversation = Conversation {
        client: ask.client,
        model: ask.model.to_owned(),
        temperature: ask.temperature,
        schema: reply_schema(questions),
        messages: vec![
            json!({"role": "system", "content": ask.system}),
            json!({"role": "user", "content": user_content(ask.header, part, questions)}),
        ],
        run: std::mem::take(run),
    };
    let outcome = ask_and_guard(&mut conversation, questions, part).await;
    *run = conversation.run;
    outcome
}

async fn ask_and_guard(
    conversation: &mut Conversation<'_>,
    questions: &[&EvalQuestion],
    lines: &[Line],
) -> Result<Vec<ModelAnswer>, AiError> {
    let mut answers = conversation.ask(questions).await?;
    let unfound: Vec<(usize, Vec<Quote>)> = answers
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let (_, missing) = quotes::verify(&a.quotes, lines);
            (!missing.is_empty()).then_some((i, missing))
        })
        .collect();
    if !unfound.is_empty() {
        let named: Vec<String> = unfound
            .iter()
            .flat_map(|(i, qs)| {
                qs.iter().map(move |q| {
                    format!(
                        "{}: line {} does not contain {:?}",
                        question_key(*i),
                        q.line,
                        q.quote
                    )
                })
            })
            .collect();
        conversation
            .messages
            .push(json!({"role": "user", "content": format!(
            "Some evidence is not in the line it names:\n{}\nAnswer all questions again, \
             copying each quote exactly from the line you name.", named.join("\n"))}));
        if let Ok(again) = conversation.ask(questions).await {
            for (i, _) in &unfound {
                answers[*i] = again[*i].clone();
            }
        }
    }
    Ok(answers)
}

fn cost(usage: &Usage, provider: &crate::settings::ProviderSettings) -> Option<f64> {
    if provider.price_prompt_per_1k.is_none() && provider.price_completion_per_1k.is_none() {
        return None;
    }
    let prompt = usage.prompt_tokens as f64 / 1000.0 * provider.price_prompt_per_1k.unwrap_or(0.0);
    let completion =
        usage.completion_tokens as f64 / 1000.0 * provider.price_completion_per_1k.unwrap_or(0.0);
    Some(((prompt + completion) * 1e6).round() / 1e6)
}
