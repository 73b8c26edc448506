//! `POST /api/v1/interactions/{id}/tags` (`{"tag": "<id or name>"}`) and
//! `DELETE /api/v1/interactions/{id}/tags/{tagId}`: a reviewer tags or untags one interaction
//! with the account's tags (creating tags stays with `POST /api/v1/tags`). Both answer the
//! interaction's tags after the change; linking twice or unlinking a tag it lacks changes
//! nothing.

use super::json::{required_str, JsonBody};
use super::tags::TagView;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{delete, post};
use axum::{Json, Router};
use scorejar_core::model::Tag;
use scorejar_core::ApiError;
use scorejar_store::StoreError;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/interactions/{id}/tags", post(add_tag))
        .route("/api/v1/interactions/{id}/tags/{tagId}", delete(remove_tag))
}

fn answer(id: &str, tags: Option<Vec<Tag>>) -> AppResult<Json<Value>> {
    let tags = tags.ok_or_else(|| AppError::interaction_not_found(id))?;
    let tags: Vec<TagView> = tags.into_iter().map(TagView::from).collect();
    Ok(Json(json!({ "interactionId": id, "tags": tags })))
}

/// Tags an interaction with one of the account's tags.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/tags", tag = "interactions",
    params(("id" = String, Path)),
    request_body(content = inline(Object), description = "`{\"tag\": \"<tag id or name>\"}`"),
    responses((status = 200, description = "`{interactionId, tags: [{id, name}]}`: its tags after"),
        (status = 400, description = "`tag` missing or not a string", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such interaction, or no such tag (`tag_not_found`, field `tag`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn add_tag(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<Value>> {
    let tag = required_str(&body, "tag")?.trim().to_owned();
    let tags = tag_interaction(&state, &principal.account_id, &id, &tag).await?;
    answer(&id, tags)
}

/// Links the tag named `tag` (id or name) to the interaction: the API's answer and the web
/// app's tag form alike. `None` without such interaction; 404 `tag_not_found` (field `tag`).
pub async fn tag_interaction(
    state: &AppState,
    account_id: &str,
    id: &str,
    tag: &str,
) -> AppResult<Option<Vec<Tag>>> {
    state
        .store
        .tag_interaction(account_id, id, tag)
        .await
        .map_err(|e| match e {
            StoreError::NotFound("tag") => AppError(
                ApiError::not_found("tag_not_found", format!("no tag \"{tag}\" on this account"))
                    .with_field("tag"),
            ),
            e => e.into(),
        })
}

/// Removes a tag from an interaction.
#[utoipa::path(delete, path = "/api/v1/interactions/{id}/tags/{tagId}", tag = "interactions",
    params(("id" = String, Path), ("tagId" = String, Path)),
    responses((status = 200, description = "`{interactionId, tags: [{id, name}]}`: its tags after"),
        (status = 404, description = "No such interaction", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn remove_tag(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, tag_id)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let tags = state
        .store
        .untag_interaction(&principal.account_id, &id, &tag_id)
        .await?;
    answer(&id, tags)
}
