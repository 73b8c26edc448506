//! API tokens: `POST/GET /api/v1/tokens`, `DELETE /api/v1/tokens/{id}`. The secret is shown once,
//! at creation; only its SHA-256 is stored; a revoked token fails on its very next request.

use super::json::{required_str, JsonBody};
use super::render::rfc3339;
use crate::auth::tokens::{hash_token, new_api_token};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use scorejar_core::ids::new_id;
use scorejar_core::ApiError;
use scorejar_store::NewApiToken;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
}

/// Creates an API token; the response is the only time the secret is shown.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 201, description = "`{id, name, token}`")), security(("bearer" = [])))]
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
    let token = new_api_token();
    let info = state
        .store
        .create_api_token(
            &principal.account_id,
            NewApiToken {
                id: new_id(),
                name: name.to_string(),
                token_hash: hash_token(&token),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "id": info.id, "name": info.name, "token": token, "createdAt": rfc3339(info.created_at) }),
        ),
    ))
}

/// Lists the account's live API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, description = "`{data: [{id, name, createdAt}]}`")), security(("bearer" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Value>> {
    let tokens = state.store.list_api_tokens(&principal.account_id).await?;
    let data: Vec<Value> = tokens
        .iter()
        .map(|t| json!({ "id": t.id, "name": t.name, "createdAt": rfc3339(t.created_at) }))
        .collect();
    Ok(Json(json!({ "data": data })))
}

/// Revokes a token of the account.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path)),
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
        Err(AppError(ApiError::not_found(
            "token_not_found",
            format!("token {id} not found"),
        )))
    }
}
