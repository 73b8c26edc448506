//! API tokens: `POST/GET /api/v1/tokens`, `GET/DELETE /api/v1/tokens/{id}`. The secret is shown once,
//! at creation; only its SHA-256 is stored; a revoked token fails on its very next request.
//! Every route here needs the `admin` scope. A new token gets the scopes and expiry that
//! `scorejar_core::tokens::grant` decides: never more than its creator holds.

use super::json::{required_str, JsonBody};
use super::render::rfc3339;
use crate::auth::tokens::{hash_token, new_api_token};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use scorejar_core::cursor::Cursor;
use scorejar_core::ids::new_id;
use scorejar_core::model::ApiTokenInfo;
use scorejar_core::tokens::grant;
pub use scorejar_core::tokens::Grantor;
use scorejar_core::ApiError;
use scorejar_store::NewApiToken;
use serde::Serialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", get(get_token).delete(revoke_token))
}

/// Creates an API token; the response is the only time the secret is shown. Body:
/// `{name, scopes?, expiresAt?}`. `scopes` (of `upload`, `read`, `evaluate`, `scorecards`,
/// `admin`) defaults
/// to the caller's own; a scope the caller lacks is a 403. `expiresAt` (RFC 3339) must be in
/// the future; a caller that expires itself cannot create a token that outlives it.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = crate::openapi::CreateTokenDoc,
    responses((status = 201, description = "The token, with its secret", body = crate::openapi::CreatedTokenDoc),
        (status = 400, description = "Missing `name`, unknown scope, `expiresAt` not RFC 3339 or not in the future", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<Value>)> {
    let name = required_str(&body, "name")?;
    if name.chars().count() > 200 {
        return Err(AppError(ApiError::invalid(
            "name",
            "`name` is longer than 200 characters",
        )));
    }
    let scopes = optional_strings(&body, "scopes")?;
    let expires_at = optional_time(&body, "expiresAt")?;
    let grantor = Grantor {
        scopes: principal.scopes,
        expires_at: principal.expires_at,
    };
    let (info, token) = issue_token(
        &state,
        &principal.account_id,
        grantor,
        name,
        scopes.as_deref(),
        expires_at,
    )
    .await?;
    let mut out = token_json(&info);
    out["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(out)))
}

/// Creates an API token named `name` for the account, with what `grantor` may give
/// (`scorejar_core::tokens::grant`): the API's `POST /api/v1/tokens` and the web app's token
/// page alike. Answers the token and its secret, which is never shown again.
pub async fn issue_token(
    state: &AppState,
    account_id: &str,
    grantor: Grantor,
    name: &str,
    scopes: Option<&[String]>,
    expires_at: Option<OffsetDateTime>,
) -> AppResult<(ApiTokenInfo, String)> {
    let granted = grant(grantor, scopes, expires_at, OffsetDateTime::now_utc())?;
    let token = new_api_token();
    let info = state
        .store
        .create_api_token(
            account_id,
            NewApiToken {
                id: new_id(),
                name: name.to_string(),
                token_hash: hash_token(&token),
                scopes: granted.scopes,
                expires_at: granted.expires_at,
            },
        )
        .await?;
    Ok((info, token))
}

/// An API token as the API shows it (never the secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Token)]
pub struct TokenView {
    id: String,
    name: String,
    #[schema(value_type = Vec<crate::openapi::ScopeDoc>)]
    scopes: Vec<&'static str>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    expires_at: Option<String>,
    /// Written at most once a minute, so up to a minute behind.
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
}

impl From<&ApiTokenInfo> for TokenView {
    fn from(t: &ApiTokenInfo) -> Self {
        TokenView {
            id: t.id.clone(),
            name: t.name.clone(),
            scopes: t.scopes.names(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
        }
    }
}

/// A page of `GET /api/v1/tokens`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TokenList)]
pub struct TokenPage {
    /// Newest first (by creation time, then id).
    data: Vec<TokenView>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// A token as the API shows it, as JSON (creation adds the secret to it).
fn token_json(t: &ApiTokenInfo) -> Value {
    json!(TokenView::from(t))
}

/// An optional array of strings (`null` = absent).
fn optional_strings(body: &Value, field: &str) -> Result<Option<Vec<String>>, AppError> {
    let list = match body.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(AppError(ApiError::invalid(
                field,
                format!("`{field}` must be an array of strings"),
            )))
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                AppError(ApiError::invalid(
                    format!("{field}[{i}]"),
                    format!("`{field}[{i}]` must be a string"),
                ))
            })
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// An optional RFC 3339 instant (`null` = absent).
fn optional_time(body: &Value, field: &str) -> Result<Option<OffsetDateTime>, AppError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339).map(Some).map_err(|_| {
            AppError(ApiError::invalid(
                field,
                format!("`{field}` must be an RFC 3339 date-time, e.g. 2027-01-31T00:00:00Z"),
            ))
        }),
        Some(_) => Err(AppError(ApiError::invalid(
            field,
            format!("`{field}` must be an RFC 3339 date-time string"),
        ))),
    }
}

/// Lists the account's live API tokens (never their secrets), expired ones included, newest
/// first, a page at a time. `lastUsedAt` is written at most once a minute, so it may be up to a
/// minute behind.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    params(super::paging::PageParams),
    responses((status = 200, description = "A page of the account's tokens", body = TokenPage),
        (status = 400, description = "Unknown or repeated parameter, `limit` out of range, or not a `cursor` of this list (`field` names it)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<TokenPage>> {
    let page = super::paging::page_request::<Cursor>(query)?;
    let tokens = state
        .store
        .list_api_tokens(&principal.account_id, &page)
        .await?;
    Ok(Json(TokenPage {
        data: tokens.data.iter().map(TokenView::from).collect(),
        next_cursor: tokens.next_cursor,
    }))
}

/// One live token of the account (never its secret), expired or not.
#[utoipa::path(get, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 200, description = "The token", body = TokenView),
        (status = 404, description = "No such live token on this account (`token_not_found`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<TokenView>> {
    let token = state
        .store
        .get_api_token(&principal.account_id, &id)
        .await?
        .ok_or_else(|| token_not_found(&id))?;
    Ok(Json(TokenView::from(&token)))
}

fn token_not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "token_not_found",
        format!("token {id} not found"),
    ))
}

/// Revokes a token of the account.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such token", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    if state
        .store
        .revoke_api_token(&principal.account_id, &id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(token_not_found(&id))
    }
}
