//! `/scorecards/{id}/try`: the scorecard's current version tried on one of the newest
//! interactions before it is activated — even a draft. The rules answer at once, on the page
//! (`scorejar_core::evaluation::trial`); a REVIEWER or an ADMIN may then ask the AI too
//! (`POST`): a try and its `TryScorecard` job are written together, and the page refreshes
//! itself until the worker has scored it exactly as an evaluation would. A try is never an
//! evaluation and never charged; an account has at most [`MAX_WAITING`] waiting at once.
//! Everyone but an AGENT sees the page.

use super::interaction::visible_interaction;
use super::interactions::context_of;
use super::scorecard_versions::version;
use super::scorecards::refusal_for_agents;
use crate::session::Viewer;
use crate::views::{busy, error_page, render};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use scorejar_core::evaluation::card::EvalCard;
use scorejar_core::evaluation::lines::interaction_lines;
use scorejar_core::evaluation::result::EvaluationResult;
use scorejar_core::evaluation::trial::try_rules;
use scorejar_core::model::{InteractionFilter, InteractionRecord, ScorecardVersion};
use scorejar_core::render::rfc3339;
use scorejar_core::tokens::Scope;
use scorejar_server::AppState;
use scorejar_store::NewTrial;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/scorecards/{id}/try", get(try_it).post(ask_ai))
}

/// Interactions offered to try the scorecard on.
const RECENT_INTERACTIONS: u32 = 20;
/// Tries one account may have waiting for the AI at once: each one costs the operator's
/// language model a full evaluation.
const MAX_WAITING: i64 = 3;
/// Who may ask the AI in a try.
const WHO_MAY_ASK: &str = "Only a REVIEWER or an ADMIN asks the AI in a try.";

#[derive(Deserialize)]
struct TryParams {
    interaction: Option<String>,
    trial: Option<String>,
}

async fn try_it(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<TryParams>,
) -> Response {
    if let Some(refusal) = refusal_for_agents(&viewer) {
        return refusal;
    }
    let current = match version(&state, &viewer, &id, None).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let choices = match recent_choices(&state, &viewer).await {
        Ok(choices) => choices,
        Err(response) => return response,
    };
    let mut chosen = params.interaction.filter(|i| !i.trim().is_empty());
    let mut trial = Value::Null;
    let mut waiting = false;
    if let Some(trial_id) = params.trial.filter(|t| !t.is_empty()) {
        let stored = match state.store.get_trial(&viewer.account_id, &trial_id).await {
            Ok(Some(t)) if t.scorecard_id == id => t,
            Ok(_) => return error_page(404, "No such try."),
            Err(error) => return busy("reading a try", error),
        };
        let tried = match version(&state, &viewer, &id, Some(stored.version)).await {
            Ok(v) => v,
            Err(response) => return response,
        };
        waiting = stored.status == "QUEUED";
        trial = match stored_view(&tried, &stored) {
            Ok(view) => view,
            Err(error) => return busy("reading a try's result", error),
        };
        chosen = Some(stored.interaction_id);
    } else if let Some(interaction_id) = &chosen {
        let record = match visible_interaction(&state, &viewer, interaction_id).await {
            Ok(record) => record,
            Err(response) => return response,
        };
        trial = match try_by_rules(&current, &record) {
            Ok(view) => view,
            Err(message) => json!({"error": message}),
        };
    }
    render(
        StatusCode::OK,
        "scorecard_try.html",
        context! { viewer => context_of(&viewer), id => id, name => current.name,
        version => current.version, choices => choices, chosen => chosen, trial => trial,
        waiting => waiting, may_ask => viewer.may(Scope::Scorecards) },
    )
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    interaction: String,
}

