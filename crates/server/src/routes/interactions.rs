//! `GET /api/v1/interactions/{id}` (the upload's `statusUrl`) and `GET /api/v1/interactions`
//! (filtered, cursor-paginated listing).

use super::{interaction_status, render};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use scorejar_core::filters::parse_interaction_filter;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/interactions", get(list_interactions))
        .route(
            "/api/v1/interactions/{id}",
            get(get_interaction).delete(delete_interaction),
        )
}

/// Everything stored about one interaction, with the status of each processing step: media,
/// transcript and each evaluation show `status`, `attempts` and `lastError` (from the job that
/// drives the step); `processing.complete` is true once no step and no job is left to run;
/// `jobs` lists the interaction's jobs.
#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "interactions",
    params(("id" = String, Path, description = "interactionId")),
    responses((status = 200, description = "The interaction", body = crate::openapi::InteractionDoc), (status = 404, description = "No such interaction on this account", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_interaction(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let record = state
        .store
        .get_interaction(&principal.account_id, &id)
        .await?
        .ok_or_else(|| AppError::interaction_not_found(&id))?;
    principal.require_sight_of(record.agent.as_ref().map(|a| a.id.as_str()))?;
    let mut body = render::interaction(&record);
    let jobs = state.store.interaction_jobs(&record.id).await?;
    interaction_status::attach(&mut body, &jobs);
    Ok(Json(body))
}

/// Deletes an interaction for good: the record, its transcript, metadata, tag links,
/// evaluations and jobs (one transaction), then its stored media object. The credits ledger
/// keeps its rows (they name the id). A job running on it finds it gone and writes nothing.
#[utoipa::path(delete, path = "/api/v1/interactions/{id}", tag = "interactions",
    params(("id" = String, Path, description = "interactionId")),
    responses((status = 204, description = "Deleted, with its media"),
        (status = 404, description = "No such interaction on this account", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn delete_interaction(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let media_key = state
        .store
        .delete_interaction(&principal.account_id, &id)
        .await?
        .ok_or_else(|| AppError::interaction_not_found(&id))?;
    if let Some(key) = media_key {
        // The rows are gone already: a failure here leaves an object no interaction names,
        // which the media sweep removes; the caller's answer does not depend on it.
        if let Err(error) = state.media.delete(&key).await {
            tracing::warn!(%error, interaction = %id, "deleting a deleted interaction's media");
        }
    }
    tracing::info!(interaction = %id, account = %principal.account_id, "interaction deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Interactions of the account, newest event first. Filters: `type`, `direction`, `from`, `to`,
/// `agent`, `tag`, `q` (full-text search), `metadata.<key>=<value>`, `metadata.<key>[gt|gte|lt|lte|ne]=<value>`,
/// and by evaluation: `evaluationStatus`, `passed`, `needsReview`, `scoreMin`, `scoreMax` (one
/// evaluation matching all of them);
/// paging with `limit` and `cursor` (from `nextCursor`). Rows are summaries: `transcript.preview`
/// and `email.bodyPreview` (the first 200 characters) instead of the text, segments and body.
#[utoipa::path(get, path = "/api/v1/interactions", tag = "interactions",
    params(
        ("type" = Option<crate::openapi::InteractionTypeDoc>, Query, description = "Only this interaction type"),
        ("direction" = Option<crate::openapi::DirectionDoc>, Query, description = "Only this direction"),
        ("from" = Option<String>, Query, format = DateTime, description = "Event time at or after (RFC 3339)"),
        ("to" = Option<String>, Query, format = DateTime, description = "Event time before (RFC 3339)"),
        ("agent" = Option<String>, Query, description = "Agent participant id or sourceIdentifier"),
        ("tag" = Option<String>, Query, description = "Tag id or name"),
        ("q" = Option<String>, Query, description = "Full-text search of transcripts and e-mails: words and \"quoted phrases\", all required (case-insensitive, whole words). Each row then carries `match`: the passage that matched and the character ranges of the matched words"),
        ("evaluationStatus" = Option<String>, Query, description = "Has an evaluation in this status: QUEUED, PROCESSING, COMPLETED or FAILED"),
        ("passed" = Option<bool>, Query, description = "Has an evaluation that passed (true) or failed (false)"),
        ("needsReview" = Option<bool>, Query, description = "Has an evaluation flagged for review (true) or not flagged (false)"),
        ("scoreMin" = Option<f64>, Query, minimum = 0, maximum = 100, description = "Has an evaluation scoring at least this percentage"),
        ("scoreMax" = Option<f64>, Query, minimum = 0, maximum = 100, description = "Has an evaluation scoring at most this percentage (the same evaluation as the other evaluation filters)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size (default 50)"),
        ("cursor" = Option<String>, Query, description = "`nextCursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of interaction summaries", body = crate::openapi::InteractionListDoc), (status = 400, description = "Bad filter", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_interactions(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<Value>> {
    let pairs = super::json::query_pairs(query)?;
    let mut filter = parse_interaction_filter(&pairs)?;
    filter.restrict_to_agent = principal.agent.clone();
    let page = state
        .store
        .list_interactions(&principal.account_id, &filter)
        .await?;
    let data: Vec<Value> = page
        .data
        .iter()
        .map(|record| {
            let mut row = render::interaction_summary(record);
            if let Some(marked) = page.snippets.get(&record.id) {
                row["match"] = search_match(marked);
            }
            row
        })
        .collect();
    Ok(Json(
        json!({ "data": data, "nextCursor": page.next_cursor }),
    ))
}

/// The `match` of a search result: the passage, and the `[start, end)` character ranges of the
/// matched words in it.
pub fn search_match(marked: &str) -> Value {
    let (text, ranges) = scorejar_core::search::highlights(marked);
    json!({
        "text": text,
        "highlights": ranges.iter().map(|(s, e)| json!([s, e])).collect::<Vec<_>>(),
    })
}
