//! Signed-in people: the session cookie and the `Viewer` extractor every page takes.
//!
//! A session is the same row as an API session (`sessions`), created by the login form; its
//! secret token travels only in the `scorejar_session` cookie (HttpOnly, SameSite=Lax, Secure
//! when `public_url` is https). Its expiry slides: each request pushes it to `web.session_idle_secs`
//! from now (written at most once a minute), never past `session_ttl_secs` after login.

use crate::csrf;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use scorejar_core::roles::Role;
use scorejar_server::auth::tokens::{hash_token, SESSION_TOKEN_PREFIX};
use scorejar_server::AppState;
use time::{Duration, OffsetDateTime};

pub(crate) const COOKIE: &str = "scorejar_session";

/// Writes of a sliding expiry closer together than this are skipped.
const EXTEND_STEP: Duration = Duration::minutes(1);

/// Who is looking at the page.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub account_id: String,
    pub user_id: String,
    pub email: String,
    pub role: Role,
    /// For an AGENT: the only agent participant whose interactions they see.
    pub agent: Option<String>,
    /// The session's secret token (logout ends it).
    pub token: String,
    /// The CSRF token this session's forms carry.
    pub csrf: String,
}

impl Viewer {
    /// True when the viewer may see an interaction whose agent is `agent_id`.
    pub fn may_see(&self, agent_id: Option<&str>) -> bool {
        scorejar_core::roles::may_see(self.agent.as_deref(), agent_id)
    }

    /// True when the viewer's role holds `scope`.
    pub fn may(&self, scope: scorejar_core::tokens::Scope) -> bool {
        self.role.scopes().contains(scope)
    }

    /// The person as the API sees their session: their role's scopes, an AGENT's restriction.
    /// Pages that act through an API handler pass this.
    pub fn principal(&self) -> scorejar_server::auth::Principal {
        scorejar_server::auth::Principal {
            account_id: self.account_id.clone(),
            user_id: Some(self.user_id.clone()),
            token: self.token.clone(),
            scopes: self.role.scopes(),
            expires_at: None,
            agent: self.agent.clone(),
        }
    }

    /// True when `presented` is this session's CSRF token.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        csrf::is_valid(&self.token, presented)
    }

    /// What a page answers instead of acting on a form: a 403 when the form lacks this
    /// session's CSRF token (checked first, so a forged post learns nothing), or when the
    /// viewer's role lacks `scope` (`who_may` says who may, e.g. "Only an ADMIN manages users.").
    pub fn refuse_post(
        &self,
        presented_csrf: &str,
        scope: scorejar_core::tokens::Scope,
        who_may: &str,
    ) -> Option<axum::response::Response> {
        if !self.csrf_ok(presented_csrf) {
            return Some(csrf::refused_form());
        }
        self.refuse_unless(scope, who_may)
    }

    /// A 403 page saying `who_may` when the viewer's role lacks `scope`.
    pub fn refuse_unless(
        &self,
        scope: scorejar_core::tokens::Scope,
        who_may: &str,
    ) -> Option<axum::response::Response> {
        (!self.may(scope)).then(|| crate::views::error_page(403, who_may))
    }
}

/// When a session used at `now` expires: the idle timeout from now, but never later than the
/// absolute lifetime from its creation.
pub(crate) fn slid_expiry(
    created_at: OffsetDateTime,
    now: OffsetDateTime,
    idle: Duration,
    lifetime: Duration,
) -> OffsetDateTime {
    (now + idle).min(created_at + lifetime)
}

/// The session cookie carrying `token`.
pub(crate) fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let secure = state
        .settings
        .effective_public_url()
        .starts_with("https://");
    Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// A cookie that removes the session cookie.
pub(crate) fn cleared_cookie() -> Cookie<'static> {
    Cookie::build((COOKIE, "")).path("/").build()
}

/// Where an unauthenticated request is sent: the login page, then back.
fn to_login(parts: &Parts) -> Response {
    let back = parts
        .extensions
        .get::<OriginalUri>()
        .map(|u| u.0.to_string())
        .unwrap_or_else(|| parts.uri.to_string());
    let next: String = form_urlencoded_component(&back);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
pub(crate) fn form_urlencoded_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar
            .get(COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|t| t.starts_with(SESSION_TOKEN_PREFIX))
        else {
            return Err(to_login(parts));
        };
        let hash = hash_token(&token);
        let failed = |error: scorejar_store::StoreError| {
            tracing::error!(%error, "reading the session");
            crate::views::error_page(503, "The service is busy; try again in a moment.")
        };
        let Some(session) = state.store.find_session(&hash).await.map_err(failed)? else {
            return Err(to_login(parts));
        };
        let now = OffsetDateTime::now_utc();
        if session.expires_at <= now {
            return Err(to_login(parts));
        }
        let web = &state.settings.web;
        let until = slid_expiry(
            session.created_at,
            now,
            Duration::seconds(web.session_idle_secs as i64),
            Duration::seconds(state.settings.session_ttl_secs),
        );
        if until - session.expires_at >= EXTEND_STEP {
            if let Err(error) = state.store.extend_session(&hash, until).await {
                // The session only ends a little sooner: never fail the page for it.
                tracing::warn!(%error, "could not extend a session");
            }
        }
        let Some(user) = state
            .store
            .find_user(&session.user_id)
            .await
            .map_err(failed)?
        else {
            return Err(to_login(parts));
        };
        if !user.active {
            return Err(to_login(parts));
        }
        Ok(Viewer {
            agent: (user.role == Role::Agent)
                .then_some(user.agent_participant_id)
                .flatten(),
            role: user.role,
            account_id: session.account_id,
            user_id: user.id,
            email: user.email,
            csrf: csrf::token_for(&token),
            token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn expiry_slides_with_use_up_to_the_lifetime() {
        let created = datetime!(2026-01-01 09:00 UTC);
        let idle = Duration::minutes(30);
        let life = Duration::hours(12);
        let cases = [
            (created, datetime!(2026-01-01 09:30 UTC)),
            (
                datetime!(2026-01-01 15:00 UTC),
                datetime!(2026-01-01 15:30 UTC),
            ),
            (
                datetime!(2026-01-01 20:50 UTC),
                datetime!(2026-01-01 21:00 UTC),
            ),
        ];
        for (now, expected) in cases {
            assert_eq!(slid_expiry(created, now, idle, life), expected, "{now}");
        }
    }

    #[test]
    fn return_paths_are_percent_encoded() {
        assert_eq!(
            form_urlencoded_component("/interactions?type=CALL&x=1"),
            "%2Finteractions%3Ftype%3DCALL%26x%3D1"
        );
    }
}
