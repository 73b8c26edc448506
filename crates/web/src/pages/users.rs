//! Settings → Users (`/settings/users`, ADMIN only): the account's users with their role, agent
//! link and state; inviting one (a user without a password and a one-time link, shown once,
//! with which they set it); changing a role or agent link; deactivating and reactivating; a
//! new link for someone who lost theirs. And the public `/set-password/{token}` page the link
//! opens. The rules are `scorejar_core::roles` and `scorejar_core::users`, as for the CLI.

use super::interactions::context_of;
use crate::csrf::{self, CsrfOnly};
use crate::session::Viewer;
use crate::views::{busy, error_page, render};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use scorejar_core::model::{NewUser, UserRecord};
use scorejar_core::roles::{check_own_change, Role};
use scorejar_core::tokens::Scope;
use scorejar_core::users::{check_email, check_password, MIN_PASSWORD_CHARS};
use scorejar_core::ApiError;
use scorejar_server::auth::passwords::hash_password;
use scorejar_server::auth::tokens::{hash_token, new_password_link_token};
use scorejar_server::AppState;
use scorejar_store::{NewLinkOutcome, PasswordLink, StoreError, UserChange};
use serde::Deserialize;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/users", get(list).post(invite))
        .route("/settings/users/{id}", post(change))
        .route("/settings/users/{id}/link", post(new_link))
        .route(
            "/set-password/{token}",
            get(password_form).post(set_password),
        )
}

/// How long a password link works.
const LINK_DAYS: i64 = 7;

fn user_view(u: &UserRecord, me: &Viewer) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "role": u.role.as_str(),
        "agent": u.agent_participant_id,
        "active": u.active,
        "me": u.id == me.user_id,
    })
}

/// Who may see and change the users.
const ADMIN_ONLY: &str = "Only an ADMIN manages users.";

/// What the page says above the list.
#[derive(Default)]
struct Said {
    /// (e-mail, link) of a link to hand over.
    link: Option<(String, String)>,
    error: Option<ApiError>,
    notice: Option<String>,
}

async fn page(state: &AppState, viewer: &Viewer, status: StatusCode, said: Said) -> Response {
    let users = match state.store.list_users(&viewer.account_id).await {
        Ok(users) => users,
        Err(error) => {
            tracing::error!(%error, "listing users");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let users: Vec<Value> = users.iter().map(|u| user_view(u, viewer)).collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let link = said
        .link
        .map(|(email, url)| json!({"email": email, "url": url, "days": LINK_DAYS}));
    let error = said
        .error
        .map(|e| json!({"message": e.message, "field": e.field}));
    render(
        status,
        "users.html",
        context! { viewer => context_of(viewer), users => users, roles => roles,
        link => link, error => error, notice => said.notice },
    )
}

#[derive(Deserialize)]
struct Flash {
    saved: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Response {
    if let Some(refusal) = viewer.refuse_unless(Scope::Admin, ADMIN_ONLY) {
        return refusal;
    }
    let said = Said {
        notice: flash.saved.map(|email| format!("Saved {email}.")),
        ..Said::default()
    };
    page(&state, &viewer, StatusCode::OK, said).await
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    #[serde(default)]
    email: String,
    role: String,
    #[serde(default)]
    agent: String,
    /// The change form's "active" checkbox (absent when unticked).
    active: Option<String>,
}

impl UserForm {
    fn role(&self) -> Result<Role, ApiError> {
        Role::parse(&self.role)
            .ok_or_else(|| ApiError::invalid("role", "must be ADMIN, REVIEWER, AGENT or VIEWER"))
    }

    fn agent(&self) -> Option<String> {
        Some(self.agent.trim().to_owned()).filter(|a| !a.is_empty())
    }
}

/// A new password link: the URL to hand over, and what the store keeps.
fn fresh_link(state: &AppState) -> (String, PasswordLink) {
    let token = new_password_link_token();
    let url = format!(
        "{}/set-password/{token}",
        state.settings.effective_public_url()
    );
    let link = PasswordLink {
        token_hash: hash_token(&token),
        expires_at: OffsetDateTime::now_utc() + Duration::days(LINK_DAYS),
    };
    (url, link)
}

/// A store refusal as the field it is about; `None` (logged) for a failure of the store.
fn store_refusal(error: StoreError) -> Option<ApiError> {
    match error {
        StoreError::Conflict(_) => Some(ApiError::invalid(
            "email",
            "a user with this e-mail already exists",
        )),
        StoreError::NotFound("participant") => Some(ApiError::invalid(
            "agent",
            "no participant of this account has this id",
        )),
        error => {
            tracing::error!(%error, "saving a user");
            None
        }
    }
}

/// The page for a store error `store_refusal` has logged.
fn busy_page() -> Response {
    error_page(503, "The service is busy; try again in a moment.")
}

async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<UserForm>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Admin, ADMIN_ONLY) {
        return refusal;
    }
    let email = form.email.trim().to_owned();
    let checked = check_email(&email).and_then(|()| {
        let role = form.role()?;
        role.check_agent_link(form.agent().as_deref())
            .map_err(|e| e.with_field("agent"))?;
        Ok(role)
    });
    let role = match checked {
        Ok(role) => role,
        Err(error) => return refused(&state, &viewer, error).await,
    };
    let (url, link) = fresh_link(&state);
    let user = NewUser {
        role,
        agent_participant_id: form.agent(),
        // No password anyone can type: an argon2 check of it always fails.
        ..NewUser::admin(
            scorejar_core::ids::new_id().as_str(),
            &viewer.account_id,
            &email,
            "!invited",
        )
    };
    match state.store.invite_user(user, link).await {
        Ok(()) => {
            let said = Said {
                link: Some((email, url)),
                ..Said::default()
            };
            page(&state, &viewer, StatusCode::CREATED, said).await
        }
        Err(error) => match store_refusal(error) {
            Some(error) => refused(&state, &viewer, error).await,
            None => busy_page(),
        },
    }
}

async fn refused(state: &AppState, viewer: &Viewer, error: ApiError) -> Response {
    let said = Said {
        error: Some(error),
        ..Said::default()
    };
    page(state, viewer, StatusCode::BAD_REQUEST, said).await
}

async fn change(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<UserForm>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Admin, ADMIN_ONLY) {
        return refusal;
    }
    let active = form.active.is_some();
    let checked = form.role().and_then(|role| {
        role.check_agent_link(form.agent().as_deref())
            .map_err(|e| e.with_field("agent"))?;
        if id == viewer.user_id {
            check_own_change(role, active)?;
        }
        Ok(role)
    });
    let role = match checked {
        Ok(role) => role,
        Err(error) => return refused(&state, &viewer, error).await,
    };
    let change = UserChange {
        role,
        agent_participant_id: form.agent(),
        active,
    };
    match state
        .store
        .update_user(&viewer.account_id, &id, change)
        .await
    {
        Ok(Some(user)) => Redirect::to(&format!(
            "/settings/users?saved={}",
            crate::session::form_urlencoded_component(&user.email)
        ))
        .into_response(),
        Ok(None) => error_page(404, "No such user."),
        Err(error) => match store_refusal(error) {
            Some(error) => refused(&state, &viewer, error).await,
            None => busy_page(),
        },
    }
}

