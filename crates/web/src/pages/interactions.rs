//! `GET /interactions`: the account's interactions, newest first, with the API's filters
//! (`scorejar_core::filters`, the same parser as `GET /api/v1/interactions`) and its cursor.

use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use scorejar_core::filters::parse_interaction_filter;
use scorejar_core::render;
use scorejar_core::tokens::Scope;
use scorejar_core::ApiError;
use scorejar_server::AppState;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/interactions", get(list))
}

/// The parameters the filter form sends; an empty field means "any" (a form always sends
/// every field), so empty values are dropped before the API's parser reads them.
fn given(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// The form's pairs as the API's: the `metadata` field's `key=value` becomes
/// `metadata.key=value` (a form cannot name a field after what the user types).
fn api_pairs(pairs: Vec<(String, String)>) -> Result<Vec<(String, String)>, ApiError> {
    pairs
        .into_iter()
        .map(|(k, v)| {
            if k != "metadata" {
                return Ok((k, v));
            }
            match v.split_once('=') {
                Some((key, value)) if !key.trim().is_empty() => {
                    Ok((format!("metadata.{}", key.trim()), value.trim().to_owned()))
                }
                _ => Err(ApiError::invalid(
                    "metadata",
                    "write the metadata filter as key=value",
                )),
            }
        })
        .collect()
}

/// One row of the list: the summary, and the latest evaluation's score and verdict.
fn row(summary: Value) -> Value {
    let latest = summary["evaluations"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or(Value::Null);
    json!({
        "interaction": summary,
        "evaluation": latest,
    })
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let pairs = given(pairs);
    let shown: Value = pairs
        .iter()
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let parsed = api_pairs(pairs).and_then(|pairs| {
        let filter = parse_interaction_filter(&pairs)?;
        Ok((pairs, filter))
    });
    let (pairs, filter) = match parsed {
        Ok((pairs, mut filter)) => {
            filter.restrict_to_agent = viewer.agent.clone();
            (pairs, filter)
        }
        Err(error) => {
            return render(
                StatusCode::BAD_REQUEST,
                "interactions.html",
                context! { viewer => context_of(&viewer), filters => shown, rows => Vec::<Value>::new(),
                error => error.message },
            )
        }
    };
    let page = match state
        .store
        .list_interactions(&viewer.account_id, &filter)
        .await
    {
        Ok(page) => page,
        Err(error) => {
            tracing::error!(%error, "listing interactions");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let rows: Vec<Value> = page
        .data
        .iter()
        .map(|i| {
            let mut row = row(render::interaction_summary(i));
            if let Some(marked) = page.snippets.get(&i.id) {
                row["match"] = json!(marked_parts(marked));
            }
            row
        })
        .collect();
    let next = page.next_cursor.map(|cursor| {
        let mut query: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "cursor")
            .cloned()
            .collect();
        query.push(("cursor".into(), cursor));
        query
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    crate::session::form_urlencoded_component(k),
                    crate::session::form_urlencoded_component(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    render(
        StatusCode::OK,
        "interactions.html",
        context! { viewer => context_of(&viewer), filters => shown, rows => rows, next => next },
    )
}

/// A matched passage as parts to print, each `{text, mark}`: the template escapes every part
/// and wraps the marked ones in `<mark>`, so no markup from the text can get through.
fn marked_parts(marked: &str) -> Vec<Value> {
    let (text, ranges) = scorejar_core::search::highlights(marked);
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut at = 0;
    for (start, end) in ranges {
        if at < start {
            parts.push(
                json!({ "text": chars[at..start].iter().collect::<String>(), "mark": false }),
            );
        }
        parts.push(json!({ "text": chars[start..end].iter().collect::<String>(), "mark": true }));
        at = end;
    }
    if at < chars.len() {
        parts.push(json!({ "text": chars[at..].iter().collect::<String>(), "mark": false }));
    }
    parts
}

/// What every page's header shows of the viewer.
pub(crate) fn context_of(viewer: &Viewer) -> Value {
    json!({
        "email": viewer.email,
        "csrf": viewer.csrf,
        "role": viewer.role.as_str(),
        "mayReview": viewer.may(Scope::Evaluate),
        "mayUpload": viewer.may(Scope::Upload),
        "mayAdminister": viewer.may(Scope::Admin),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_passages_split_into_marked_parts() {
        use scorejar_core::search::{MARK_END, MARK_START};
        let marked = format!("I {MARK_START}am{MARK_END} so <b>{MARK_START}sorry{MARK_END}");
        let parts = marked_parts(&marked);
        let got: Vec<(String, bool)> = parts
            .iter()
            .map(|p| {
                (
                    p["text"].as_str().unwrap().to_owned(),
                    p["mark"].as_bool().unwrap(),
                )
            })
            .collect();
        let expected = [
            ("I ", false),
            ("am", true),
            (" so <b>", false),
            ("sorry", true),
        ];
        assert_eq!(got, expected.map(|(t, m)| (t.to_owned(), m)).to_vec());
    }

    #[test]
    fn the_metadata_field_becomes_the_apis_parameter() {
        let pair = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        assert_eq!(
            api_pairs(pair("metadata", " queue = billing=2 ")).unwrap(),
            pair("metadata.queue", "billing=2")
        );
        assert_eq!(api_pairs(pair("tag", "vip")).unwrap(), pair("tag", "vip"));
        for bad in ["queue", "=billing", " = x"] {
            let error = api_pairs(pair("metadata", bad)).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("metadata"), "{bad}");
        }
    }

    #[test]
    fn empty_form_fields_mean_any() {
        let pairs = vec![
            ("type".to_owned(), "".to_owned()),
            ("direction".to_owned(), "INBOUND".to_owned()),
            ("tag".to_owned(), "  ".to_owned()),
        ];
        assert_eq!(
            given(pairs),
            vec![("direction".to_owned(), "INBOUND".to_owned())]
        );
    }
}
