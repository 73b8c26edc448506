//! Session login and logout: `POST /api/v1/auth/login` trades an e-mail and password for a
//! session access token; `POST /api/v1/auth/logout` ends the session the request carries.

use super::json::{required_str, JsonBody};
use super::render::rfc3339;
use crate::auth::login_throttle::LoginThrottle;
use crate::auth::passwords::{verify_dummy, verify_password};
use crate::auth::tokens::{hash_token, new_session_token, SESSION_TOKEN_PREFIX};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Json, Router};
use scorejar_core::model::UserRecord;
use scorejar_core::ApiError;
use scorejar_store::NewSession;
use serde_json::{json, Value};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
}

/// Logs a user in; answers `{accessToken, expiresAt}`. Attempts are throttled per e-mail and
/// per client address (429 with `Retry-After`); an unknown e-mail takes as long as a wrong
/// password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = crate::openapi::LoginDoc,
    responses((status = 200, description = "A session", body = crate::openapi::SessionDoc),
        (status = 401, description = "Wrong e-mail or password", body = crate::openapi::ErrorDoc),
        (status = 429, description = "Too many attempts for this e-mail or address", body = crate::openapi::ErrorDoc)))]
pub async fn login(
    State(state): State<AppState>,
    Extension(throttle): Extension<Arc<LoginThrottle>>,
    req: Request,
) -> AppResult<Json<Value>> {
    let (parts, body) = req.into_parts();
    let client = throttle.client(&parts);
    let JsonBody(body) = JsonBody::from_request(Request::from_parts(parts, body), &state).await?;
    let email = required_str(&body, "email")?;
    let password = required_str(&body, "password")?;
    let user = check_credentials(&state, &throttle, client, email, password).await?;
    let expires_at = OffsetDateTime::now_utc() + Duration::seconds(state.settings.session_ttl_secs);
    let token = start_session(&state, user, expires_at).await?;
    Ok(Json(
        json!({ "accessToken": token, "expiresAt": rfc3339(expires_at) }),
    ))
}

/// Starts a session for `user` until `expires_at`; answers its secret token (only its hash is
/// stored). The API's login and the web app's sign-in form alike.
pub async fn start_session(
    state: &AppState,
    user: UserRecord,
    expires_at: OffsetDateTime,
) -> AppResult<String> {
    let token = new_session_token();
    state
        .store
        .create_session(NewSession {
            token_hash: hash_token(&token),
            user_id: user.id,
            account_id: user.account_id,
            expires_at,
        })
        .await?;
    Ok(token)
}

/// The user with this e-mail and password, for the API's login and the web app's sign-in
/// form alike: throttled per e-mail and per client address (429), and an unknown e-mail
/// takes as long as a wrong password (401 either way).
pub async fn check_credentials(
    state: &AppState,
    throttle: &LoginThrottle,
    client: Option<std::net::IpAddr>,
    email: &str,
    password: &str,
) -> AppResult<UserRecord> {
    throttle.check(email, client)?;
    let wrong = || AppError(ApiError::unauthorized("wrong e-mail or password"));
    let user = state.store.find_user_by_email(email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let password = password.to_owned();
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify_password(&password, &stored),
        None => verify_dummy(&password),
    })
    .await
    .map_err(anyhow::Error::from)?;
    // A deactivated user is answered like a wrong password: no session to start.
    user.filter(|u| ok && u.active).ok_or_else(wrong)
}

/// Ends the session whose access token authenticates this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Session ended"),
        (status = 400, description = "The request was not made with a session access token (`not_a_session`)", body = crate::openapi::ErrorDoc)), security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, principal: Principal) -> AppResult<StatusCode> {
    if !principal.token.starts_with(SESSION_TOKEN_PREFIX) {
        return Err(AppError(ApiError::bad_request(
            "not_a_session",
            "logout ends a session; this request was not made with a session access token",
        )));
    }
    state
        .store
        .delete_session(&hash_token(&principal.token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
