//! The `Principal` extractor: resolves the bearer token to an account (and user, for session
//! tokens and JWTs), then checks the route's scope (`scopes.rs`). Every API handler takes a
//! `Principal`, so no route can forget either.
//!
//! API tokens carry their own scopes and may expire; sessions and user JWTs act for a person
//! and hold the scopes of their role (`scorejar_core::roles`); an AGENT is also held to the
//! routes of `scopes::AGENT_ROUTES` and, in those, to their own interactions. An API token's use is written as `last_used_at` at most once a
//! minute (`scorejar_core::tokens::should_record_use`).

use super::scopes::{access_for, agent_may_use, Access};
use super::tokens::{hash_token, API_TOKEN_PREFIX, SESSION_TOKEN_PREFIX};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use scorejar_core::model::UserRecord;
use scorejar_core::roles::{may_see, Role};
use scorejar_core::tokens::{is_expired, require_scope, should_record_use, Scope, ScopeSet};
use scorejar_core::ApiError;
use time::OffsetDateTime;

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account_id: String,
    pub user_id: Option<String>,
    /// The raw bearer token (logout needs it to end its own session).
    pub token: String,
    /// What the token may do: an API token's own scopes; every scope for sessions and JWTs.
    pub scopes: ScopeSet,
    /// When an API token stops working; `None` for tokens without expiry, sessions and JWTs.
    pub expires_at: Option<OffsetDateTime>,
    /// For an AGENT: their agent participant, the only agent whose interactions they see.
    pub agent: Option<String>,
}

impl Principal {
    /// The principal acting for `user` with `token`: the user's role caps what it may do.
    /// A deactivated user is refused (401).
    fn for_user(user: UserRecord, token: String) -> Result<Self, AppError> {
        if !user.active {
            return Err(unauthorized("this user has been deactivated"));
        }
        Ok(Principal {
            account_id: user.account_id,
            user_id: Some(user.id),
            token,
            scopes: user.role.scopes(),
            expires_at: None,
            agent: (user.role == Role::Agent)
                .then_some(user.agent_participant_id)
                .flatten(),
        })
    }

    /// 403 unless the principal may see an interaction whose agent is `agent_id`: an AGENT
    /// sees only their own.
    pub fn require_sight_of(&self, agent_id: Option<&str>) -> Result<(), AppError> {
        if may_see(self.agent.as_deref(), agent_id) {
            Ok(())
        } else {
            Err(AppError(ApiError::new(
                403,
                "forbidden",
                "this interaction is another agent's; an AGENT sees only their own",
            )))
        }
    }

    /// 403 `insufficient_scope` unless the token holds `scope`: for needs that depend on the
    /// request's content (an upload that queues an evaluation also needs `evaluate`).
    pub fn require(&self, scope: Scope) -> Result<(), AppError> {
        require_scope(self.scopes, scope).map_err(AppError)
    }
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
        let principal = authenticate(parts, state).await?;
        let pattern = parts
            .extensions
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        match access_for(parts.method.as_str(), &pattern) {
            Some(Access::Needs(scope)) => principal.require(scope)?,
            Some(Access::AnyToken) => {}
            None => {
                tracing::error!(method = %parts.method, route = %pattern, "route has no scope in auth/scopes.rs");
                return Err(AppError(ApiError::new(
                    403,
                    "insufficient_scope",
                    "no scope grants this route",
                )));
            }
        }
        if principal.agent.is_some() && !agent_may_use(parts.method.as_str(), &pattern) {
            return Err(AppError(ApiError::new(
                403,
                "insufficient_scope",
                "an AGENT may only read their own interactions and evaluations",
            )));
        }
        Ok(principal)
    }
}

/// Who the bearer token is, or 401.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Principal, AppError> {
    let token = bearer_token(parts)?.to_string();
    let invalid = || unauthorized("invalid, expired or revoked token");
    if token.starts_with(API_TOKEN_PREFIX) {
        let found = state
            .store
            .find_api_token(&hash_token(&token))
            .await?
            .ok_or_else(invalid)?;
        let now = OffsetDateTime::now_utc();
        if is_expired(found.expires_at, now) {
            return Err(unauthorized("this token has expired"));
        }
        if should_record_use(found.last_used_at, now) {
            // A lost write only leaves `last_used_at` a little staler: never fail the
            // request for it.
            if let Err(error) = state.store.record_api_token_use(&found.id, now).await {
                tracing::warn!(token_id = %found.id, ?error, "could not record token use");
            }
        }
        return Ok(Principal {
            account_id: found.account_id,
            user_id: None,
            token,
            scopes: found.scopes,
            expires_at: found.expires_at,
            agent: None,
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
        let user = state
            .store
            .find_user(&session.user_id)
            .await?
            .ok_or_else(invalid)?;
        return Principal::for_user(user, token);
    }
    if token.matches('.').count() == 2 {
        let claims = state.jwt.verify(&token).ok_or_else(invalid)?;
        let user = state
            .store
            .find_user(&claims.sub)
            .await?
            .ok_or_else(invalid)?;
        return Principal::for_user(user, token);
    }
    Err(invalid())
}
