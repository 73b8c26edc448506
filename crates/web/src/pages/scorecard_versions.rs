//! `GET /scorecards/{id}/versions`: every version of a scorecard (a new one each time its
//! scoring changes) and what changed between any two (`scorejar_core::scorecard_diff`); by
//! default the latest change. Everyone but an AGENT.

use super::interactions::context_of;
use super::scorecards::refusal_for_agents;
use crate::session::Viewer;
use crate::views::{busy, error_page, render};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use scorejar_core::model::ScorecardVersion;
use scorejar_core::render::rfc3339;
use scorejar_core::scorecard_diff::diff_versions;
use scorejar_server::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/scorecards/{id}/versions", get(versions))
}

/// Versions listed on the page (the newest ones).
const VERSIONS_SHOWN: i64 = 50;

pub(super) async fn version(
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
        Err(error) => Err(busy("reading scorecard versions", error)),
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
