//! `POST /interactions/{id}/evaluations/{evaluationId}/override`: a reviewer's correction of one
//! answer from the interaction page, through the API's own review code
//! (`scorejar_server::routes::reviews::apply_review`: rescored, the engine's answer kept
//! beside, a reason required). Needs the `evaluate` scope of the role (ADMIN, REVIEWER).

use super::interaction::visible_interaction;
use crate::session::Viewer;
use crate::views::error_page;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use scorejar_core::scoring::Response as Answer;
use scorejar_core::tokens::Scope;
use scorejar_server::error::AppError;
use scorejar_server::routes::reviews::{apply_review, Correction};
use scorejar_server::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(
        "/interactions/{id}/evaluations/{evaluation}/override",
        post(override_answer),
    )
}

/// The correction a form asks for: N/A when ticked, else a slider's value, else the chosen
/// labels (a MULTIPLE question sends `answer` once per box).
fn correction(fields: &[(String, String)]) -> Result<Correction, &'static str> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    };
    let question_id = get("questionId").ok_or("the form names no question")?;
    let response = if get("na").is_some() {
        Answer::NotApplicable
    } else if let Some(value) = get("value") {
        Answer::Value(value.parse().map_err(|_| "the value must be a number")?)
    } else {
        let chosen: Vec<String> = fields
            .iter()
            .filter(|(k, v)| k == "answer" && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect();
        if chosen.is_empty() {
            return Err("choose an answer");
        }
        Answer::Chosen(chosen)
    };
    Ok(Correction {
        question_id: question_id.to_owned(),
        response,
    })
}

async fn override_answer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, evaluation)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let presented = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if let Some(refusal) = viewer.refuse_post(
        presented,
        Scope::Evaluate,
        "Your role cannot override evaluations.",
    ) {
        return refusal;
    }
    if let Err(response) = visible_interaction(&state, &viewer, &id).await {
        return response;
    }
    let correction = match correction(&fields) {
        Ok(correction) => correction,
        Err(message) => return error_page(400, message),
    };
    let reason = fields
        .iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    match apply_review(
        &state,
        &viewer.account_id,
        Some(&viewer.user_id),
        &evaluation,
        &[correction],
        reason,
    )
    .await
    {
        Ok(_) => {
            Redirect::to(&format!("/interactions/{id}#evaluation-{evaluation}")).into_response()
        }
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms_read_as_corrections() {
        let chosen = correction(&pairs(&[("questionId", "q"), ("answer", "No")])).unwrap();
        assert_eq!(chosen.response, Answer::Chosen(vec!["No".into()]));
        let many = correction(&pairs(&[
            ("questionId", "q"),
            ("answer", "A"),
            ("answer", "B"),
        ]))
        .unwrap();
        assert_eq!(many.response, Answer::Chosen(vec!["A".into(), "B".into()]));
        let na = correction(&pairs(&[
            ("questionId", "q"),
            ("na", "on"),
            ("answer", "A"),
        ]))
        .unwrap();
        assert_eq!(na.response, Answer::NotApplicable);
        let value = correction(&pairs(&[("questionId", "q"), ("value", "7.5")])).unwrap();
        assert_eq!(value.response, Answer::Value(7.5));
        assert!(correction(&pairs(&[("questionId", "q")])).is_err());
        assert!(correction(&pairs(&[("answer", "A")])).is_err());
        assert!(correction(&pairs(&[("questionId", "q"), ("value", "x")])).is_err());
    }
}
