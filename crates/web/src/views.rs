//! Rendering pages: one minijinja environment with every template compiled into the binary.
//! Templates end in `.html`, so minijinja escapes every value they print — a transcript, a
//! name or an e-mail body holding `<script>` shows as text. Nothing is marked safe.

use crate::assets;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Serialize;
use std::sync::LazyLock;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    let templates: &[(&str, &str)] = &[
        ("base.html", include_str!("../templates/base.html")),
        ("macros.html", include_str!("../templates/macros.html")),
        ("error.html", include_str!("../templates/error.html")),
        ("login.html", include_str!("../templates/login.html")),
        ("tokens.html", include_str!("../templates/tokens.html")),
        ("credits.html", include_str!("../templates/credits.html")),
        ("users.html", include_str!("../templates/users.html")),
        ("actions.html", include_str!("../templates/actions.html")),
        (
            "scorecard_versions.html",
            include_str!("../templates/scorecard_versions.html"),
        ),
        (
            "scorecard_try.html",
            include_str!("../templates/scorecard_try.html"),
        ),
        (
            "set_password.html",
            include_str!("../templates/set_password.html"),
        ),
        (
            "dashboard.html",
            include_str!("../templates/dashboard.html"),
        ),
        ("webhooks.html", include_str!("../templates/webhooks.html")),
        (
            "scorecards.html",
            include_str!("../templates/scorecards.html"),
        ),
        (
            "scorecard.html",
            include_str!("../templates/scorecard.html"),
        ),
        ("upload.html", include_str!("../templates/upload.html")),
        (
            "interactions.html",
            include_str!("../templates/interactions.html"),
        ),
        (
            "interaction.html",
            include_str!("../templates/interaction.html"),
        ),
    ];
    for (name, source) in templates {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env.add_function("asset", |name: String| assets::url(&name));
    env.add_filter("when", when);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env
});

pub(crate) fn render(status: StatusCode, name: &str, context: impl Serialize) -> Response {
    let rendered = TEMPLATES.get_template(name).and_then(|t| t.render(context));
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template = name, "rendering a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>Error</title><p>Something went wrong.</p>"),
            )
                .into_response()
        }
    }
}

/// An RFC 3339 time as people read it on a page: `2026-06-23 14:30` (UTC, to the minute).
fn when(value: String) -> String {
    let minutes: String = value.chars().take(16).collect();
    minutes.replace('T', " ")
}

/// An error page with `status` and a sentence for people.
pub(crate) fn error_page(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    render(
        status,
        "error.html",
        minijinja::context! { status => status.as_u16(), message => message },
    )
}

/// The page for a store that failed while `doing` something: logged in full, a 503 saying
/// only that the service is busy.
pub(crate) fn busy(doing: &str, error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "{doing}");
    error_page(503, "The service is busy; try again in a moment.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scorecard_form_renders_an_error_on_its_field() {
        let html = TEMPLATES
            .get_template("scorecard.html")
            .unwrap()
            .render(minijinja::context! {
                viewer => minijinja::context! { csrf => "t" },
                form => minijinja::context! { name => "QA", sections => "[]" },
                error => minijinja::context! { field => "sections[0].rules", message => "bad" },
                may_edit => true,
            })
            .unwrap();
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        assert!(html.contains("sections[0].rules"), "{html}");
    }

    #[test]
    fn times_read_to_the_minute() {
        assert_eq!(
            when("2026-06-23T14:30:59.123456Z".into()),
            "2026-06-23 14:30"
        );
        assert_eq!(when("2026-06-23T14:30:00Z".into()), "2026-06-23 14:30");
        assert_eq!(when("".into()), "");
    }

    #[test]
    fn every_template_file_is_compiled_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(
                TEMPLATES.get_template(&name).is_ok(),
                "{name} is not registered"
            );
        }
    }

    #[test]
    fn every_template_compiles_and_user_text_is_escaped() {
        LazyLock::force(&TEMPLATES);
        let html = TEMPLATES
            .get_template("error.html")
            .unwrap()
            .render(minijinja::context! { status => 404, message => "<script>alert(1)</script>" })
            .unwrap();
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>alert"), "{html}");
    }
}