async fn ask_ai(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<AskForm>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Scorecards, WHO_MAY_ASK) {
        return refusal;
    }
    let current = match version(&state, &viewer, &id, None).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let record = match visible_interaction(&state, &viewer, form.interaction.trim()).await {
        Ok(record) => record,
        Err(response) => return response,
    };
    let trial_id = uuid::Uuid::new_v4().to_string();
    let trial = NewTrial {
        id: trial_id.clone(),
        account_id: viewer.account_id.clone(),
        scorecard_id: id.clone(),
        version: current.version,
        interaction_id: record.id,
    };
    match state.store.create_trial(trial, MAX_WAITING).await {
        // No fragment: the waiting page's refresh must reload it, not scroll to it.
        Ok(true) => Redirect::to(&format!("/scorecards/{id}/try?trial={trial_id}")).into_response(),
        Ok(false) => error_page(
            429,
            &format!(
                "{MAX_WAITING} tries are already waiting for the AI; ask again when one is done."
            ),
        ),
        Err(error) => busy("writing a try", error),
    }
}

/// The newest interactions, as the page's choices.
async fn recent_choices(state: &AppState, viewer: &Viewer) -> Result<Vec<Value>, Response> {
    let recent = InteractionFilter {
        limit: RECENT_INTERACTIONS,
        ..InteractionFilter::default()
    };
    match state
        .store
        .list_interactions(&viewer.account_id, &recent)
        .await
    {
        Ok(page) => Ok(page
            .data
            .iter()
            .map(|i| {
                json!({"id": i.id, "label": format!("{} · {} {}", i.source_identifier,
                    i.interaction_type.as_str(), rfc3339(i.occurred_at))})
            })
            .collect()),
        Err(error) => Err(busy("listing interactions to try on", error)),
    }
}

fn card_of(version: &ScorecardVersion) -> Result<EvalCard, String> {
    EvalCard::from_stored(
        &version.sections,
        version.passing_score,
        version.prompt.clone(),
        version.model.clone(),
    )
}

fn question_texts(card: &EvalCard) -> HashMap<String, String> {
    card.questions
        .iter()
        .map(|q| (q.id.clone(), q.text.clone()))
        .collect()
}

/// What a stored try shows: its result, why it failed, or that it is still waiting.
fn stored_view(tried: &ScorecardVersion, stored: &scorejar_store::Trial) -> Result<Value, String> {
    let mut view = match (&stored.result, &stored.error) {
        (Some(result), _) => {
            let result: EvaluationResult =
                serde_json::from_value(result.clone()).map_err(|e| e.to_string())?;
            result_view(&question_texts(&card_of(tried)?), &result, &[])
        }
        (None, Some(error)) => json!({"error": format!("The AI could not score it: {error}")}),
        (None, None) => json!({"waiting": true}),
    };
    view["version"] = json!(stored.version);
    Ok(view)
}

/// The rules' try of `version` on `record`, as the page shows it.
fn try_by_rules(version: &ScorecardVersion, record: &InteractionRecord) -> Result<Value, String> {
    let card = card_of(version)?;
    let lines = interaction_lines(record);
    if lines.is_empty() {
        return Err("The interaction has no transcript or text yet.".into());
    }
    let trial = try_rules(&card, version.version, &lines).map_err(|e| e.to_string())?;
    Ok(result_view(
        &question_texts(&card),
        &trial.result,
        &trial.left_to_ai,
    ))
}

/// A result as the page shows it: each answer with its question's text and who gave it;
/// `left_to_ai` names the questions a rules-only try did not ask.
fn result_view(
    texts: &HashMap<String, String>,
    result: &EvaluationResult,
    left_to_ai: &[String],
) -> Value {
    let answers: Vec<Value> = result
        .answers
        .iter()
        .map(|a| {
            json!({
                "questionId": a.question_id,
                "text": texts.get(&a.question_id),
                "answers": a.answers,
                "value": a.value,
                "na": a.na,
                "points": a.points,
                "possible": a.possible,
                "explanation": a.explanation,
                "source": a.source,
                "needsReview": a.needs_review,
                "evidence": a.evidence.iter().map(|e| json!({"line": e.line, "text": e.text})).collect::<Vec<_>>(),
                "leftToAi": left_to_ai.contains(&a.question_id),
            })
        })
        .collect();
    json!({
        "percentage": result.score.percentage.map(|p| format!("{p:.1}%")),
        "passed": result.passed,
        "model": result.model,
        "answers": answers,
        "leftToAi": left_to_ai.len(),
    })
}
