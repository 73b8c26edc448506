//! `GET /interactions/{id}`: one interaction — the player, the transcript as the numbered
//! lines evaluations point at (`scorejar_core::evaluation::lines`, so evidence line `n` is the
//! page's line `n`), participants, tags, metadata, processing steps and every evaluation with
//! its answers and evidence. `GET /interactions/{id}/media` streams the recording to the
//! player with byte ranges, authorised by the session.

use super::interactions::context_of;
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use scorejar_core::cursor::Cursor;
use scorejar_core::evaluation::lines::{interaction_lines, Line, Speaker};
use scorejar_core::model::{InteractionRecord, ScorecardStatus};
use scorejar_core::paging::PageRequest;
use scorejar_core::render;
use scorejar_core::roles::Role;
use scorejar_core::tokens::Scope;
use scorejar_server::routes::media::serve_media;
use scorejar_server::AppState;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/interactions/{id}", get(show))
}

/// The recording streams for as long as the player reads (`scorejar_server::Pages::streaming`).
pub(crate) fn media_router() -> Router<AppState> {
    Router::new().route("/interactions/{id}/media", get(media))
}

fn speaker(speaker: Speaker) -> &'static str {
    match speaker {
        Speaker::Agent => "agent",
        Speaker::Customer => "customer",
        Speaker::Unknown => "unknown",
    }
}

fn line_view(line: &Line) -> Value {
    json!({
        "number": line.number,
        "start": line.start,
        "end": line.end,
        "speaker": speaker(line.speaker),
        "text": line.text,
    })
}