async fn new_link(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Admin, ADMIN_ONLY) {
        return refusal;
    }
    let (url, link) = fresh_link(&state);
    match state
        .store
        .create_password_link(&viewer.account_id, &id, link)
        .await
    {
        Ok(NewLinkOutcome::Created { email }) => {
            let said = Said {
                link: Some((email, url)),
                ..Said::default()
            };
            page(&state, &viewer, StatusCode::CREATED, said).await
        }
        Ok(NewLinkOutcome::Deactivated) => error_page(
            409,
            "A deactivated user gets no link; reactivate them first.",
        ),
        Ok(NewLinkOutcome::NoSuchUser) => error_page(404, "No such user."),
        Err(error) => busy("creating a password link", error),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
    repeat: String,
}

async fn password_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.store.password_link_user(&hash_token(&token)).await {
        Ok(Some(user)) => render(
            StatusCode::OK,
            "set_password.html",
            context! { email => user.email, token => token, min => MIN_PASSWORD_CHARS },
        ),
        Ok(None) => dead_link(),
        Err(error) => {
            tracing::error!(%error, "reading a password link");
            error_page(503, "The service is busy; try again in a moment.")
        }
    }
}

fn dead_link() -> Response {
    error_page(
        404,
        "This link has been used or has expired. Ask an admin for a new one.",
    )
}

/// No session here: the link's token is the secret. A cross-site post is still refused.
async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !csrf::same_origin(&headers) {
        return error_page(403, "This form did not come from this site.");
    }
    let token_hash = hash_token(&token);
    let user = match state.store.password_link_user(&token_hash).await {
        Ok(Some(user)) => user,
        Ok(None) => return dead_link(),
        Err(error) => {
            tracing::error!(%error, "reading a password link");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let problem = match check_password(&form.password) {
        Err(error) => Some(format!("The password {}.", error.message)),
        Ok(()) if form.password != form.repeat => Some("The two passwords differ.".to_owned()),
        Ok(()) => None,
    };
    if let Some(problem) = problem {
        return render(
            StatusCode::BAD_REQUEST,
            "set_password.html",
            context! { email => user.email, token => token, min => MIN_PASSWORD_CHARS,
            error => problem },
        );
    }
    let password = form.password;
    let hashed = tokio::task::spawn_blocking(move || hash_password(&password)).await;
    let Ok(Ok(hash)) = hashed else {
        return error_page(503, "The service is busy; try again in a moment.");
    };
    match state.store.use_password_link(&token_hash, &hash).await {
        Ok(Some(_)) => Redirect::to("/login?password=set").into_response(),
        Ok(None) => dead_link(),
        Err(error) => {
            tracing::error!(%error, "setting a password");
            error_page(503, "The service is busy; try again in a moment.")
        }
    }
}
