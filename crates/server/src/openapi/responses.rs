//! Document modifiers: what every operation shares, written once instead of on each handler.
//!
//! - `BearerAuth`: the `bearer` security scheme (API token, session access token or JWT).
//! - `ScopeDocs`: each operation's scope from `auth/scopes.rs` (the table the extractor
//!   enforces), as text, as `x-scope`, and the 403 a token without it gets.
//! - `CommonResponses`: the answers the edge and the extractors give on any operation: 401 on
//!   protected ones; 400/408/413 where there is a body; 400/404 where there is a path
//!   parameter; 429 (rate limits) and 503 (overload, deadline, database busy) everywhere; and
//!   the `Error` schema on every 4xx/5xx that names no body of its own.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::Modify;

pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn error_content() -> Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Error")))
        .build()
}

fn error_response(description: impl Into<String>) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", error_content())
        .build()
        .into()
}

fn operations_mut(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &mut Operation)> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            ("GET", item.get.as_mut()),
            ("POST", item.post.as_mut()),
            ("PUT", item.put.as_mut()),
            ("PATCH", item.patch.as_mut()),
            ("DELETE", item.delete.as_mut()),
        ]
        .into_iter()
        .filter_map(|(m, op)| op.map(|op| (m, op)))
    })
}

pub struct ScopeDocs;

impl Modify for ScopeDocs {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::auth::scopes::{routes, Access};
        use utoipa::openapi::extensions::ExtensionsBuilder;
        for (method, path, access) in routes() {
            let Some(item) = openapi.paths.paths.get_mut(*path) else {
                continue;
            };
            let op = match *method {
                "GET" => item.get.as_mut(),
                "POST" => item.post.as_mut(),
                "PUT" => item.put.as_mut(),
                "PATCH" => item.patch.as_mut(),
                "DELETE" => item.delete.as_mut(),
                _ => None,
            };
            let Some(op) = op else { continue };
            let Access::Needs(scope) = access else {
                continue;
            };
            let note = format!("Needs a token with the `{scope}` scope.");
            op.description = Some(match op.description.take() {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            });
            let ext = ExtensionsBuilder::new()
                .add("x-scope", scope.as_str())
                .build();
            match op.extensions.as_mut() {
                Some(existing) => existing.merge(ext),
                None => op.extensions = Some(ext),
            }
            op.responses
                .responses
                .entry("403".to_string())
                .or_insert(error_response(format!(
                    "The token lacks the `{scope}` scope (`insufficient_scope`)"
                )));
        }
    }
}

pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (_, op) in operations_mut(openapi) {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_body = op.request_body.is_some();
            let has_path_param = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path));
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(description));
            };
            if secured {
                add(
                    "401",
                    "No `Authorization: Bearer` token, or an invalid, expired or revoked one (`unauthorized`)",
                );
            }
            if has_body {
                add("400", "Malformed or invalid body, or not `application/json` (`field` names the culprit)");
                add("408", "The body arrived too slowly (`request_timeout`)");
                add(
                    "413",
                    "The body is over the route's limit (`payload_too_large`)",
                );
            }
            if has_path_param {
                add(
                    "400",
                    "The path parameter is not valid UTF-8 (`bad_request`)",
                );
                add("404", "No such resource on this account");
            }
            add(
                "429",
                "Over the per-token or per-address rate limit (`rate_limited`); see `Retry-After`",
            );
            add(
                "503",
                "Overloaded, over the request deadline, or the database is busy; see `Retry-After`",
            );
            // Every error answer is the envelope, including those documented without a body.
            for (status, response) in op.responses.responses.iter_mut() {
                let is_error = status.starts_with('4') || status.starts_with('5');
                if let (true, RefOr::T(response)) = (is_error, response) {
                    if response.content.is_empty() {
                        response
                            .content
                            .insert("application/json".to_string(), error_content());
                    }
                }
            }
        }
    }
}