/// `m:ss` (or `h:mm:ss`) of a time in seconds, for the transcript's margin.
pub(crate) fn clock(seconds: f64) -> String {
    let total = seconds.max(0.0) as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The interaction `id` of the viewer's account when they may see it; else the page to
/// answer with (404, or 403 for an AGENT looking at another agent's).
pub(crate) async fn visible_interaction(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<InteractionRecord, Response> {
    match state.store.get_interaction(&viewer.account_id, id).await {
        Ok(Some(record)) if viewer.may_see(record.agent.as_ref().map(|a| a.id.as_str())) => {
            Ok(record)
        }
        Ok(Some(_)) => Err(error_page(
            403,
            "This interaction is another agent's; you can see only your own.",
        )),
        Ok(None) => Err(error_page(404, "No such interaction.")),
        Err(error) => {
            tracing::error!(%error, "loading an interaction");
            Err(error_page(
                503,
                "The service is busy; try again in a moment.",
            ))
        }
    }
}

async fn show(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let record = match visible_interaction(&state, &viewer, &id).await {
        Ok(record) => record,
        Err(response) => return response,
    };
    let lines: Vec<Value> = interaction_lines(&record)
        .iter()
        .map(|line| {
            let mut view = line_view(line);
            view["clock"] = json!(line.start.map(clock));
            view
        })
        .collect();
    let has_media = record
        .media
        .as_ref()
        .is_some_and(|m| m.info.object_key.is_some());
    let scorecards = if viewer.may(Scope::Evaluate) {
        active_scorecards(&state, &viewer.account_id).await
    } else {
        Vec::new()
    };
    // The account's tags this interaction does not carry yet, for the "Add a tag" list.
    let tag_choices: Vec<Value> = if viewer.may(Scope::Evaluate) {
        account_tags(&state, &viewer.account_id)
            .await
            .into_iter()
            .filter(|t| !record.tags.iter().any(|own| own.id == t.id))
            .map(|t| json!({"id": t.id, "name": t.name}))
            .collect()
    } else {
        Vec::new()
    };
    // What the scorecards' actions did here (the API's action-runs list; not an AGENT's to see).
    let action_runs: Vec<Value> = if viewer.role == Role::Agent {
        Vec::new()
    } else {
        match state
            .store
            .action_runs(&viewer.account_id, &record.id)
            .await
        {
            Ok(runs) => runs
                .into_iter()
                .map(|r| json!({"action": r.action, "outcome": r.outcome}))
                .collect(),
            Err(error) => {
                tracing::warn!(%error, "reading action runs for the interaction page");
                Vec::new()
            }
        }
    };
    let mut interaction = render::interaction(&record);
    if let Some(evaluations) = interaction["evaluations"].as_array_mut() {
        for evaluation in evaluations {
            name_questions(&state, &viewer.account_id, evaluation).await;
        }
    }
    render(
        StatusCode::OK,
        "interaction.html",
        context! {
            viewer => context_of(&viewer),
            interaction => interaction,
            lines => lines,
            has_media => has_media,
            scorecards => scorecards,
            tag_choices => tag_choices,
            action_runs => action_runs,
        },
    )
}

/// The ACTIVE scorecards an evaluation may be queued against (the first hundred).
async fn active_scorecards(state: &AppState, account_id: &str) -> Vec<Value> {
    let page = state
        .store
        .list_scorecards(account_id, &PageRequest::<Cursor>::first(100))
        .await;
    match page {
        Ok(page) => page
            .data
            .into_iter()
            .filter(|s| s.fields.status == ScorecardStatus::Active)
            .map(|s| json!({ "id": s.id, "name": s.fields.name }))
            .collect(),
        Err(error) => {
            // The page still shows; only the queue form goes without choices.
            tracing::warn!(%error, "listing scorecards for the queue form");
            Vec::new()
        }
    }
}

/// Adds the scorecard's name and each answer's question text from the version the evaluation
/// was scored against (the result itself names questions only by id).
async fn name_questions(state: &AppState, account_id: &str, evaluation: &mut Value) {
    let (Some(scorecard_id), version) = (
        evaluation["scorecardId"].as_str().map(str::to_owned),
        evaluation["scorecardVersion"].as_i64(),
    ) else {
        return;
    };
    let found = state
        .store
        .get_scorecard_version(account_id, &scorecard_id, version)
        .await;
    let Ok(Some(card)) = found else {
        return;
    };
    evaluation["scorecardName"] = json!(card.name);
    let questions: std::collections::HashMap<&str, &Value> = card
        .sections
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|section| section["questions"].as_array().into_iter().flatten())
        .filter_map(|q| Some((q["id"].as_str()?, q)))
        .collect();
    if let Some(answers) = evaluation["answers"].as_array_mut() {
        for answer in answers {
            let Some(question) = answer["questionId"]
                .as_str()
                .and_then(|id| questions.get(id))
            else {
                continue;
            };
            // What the override form offers: the question's own answers.
            let labels: Vec<&str> = question["answers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["label"].as_str())
                .collect();
            answer["questionText"] = question["text"].clone();
            answer["questionType"] = question["type"].clone();
            answer["options"] = json!(labels);
        }
    }
}

/// The account's first 100 tags by name (a page of the API's list; an account with more tags
/// adds the rest through the API).
async fn account_tags(state: &AppState, account_id: &str) -> Vec<scorejar_core::model::Tag> {
    let first = scorejar_core::paging::PageRequest::<scorejar_core::paging::NameCursor>::first(100);
    match state.store.list_tags(account_id, &first).await {
        Ok(page) => page.data,
        Err(error) => {
            tracing::error!(%error, "listing tags");
            Vec::new()
        }
    }
}

async fn media(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if viewer.agent.is_some() {
        if let Err(response) = visible_interaction(&state, &viewer, &id).await {
            return response;
        }
    }
    match serve_media(&state, &viewer.account_id, &id, &headers).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn times_read_as_a_clock() {
        let cases = [
            (0.0, "0:00"),
            (5.4, "0:05"),
            (65.0, "1:05"),
            (3600.0, "1:00:00"),
            (3725.9, "1:02:05"),
            (-1.0, "0:00"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(clock(seconds), expected);
        }
    }
}
