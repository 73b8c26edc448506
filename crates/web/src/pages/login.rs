//! Signing in and out. The form posts the e-mail and password through the API's own check
//! (`scorejar_server::routes::auth::check_credentials`: argon2, the same throttles), then
//! starts a session and sets its cookie.

use crate::csrf::{self, refused_form, CsrfOnly};
use crate::session::{cleared_cookie, session_cookie, slid_expiry, Viewer};
use crate::views::{error_page, render};
use axum::extract::{Form, FromRequest, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use axum_extra::extract::CookieJar;
use minijinja::context;
use scorejar_server::auth::login_throttle::LoginThrottle;
use scorejar_server::auth::tokens::hash_token;
use scorejar_server::error::AppError;
use scorejar_server::routes::auth::{check_credentials, start_session};
use scorejar_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
    /// Set after a password link was used: the form says so.
    password: Option<String>,
}

/// Where to go after signing in: a path on this site, never another site (`//evil`,
/// `/\evil` and absolute URLs fall back to the list).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/interactions",
    }
}

async fn login_form(Query(q): Query<Next>) -> Response {
    render(
        StatusCode::OK,
        "login.html",
        context! { next => safe_next(q.next.as_deref()), email => "",
        notice => q.password.map(|_| "Your password is set. Sign in with it.") },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Extension(throttle): Extension<Arc<LoginThrottle>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if !csrf::same_origin(&parts.headers) {
        return error_page(403, "This form did not come from this site.");
    }
    let client = throttle.client(&parts);
    let jar = CookieJar::from_headers(&parts.headers);
    let Ok(Form(form)) =
        Form::<LoginForm>::from_request(Request::from_parts(parts, body), &state).await
    else {
        return error_page(400, "The form needs an e-mail and a password.");
    };
    let next = safe_next(form.next.as_deref()).to_owned();
    let again = |status: StatusCode, message: &str| {
        render(
            status,
            "login.html",
            context! { next => &next, email => &form.email, error => message },
        )
    };
    let user = match check_credentials(&state, &throttle, client, &form.email, &form.password).await
    {
        Ok(user) => user,
        Err(AppError(e)) if e.status == 401 => {
            return again(StatusCode::UNAUTHORIZED, "Wrong e-mail or password.")
        }
        Err(AppError(e)) if e.status == 429 => {
            return again(StatusCode::TOO_MANY_REQUESTS, &e.message)
        }
        Err(AppError(e)) => {
            tracing::error!(error = %e.message, "signing in");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let now = OffsetDateTime::now_utc();
    let expires_at = slid_expiry(
        now,
        now,
        Duration::seconds(state.settings.web.session_idle_secs as i64),
        Duration::seconds(state.settings.session_ttl_secs),
    );
    let token = match start_session(&state, user, expires_at).await {
        Ok(token) => token,
        Err(AppError(error)) => {
            tracing::error!(error = %error.message, "starting a session");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let jar = jar.add(session_cookie(&state, token));
    (jar, Redirect::to(&next)).into_response()
}

async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !viewer.csrf_ok(&form.csrf) {
        return refused_form();
    }
    if let Err(error) = state.store.delete_session(&hash_token(&viewer.token)).await {
        tracing::error!(%error, "ending a session");
        return error_page(503, "The service is busy; try again in a moment.");
    }
    (jar.add(cleared_cookie()), Redirect::to("/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_site_are_followed_after_login() {
        let cases = [
            (None, "/interactions"),
            (Some("/interactions/abc?x=1"), "/interactions/abc?x=1"),
            (Some("//evil.example/"), "/interactions"),
            (Some("/\\evil.example/"), "/interactions"),
            (Some("https://evil.example/"), "/interactions"),
            (Some(""), "/interactions"),
        ];
        for (next, expected) in cases {
            assert_eq!(safe_next(next), expected, "{next:?}");
        }
    }
}
