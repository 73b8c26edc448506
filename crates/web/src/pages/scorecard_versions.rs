//! `GET /scorecards/{id}/versions`: every version of a scorecard (a new one each time its
//! scoring changes) and what changed between any two (`scorejar_core::scorecard_diff`); by
//! default the latest change. `GET /scorecards/{id}/try?interaction=…`: the scorecard's current
//! version tried on one interaction — the rules answer, the AI's questions are named
//! (`scorejar_core::evaluation::trial`); nothing is stored or charged. Everyone but an AGENT.

use super::interaction::visible_interaction;
use super::interactions::context_of;
use super::scorecards::refusal_for_agents;
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use scorejar_core::evaluation::card::EvalCard;
use scorejar_core::evaluation::lines::interaction_lines;
use scorejar_core::evaluation::trial::try_rules;
use scorejar_core::model::{InteractionFilter, ScorecardVersion};
use scorejar_core::render::rfc3339;
use scorejar_core::scorecard_diff::diff_versions;
use scorejar_server::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/scorecards/{id}/versions", get(versions))
        .route("/scorecards/{id}/try", get(try_it))
}

/// Versions listed on the page (the newest ones).
const VERSIONS_SHOWN: i64 = 50;
/// Interactions offered to try the scorecard on.
const RECENT_INTERACTIONS: u32 = 20;

fn busy(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "reading scorecard versions");
    error_page(503, "The service is busy; try again in a moment.")
}

async fn version(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    number: Option<i64>,
) -> Result<ScorecardVersion, Response> {
    match state
        .store
        .get_scorecard_version(&viewer.account_id, id, number)
        .await
    {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(error_page(404, "No such scorecard or version.")),
        Err(error) => Err(busy(error)),
    }
}

#[derive(Deserialize)]
struct Compare {
    a: Option<i64>,
    b: Option<i64>,
}

async fn versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(compare): Query<Compare>,
) -> Response {
    if let Some(refusal) = refusal_for_agents(&viewer) {
        return refusal;
    }
    let current = match version(&state, &viewer, &id, None).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let latest = current.version;
    let mut listed = Vec::new();
    for n in (1.max(latest - VERSIONS_SHOWN + 1)..=latest).rev() {
        match version(&state, &viewer, &id, Some(n)).await {
            Ok(v) => listed.push(json!({"version": v.version, "createdAt": rfc3339(v.created_at)})),
            Err(response) => return response,
        }
    }
    let b = compare.b.unwrap_or(latest);
    let a = compare.a.unwrap_or((b - 1).max(1));
    let (before, after) = match (
        version(&state, &viewer, &id, Some(a)).await,
        version(&state, &viewer, &id, Some(b)).await,
    ) {
        (Ok(before), Ok(after)) => (before, after),
        (Err(response), _) | (_, Err(response)) => return response,
    };
    let changes: Vec<Value> = diff_versions(&before, &after)
        .into_iter()
        .map(|c| json!({"path": c.path, "before": c.before, "after": c.after}))
        .collect();
    render(
        StatusCode::OK,
        "scorecard_versions.html",
        context! { viewer => context_of(&viewer), id => id, name => current.name,
        versions => listed, a => a, b => b, changes => changes },
    )
}

#[derive(Deserialize)]
struct TryParams {
    interaction: Option<String>,
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
    let recent = InteractionFilter {
        limit: RECENT_INTERACTIONS,
        ..InteractionFilter::default()
    };
    let choices: Vec<Value> = match state
        .store
        .list_interactions(&viewer.account_id, &recent)
        .await
    {
        Ok(page) => page
            .data
            .iter()
            .map(|i| {
                json!({"id": i.id, "label": format!("{} · {} {}", i.source_identifier,
                    i.interaction_type.as_str(), rfc3339(i.occurred_at))})
            })
            .collect(),
        Err(error) => return busy(error),
    };
    let chosen = params.interaction.filter(|i| !i.trim().is_empty());
    let mut trial = Value::Null;
    if let Some(interaction_id) = &chosen {
        let record = match visible_interaction(&state, &viewer, interaction_id).await {
            Ok(record) => record,
            Err(response) => return response,
        };
        trial = match run_trial(&current, &record) {
            Ok(view) => view,
            Err(message) => json!({"error": message}),
        };
    }
    render(
        StatusCode::OK,
        "scorecard_try.html",
        context! { viewer => context_of(&viewer), id => id, name => current.name,
        version => current.version, choices => choices, chosen => chosen, trial => trial },
    )
}

/// The try's result as the page shows it: each answer with its question's text.
fn run_trial(
    version: &ScorecardVersion,
    record: &scorejar_core::model::InteractionRecord,
) -> Result<Value, String> {
    let card = EvalCard::from_stored(
        &version.sections,
        version.passing_score,
        version.prompt.clone(),
        version.model.clone(),
    )?;
    let lines = interaction_lines(record);
    if lines.is_empty() {
        return Err("The interaction has no transcript or text yet.".into());
    }
    let trial = try_rules(&card, version.version, &lines).map_err(|e| e.to_string())?;
    let texts: std::collections::HashMap<String, String> = card
        .questions
        .iter()
        .map(|q| (q.id.clone(), q.text.clone()))
        .collect();
    let answers: Vec<Value> = trial
        .result
        .answers
        .iter()
        .map(|a| {
            json!({
                "questionId": a.question_id,
                "text": texts.get(&a.question_id),
                "answers": a.answers,
                "na": a.na,
                "points": a.points,
                "possible": a.possible,
                "explanation": a.explanation,
                "evidence": a.evidence.iter().map(|e| json!({"line": e.line, "text": e.text})).collect::<Vec<_>>(),
                "leftToAi": trial.left_to_ai.contains(&a.question_id),
            })
        })
        .collect();
    Ok(json!({
        "percentage": trial.result.score.percentage.map(|p| format!("{p:.1}%")),
        "passed": trial.result.passed,
        "answers": answers,
        "leftToAi": trial.left_to_ai.len(),
    }))
}
