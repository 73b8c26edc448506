//! Scorecards: `/scorecards` (the list), `/scorecards/new` and `/scorecards/{id}` (one form to
//! create or edit: name, status, passing score, engine, and the sections as JSON — questions of
//! every type, answers with points, auto-fail, N/A, rules). Saving goes through the API's own
//! handlers (`create_scorecard`, `update_scorecard`), so the same validation runs and its
//! error, naming the field (`sections[0].questions[1].rules.then`), is shown beside the form.
//! Everyone reads; ADMIN and REVIEWER (the `scorecards` scope) edit.

use super::interactions::context_of;
use crate::csrf::refused_form;
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use scorejar_core::cursor::Cursor;
use scorejar_core::paging::PageRequest;
use scorejar_core::tokens::Scope;
use scorejar_server::error::AppError;
use scorejar_server::routes::json::JsonBody;
use scorejar_server::routes::scorecards::{create_scorecard, update_scorecard};
use scorejar_server::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/scorecards", get(list))
        .route("/scorecards/new", get(new_form).post(create))
        .route("/scorecards/{id}", get(show).post(update))
}

/// Scorecards shown on the list.
const SHOWN: u32 = 100;

/// What a new scorecard's form starts with: one question answered by a rule, to edit.
const EXAMPLE_SECTIONS: &str = r#"[
  {
    "name": "Opening",
    "questions": [
      {
        "id": "greeting",
        "text": "Did the agent greet the caller?",
        "type": "SINGLE",
        "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }],
        "rules": { "if": { "phrase": "thank you for calling", "by": "AGENT" }, "then": "Yes", "else": "No" }
      }
    ]
  }
]"#;

/// The form's fields, as typed (shown again when the API refuses them).
#[derive(Debug, Deserialize, serde::Serialize, Default)]
struct CardForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "passingScore")]
    passing_score: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    sections: String,
}

impl CardForm {
    /// The API body the form stands for, or the field and reason it cannot.
    fn body(&self) -> Result<Value, (String, String)> {
        let sections: Value = serde_json::from_str(&self.sections).map_err(|e| {
            (
                "sections".to_owned(),
                format!("`sections` is not valid JSON: {e}"),
            )
        })?;
        let passing = match self.passing_score.trim() {
            "" => Value::Null,
            text => json!(text.parse::<f64>().map_err(|_| (
                "passingScore".to_owned(),
                "`passingScore` must be a number from 0 to 100".to_owned()
            ))?),
        };
        let model = match self.model.trim() {
            "" => Value::Null,
            m => json!(m),
        };
        Ok(json!({
            "name": self.name.trim(),
            "status": self.status,
            "passingScore": passing,
            "model": model,
            "sections": sections,
        }))
    }
}

fn may_edit(viewer: &Viewer) -> bool {
    viewer.may(Scope::Scorecards)
}

/// An AGENT reads only their own interactions, as on the API.
pub(crate) fn refusal_for_agents(viewer: &Viewer) -> Option<Response> {
    viewer
        .agent
        .is_some()
        .then(|| error_page(403, "Scorecards are not shown to agents."))
}

async fn list(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Some(refusal) = refusal_for_agents(&viewer) {
        return refusal;
    }
    let page = match state
        .store
        .list_scorecards(&viewer.account_id, &PageRequest::<Cursor>::first(SHOWN))
        .await
    {
        Ok(page) => page,
        Err(error) => {
            tracing::error!(%error, "listing scorecards");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let cards: Vec<Value> = page
        .data
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "name": s.fields.name, "status": s.fields.status.as_str(),
                "version": s.version, "passingScore": s.fields.passing_score,
                "model": s.fields.model,
            })
        })
        .collect();
    render(
        StatusCode::OK,
        "scorecards.html",
        context! { viewer => context_of(&viewer), cards => cards, may_edit => may_edit(&viewer) },
    )
}

/// The form page, for a new scorecard (`id` None) or an existing one.
fn form_page(
    viewer: &Viewer,
    status: StatusCode,
    id: Option<&str>,
    version: Option<i64>,
    form: &CardForm,
    error: Option<(String, String)>,
) -> Response {
    let error = error.map(|(field, message)| json!({ "field": field, "message": message }));
    render(
        status,
        "scorecard.html",
        context! {
            viewer => context_of(viewer), id => id, version => version, form => form,
            error => error, may_edit => may_edit(viewer),
        },
    )
}

