//! Settings → API tokens (`/settings/tokens`, ADMIN only): the account's tokens, a form that
//! creates one — its secret shown once, with a copy button — and revoke buttons. Creation goes
//! through the API's own `issue_token` (scopes never beyond the creator's role).

use super::interactions::context_of;
use crate::csrf::CsrfOnly;
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use scorejar_core::cursor::Cursor;
use scorejar_core::model::ApiTokenInfo;
use scorejar_core::paging::PageRequest;
use scorejar_core::render::rfc3339;
use scorejar_core::tokens::Scope;
use scorejar_server::error::AppError;
use scorejar_server::routes::tokens::{issue_token, Grantor};
use scorejar_server::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/tokens", get(list).post(create))
        .route("/settings/tokens/{id}/revoke", post(revoke))
}

/// Tokens shown on one page: the newest ones (an account with more revokes old ones first).
const SHOWN: u32 = 100;

fn token_view(t: &ApiTokenInfo) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "scopes": t.scopes.names(),
        "createdAt": rfc3339(t.created_at),
        "expiresAt": t.expires_at.map(rfc3339),
        "lastUsedAt": t.last_used_at.map(rfc3339),
    })
}

/// Who may see and change the tokens.
const ADMIN_ONLY: &str = "Only an ADMIN manages API tokens.";

/// What the page says above the list: a new token and its secret, an error, a notice.
#[derive(Default)]
struct Said {
    created: Option<Value>,
    error: Option<String>,
    notice: Option<&'static str>,
}

async fn page(state: &AppState, viewer: &Viewer, status: StatusCode, said: Said) -> Response {
    let page = match state
        .store
        .list_api_tokens(&viewer.account_id, &PageRequest::<Cursor>::first(SHOWN))
        .await
    {
        Ok(page) => page,
        Err(error) => {
            tracing::error!(%error, "listing tokens");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let tokens: Vec<Value> = page.data.iter().map(token_view).collect();
    let scopes: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    render(
        status,
        "tokens.html",
        context! { viewer => context_of(viewer), tokens => tokens, scopes => scopes,
        created => said.created, error => said.error, notice => said.notice },
    )
}

#[derive(Deserialize)]
struct Flash {
    revoked: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Response {
    if let Some(refusal) = viewer.refuse_unless(Scope::Admin, ADMIN_ONLY) {
        return refusal;
    }
    let said = Said {
        notice: flash.revoked.map(|_| "The token was revoked."),
        ..Said::default()
    };
    page(&state, &viewer, StatusCode::OK, said).await
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    if let Some(refusal) = viewer.refuse_post(&field("csrf"), Scope::Admin, ADMIN_ONLY) {
        return refusal;
    }
    let name = field("name");
    if name.is_empty() || name.chars().count() > 200 {
        let said = Said {
            error: Some("Name the token (1 to 200 characters).".into()),
            ..Said::default()
        };
        return page(&state, &viewer, StatusCode::BAD_REQUEST, said).await;
    }
    let scopes: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let grantor = Grantor {
        scopes: viewer.role.scopes(),
        expires_at: None,
    };
    let chosen = (!scopes.is_empty()).then_some(scopes.as_slice());
    match issue_token(&state, &viewer.account_id, grantor, &name, chosen, None).await {
        Ok((info, secret)) => {
            let mut created = token_view(&info);
            created["secret"] = json!(secret);
            let said = Said {
                created: Some(created),
                ..Said::default()
            };
            page(&state, &viewer, StatusCode::CREATED, said).await
        }
        Err(AppError(error)) if error.status < 500 => {
            let said = Said {
                error: Some(error.message),
                ..Said::default()
            };
            page(&state, &viewer, StatusCode::BAD_REQUEST, said).await
        }
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Admin, ADMIN_ONLY) {
        return refusal;
    }
    match state.store.revoke_api_token(&viewer.account_id, &id).await {
        Ok(true) => Redirect::to("/settings/tokens?revoked=1").into_response(),
        Ok(false) => error_page(404, "No such token."),
        Err(error) => {
            tracing::error!(%error, "revoking a token");
            error_page(503, "The service is busy; try again in a moment.")
        }
    }
}
