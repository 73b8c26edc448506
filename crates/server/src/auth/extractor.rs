//! The `Principal` extractor: resolves the bearer token to an account (and user, for session
//! tokens and JWTs). Every API handler takes a `Principal`, so no route can forget auth.

use super::tokens::{hash_token, API_TOKEN_PREFIX, SESSION_TOKEN_PREFIX};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use scorejar_core::ApiError;
use time::OffsetDateTime;

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account_id: String,
    pub user_id: Option<String>,
    /// The raw bearer token (logout needs it to end its own session).
    pub token: String,
}

fn unauthorized(message: &str) -> AppError {
    AppError(ApiError::unauthorized(message))
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(parts: &Parts) -> Result<&str, AppError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("missing `Authorization: Bearer <token>` header"))?;
    let value = header
        .to_str()
        .map_err(|_| unauthorized("malformed Authorization header"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| unauthorized("Authorization header must be `Bearer <token>`"))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(unauthorized(
            "Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(token)
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer_token(parts)?.to_string();
        let invalid = || unauthorized("invalid, expired or revoked token");
        if token.starts_with(API_TOKEN_PREFIX) {
            let account_id = state
                .store
                .account_for_api_token(&hash_token(&token))
                .await?
                .ok_or_else(invalid)?;
            return Ok(Principal {
                account_id,
                user_id: None,
                token,
            });
        }
        if token.starts_with(SESSION_TOKEN_PREFIX) {
            let session = state
                .store
                .find_session(&hash_token(&token))
                .await?
                .ok_or_else(invalid)?;
            if session.expires_at <= OffsetDateTime::now_utc() {
                return Err(invalid());
            }
            return Ok(Principal {
                account_id: session.account_id,
                user_id: Some(session.user_id),
                token,
            });
        }
        if token.matches('.').count() == 2 {
            let claims = state.jwt.verify(&token).ok_or_else(invalid)?;
            let user = state
                .store
                .find_user(&claims.sub)
                .await?
                .ok_or_else(invalid)?;
            return Ok(Principal {
                account_id: user.account_id,
                user_id: Some(user.id),
                token,
            });
        }
        Err(invalid())
    }
}
