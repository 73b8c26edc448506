//! `GET /media/{token}`: an interaction's stored recording, for whoever holds a signed,
//! expiring link (`scorejar_store::media_links`; a webhook with `includeMedia` carries one).
//! No API token: the link is the authorisation, so receivers can download with a plain GET.
//! `GET /api/v1/interactions/{id}/media`: the same, for an API token that may read it.
//!
//! Streams from the media store without buffering and answers single `Range` requests with
//! 206 (players and resumable downloads need them); a multi-range request gets the whole
//! object, which RFC 9110 §14.2 allows. A link that is malformed, signed with another key or
//! expired is refused with 403 and says which; an interaction deleted since is a 404.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use scorejar_core::media_link::MediaLinkError;
use scorejar_core::ApiError;
use std::ops::Range;
use time::OffsetDateTime;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/media/{token}", get(media_by_link))
        .route("/api/v1/interactions/{id}/media", get(interaction_media))
}

/// An interaction's stored recording, streamed back as it was uploaded or downloaded (single
/// `Range` requests answered with 206). An AGENT's token gets only their own calls.
#[utoipa::path(get, path = "/api/v1/interactions/{id}/media", tag = "interactions",
    params(("id" = String, Path, description = "interactionId"),
           ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`")),
    responses((status = 200, description = "The whole recording", content_type = "application/octet-stream"),
              (status = 206, description = "The requested byte range", content_type = "application/octet-stream"),
              (status = 404, description = "No such interaction, or it has no stored media", body = crate::openapi::ErrorDoc),
              (status = 416, description = "The range lies outside the recording", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn interaction_media(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if principal.agent.is_some() {
        let record = state
            .store
            .get_interaction(&principal.account_id, &id)
            .await?
            .ok_or_else(media_gone)?;
        principal.require_sight_of(record.agent.as_ref().map(|a| a.id.as_str()))?;
    }
    serve_media(&state, &principal.account_id, &id, &headers).await
}

/// The media a signed link grants.
#[utoipa::path(get, path = "/media/{token}", tag = "media",
    params(("token" = String, Path, description = "The signed link's token, as in a webhook's `data.mediaUrl`"),
           ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`")),
    responses((status = 200, description = "The whole recording", content_type = "application/octet-stream"),
              (status = 206, description = "The requested byte range", content_type = "application/octet-stream"),
              (status = 403, description = "The link is malformed, forged or expired", body = crate::openapi::ErrorDoc),
              (status = 404, description = "The interaction or its media no longer exists", body = crate::openapi::ErrorDoc),
              (status = 416, description = "The range lies outside the recording", body = crate::openapi::ErrorDoc)))]
pub async fn media_by_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let grant = state
        .media_links
        .check(&token, OffsetDateTime::now_utc())
        .await?
        .map_err(|error| {
            let code = match error {
                MediaLinkError::Expired => "media_link_expired",
                MediaLinkError::Malformed | MediaLinkError::BadSignature => "invalid_media_link",
            };
            AppError(ApiError::new(403, code, error.to_string()))
        })?;
    serve_media(&state, &grant.account_id, &grant.interaction_id, &headers).await
}

fn media_gone() -> AppError {
    AppError(ApiError::not_found(
        "media_not_found",
        "the interaction or its media no longer exists",
    ))
}

/// What to send of an object for the request's `Range` header.
#[derive(Debug, PartialEq)]
enum Wanted {
    All,
    Part(Range<u64>),
    Unsatisfiable,
}

/// What the request's `Range` header asks of an object of `size` bytes.
fn requested_range(headers: &HeaderMap, size: u64) -> Wanted {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Wanted::All;
    };
    // A header we cannot parse is ignored (RFC 9110 §14.2), one that parses but lies
    // outside the object is refused.
    let Ok(parsed) = http_range_header::parse_range_header(value) else {
        return Wanted::All;
    };
    match parsed.validate(size) {
        Ok(ranges) if ranges.len() == 1 => {
            let range = &ranges[0];
            Wanted::Part(*range.start()..*range.end() + 1)
        }
        Ok(_) => Wanted::All,
        Err(_) => Wanted::Unsatisfiable,
    }
}

/// Streams the media of one interaction of `account_id`, honouring a single `Range`.
pub async fn serve_media(
    state: &AppState,
    account_id: &str,
    interaction_id: &str,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let record = state
        .store
        .get_interaction(account_id, interaction_id)
        .await?
        .ok_or_else(media_gone)?;
    let media = record.media.as_ref().ok_or_else(media_gone)?;
    let key = media.info.object_key.as_deref().ok_or_else(media_gone)?;
    let size = state
        .media
        .size(key)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(media_gone)?;
    let range = match requested_range(headers, size) {
        Wanted::All => None,
        Wanted::Part(range) => Some(range),
        Wanted::Unsatisfiable => {
            let mut response = AppError(ApiError::new(
                416,
                "range_not_satisfiable",
                format!("the range lies outside the recording's {size} bytes"),
            ))
            .into_response();
            response.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{size}")).expect("ASCII"),
            );
            return Ok(response);
        }
    };
    let partial = range.is_some();
    let read = state
        .media
        .read_range(key, range)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(media_gone)?;
    let content_type = media
        .info
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut response = Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, read.range.end - read.range.start)
        .header(header::CACHE_CONTROL, "private, no-store");
    if partial {
        response = response.status(StatusCode::PARTIAL_CONTENT).header(
            header::CONTENT_RANGE,
            format!(
                "bytes {}-{}/{}",
                read.range.start,
                read.range.end - 1,
                read.size
            ),
        );
    }
    response
        .body(Body::from_stream(read.stream))
        .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_one_part_all_or_refused() {
        let cases: &[(Option<&str>, Wanted)] = &[
            (None, Wanted::All),
            (Some("bytes=0-9"), Wanted::Part(0..10)),
            (Some("bytes=90-"), Wanted::Part(90..100)),
            (Some("bytes=-10"), Wanted::Part(90..100)),
            (Some("bytes=0-999"), Wanted::Part(0..100)),
            (Some("bytes=0-1,5-6"), Wanted::All),
            (Some("lines=1-2"), Wanted::All),
            (Some("bytes=100-"), Wanted::Unsatisfiable),
            (Some("bytes=200-300"), Wanted::Unsatisfiable),
        ];
        for (header, expected) in cases {
            let mut headers = HeaderMap::new();
            if let Some(h) = header {
                headers.insert(header::RANGE, HeaderValue::from_static(h));
            }
            assert_eq!(&requested_range(&headers, 100), expected, "{header:?}");
        }
    }
}