async fn new_form(viewer: Viewer) -> Response {
    if !may_edit(&viewer) {
        return error_page(403, "Your role cannot create scorecards.");
    }
    let form = CardForm {
        status: "DRAFT".into(),
        sections: EXAMPLE_SECTIONS.into(),
        ..CardForm::default()
    };
    form_page(&viewer, StatusCode::OK, None, None, &form, None)
}

/// The API's refusal as the form shows it: the field it names and its message.
fn refusal(error: AppError) -> (u16, (String, String)) {
    let AppError(e) = error;
    (e.status, (e.field.unwrap_or_default(), e.message))
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<CardForm>,
) -> Response {
    save(state, viewer, None, form).await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    save(state, viewer, Some(id), form).await
}

/// Creates (`id` None) or updates a scorecard from the form through the API's handler; back to
/// its page when saved, else the form again with the API's error.
async fn save(state: AppState, viewer: Viewer, id: Option<String>, form: CardForm) -> Response {
    if !viewer.csrf_ok(&form.csrf) {
        return refused_form();
    }
    if !may_edit(&viewer) {
        return error_page(403, "Your role cannot create or edit scorecards.");
    }
    let refused = |status: StatusCode, error| {
        form_page(&viewer, status, id.as_deref(), None, &form, Some(error))
    };
    let body = match form.body() {
        Ok(body) => body,
        Err(error) => return refused(StatusCode::BAD_REQUEST, error),
    };
    let saved = match &id {
        None => create_scorecard(State(state), viewer.principal(), JsonBody(body))
            .await
            .map(|(_, created)| created.0["id"].as_str().unwrap_or_default().to_owned()),
        Some(id) => update_scorecard(
            State(state),
            viewer.principal(),
            Path(id.clone()),
            JsonBody(body),
        )
        .await
        .map(|_| id.clone()),
    };
    match saved {
        Ok(id) => Redirect::to(&format!("/scorecards/{id}?saved=1")).into_response(),
        Err(error) => {
            let (status, error) = refusal(error);
            refused(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                error,
            )
        }
    }
}

async fn show(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Response {
    if let Some(refusal) = refusal_for_agents(&viewer) {
        return refusal;
    }
    let card = match state.store.get_scorecard(&viewer.account_id, &id).await {
        Ok(Some(card)) => card,
        Ok(None) => return error_page(404, "No such scorecard."),
        Err(error) => {
            tracing::error!(%error, "loading a scorecard");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let fields = &card.fields;
    let form = CardForm {
        csrf: String::new(),
        name: fields.name.clone(),
        status: fields.status.as_str().to_owned(),
        passing_score: fields
            .passing_score
            .map(|p| p.to_string())
            .unwrap_or_default(),
        model: fields.model.clone().unwrap_or_default(),
        sections: serde_json::to_string_pretty(&fields.sections).unwrap_or_default(),
    };
    form_page(
        &viewer,
        StatusCode::OK,
        Some(&id),
        Some(card.version),
        &form,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_api_body_or_names_the_field() {
        let form = CardForm {
            name: " QA ".into(),
            status: "ACTIVE".into(),
            passing_score: "70".into(),
            sections: EXAMPLE_SECTIONS.into(),
            ..CardForm::default()
        };
        let body = form.body().unwrap();
        assert_eq!(body["name"], "QA");
        assert_eq!(body["passingScore"], 70.0);
        assert_eq!(body["model"], Value::Null);
        assert_eq!(body["sections"][0]["questions"][0]["id"], "greeting");
        let bad_json = CardForm {
            sections: "[{".into(),
            ..CardForm::default()
        };
        assert_eq!(bad_json.body().unwrap_err().0, "sections");
        let bad_score = CardForm {
            sections: "[]".into(),
            passing_score: "high".into(),
            ..CardForm::default()
        };
        assert_eq!(bad_score.body().unwrap_err().0, "passingScore");
    }
}
