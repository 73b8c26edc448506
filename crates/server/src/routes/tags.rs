//! Tags: `POST/GET /api/v1/tags`, `PATCH/DELETE /api/v1/tags/{id}`. Uploads connect tags by id or
//! name; they never create them. Names are unique per account, case-insensitively.

use super::json::{required_str, JsonBody};
use super::paging::page_request;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use scorejar_core::ids::new_id;
use scorejar_core::model::Tag;
use scorejar_core::paging::NameCursor;
use scorejar_core::ApiError;
use scorejar_store::StoreError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Longest tag name, in characters.
const MAX_NAME_CHARS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tags", get(list_tags).post(create_tag))
        .route("/api/v1/tags/{id}", patch(rename_tag).delete(delete_tag))
}

/// A tag as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tag)]
pub struct TagView {
    pub id: String,
    pub name: String,
}

impl From<Tag> for TagView {
    fn from(t: Tag) -> Self {
        TagView {
            id: t.id,
            name: t.name,
        }
    }
}

/// A page of `GET /api/v1/tags`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TagList)]
pub struct TagPage {
    /// By name (case-insensitive), then id.
    pub data: Vec<TagView>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// The `name` of a tag body: required, trimmed, at most 100 characters.
fn tag_name(body: &Value) -> AppResult<String> {
    let name = required_str(body, "name")?.trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError(ApiError::invalid(
            "name",
            format!("`name` is longer than {MAX_NAME_CHARS} characters"),
        )));
    }
    Ok(name.to_string())
}

/// 409 `tag_exists` for a store conflict on the name.
fn name_taken(name: &str) -> impl FnOnce(StoreError) -> AppError + '_ {
    move |e| match e {
        StoreError::Conflict(_) => AppError(
            ApiError::conflict(
                "tag_exists",
                format!("a tag named \"{name}\" already exists"),
            )
            .with_field("name"),
        ),
        other => other.into(),
    }
}

fn not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "tag_not_found",
        format!("tag {id} not found"),
    ))
}

/// Creates a tag; names are unique per account, case-insensitively (409 otherwise).
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags",
    request_body = crate::openapi::CreateTagDoc,
    responses((status = 201, description = "The tag", body = TagView), (status = 409, description = "Name taken (`tag_exists`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_tag(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<TagView>)> {
    let name = tag_name(&body)?;
    let tag = state
        .store
        .create_tag(
            &principal.account_id,
            Tag {
                id: new_id(),
                name: name.clone(),
            },
        )
        .await
        .map_err(name_taken(&name))?;
    Ok((StatusCode::CREATED, Json(tag.into())))
}

/// Lists the account's tags by name (case-insensitive, then id), a page at a time.
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags",
    params(super::paging::PageParams),
    responses((status = 200, description = "A page of the account's tags", body = TagPage),
        (status = 400, description = "Unknown or repeated parameter, `limit` out of range, or not a `cursor` of this list (`field` names it)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_tags(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<TagPage>> {
    let page = page_request::<NameCursor>(query)?;
    let tags = state.store.list_tags(&principal.account_id, &page).await?;
    Ok(Json(TagPage {
        data: tags.data.into_iter().map(TagView::from).collect(),
        next_cursor: tags.next_cursor,
    }))
}

/// Renames a tag. Interactions keep it (they link the tag, not its name). 409 `tag_exists` when
/// another tag of the account has the name (case-insensitive); changing only the case is fine.
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags",
    params(("id" = String, Path, description = "Tag id")),
    request_body = crate::openapi::CreateTagDoc,
    responses((status = 200, description = "The renamed tag", body = TagView),
        (status = 404, description = "No such tag on this account (`tag_not_found`)", body = crate::openapi::ErrorDoc),
        (status = 409, description = "Name taken (`tag_exists`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn rename_tag(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<TagView>> {
    let name = tag_name(&body)?;
    let tag = state
        .store
        .rename_tag(&principal.account_id, &id, &name)
        .await
        .map_err(name_taken(&name))?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(tag.into()))
}

/// Deletes a tag and, in the same transaction, unlinks it from every interaction that has it
/// (the interactions stay). Filters and uploads naming it find nothing afterwards.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags",
    params(("id" = String, Path, description = "Tag id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such tag on this account (`tag_not_found`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn delete_tag(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    if state.store.delete_tag(&principal.account_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&id))
    }
}
