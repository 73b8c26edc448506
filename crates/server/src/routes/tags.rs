//! Tags: `POST/GET /api/v1/tags`. Uploads connect tags by id or name; they never create them.

use super::json::{required_str, JsonBody};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use scorejar_core::ids::new_id;
use scorejar_core::model::Tag;
use scorejar_core::ApiError;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/tags", get(list_tags).post(create_tag))
}

/// Creates a tag; names are unique per account, case-insensitively (409 otherwise).
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags",
    request_body = crate::openapi::CreateTagDoc,
    responses((status = 201, description = "The tag", body = crate::openapi::TagDoc), (status = 409, description = "Name taken", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_tag(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<Value>)> {
    let name = required_str(&body, "name")?.trim();
    if name.chars().count() > 100 {
        return Err(AppError(ApiError::invalid(
            "name",
            "`name` is longer than 100 characters",
        )));
    }
    let tag = state
        .store
        .create_tag(
            &principal.account_id,
            Tag {
                id: new_id(),
                name: name.to_string(),
            },
        )
        .await
        .map_err(|e| match e {
            scorejar_store::StoreError::Conflict(_) => AppError(
                ApiError::conflict(
                    "tag_exists",
                    format!("a tag named \"{name}\" already exists"),
                )
                .with_field("name"),
            ),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": tag.id, "name": tag.name })),
    ))
}

/// Lists the account's tags, by name.
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags",
    responses((status = 200, description = "Every tag of the account", body = crate::openapi::TagListDoc)), security(("bearer" = [])))]
pub async fn list_tags(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Value>> {
    let tags = state.store.list_tags(&principal.account_id).await?;
    Ok(Json(json!({ "data": tags })))
}
