//! Which scope each authenticated route needs: one table, read by the `Principal` extractor
//! before any handler runs (so no handler can forget it), and printed in docs/security.md.
//!
//! A route missing from the table is refused (403) rather than let through: a new route has to
//! be given a scope here, and `every_authenticated_route_has_a_scope` fails until it is.

use scorejar_core::tokens::Scope;

/// What a route asks of the caller's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The token must hold this scope.
    Needs(Scope),
    /// Any valid token (logout ends the caller's own session, whatever it may do).
    AnyToken,
}

/// The only routes an AGENT may use: reading their own interactions and evaluations (the
/// handlers check whose they are), and ending their session.
const AGENT_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/interactions"),
    ("GET", "/api/v1/interactions/{id}"),
    ("GET", "/api/v1/interactions/{id}/media"),
    ("GET", "/api/v1/score-submissions/{id}"),
    ("POST", "/api/v1/auth/logout"),
];

/// True when an AGENT may call this route at all.
pub fn agent_may_use(method: &str, pattern: &str) -> bool {
    AGENT_ROUTES
        .iter()
        .any(|(m, p)| *m == method && *p == pattern)
}

/// (method, route pattern as axum matched it, access).
const ROUTES: &[(&str, &str, Access)] = &[
    ("POST", "/api/v1/upload", Access::Needs(Scope::Upload)),
    ("GET", "/api/v1/interactions", Access::Needs(Scope::Read)),
    (
        "GET",
        "/api/v1/interactions/{id}",
        Access::Needs(Scope::Read),
    ),
    (
        "DELETE",
        "/api/v1/interactions/{id}",
        Access::Needs(Scope::Admin),
    ),
    (
        "DELETE",
        "/api/v1/participants/{id}",
        Access::Needs(Scope::Admin),
    ),
    ("GET", "/api/v1/retention", Access::Needs(Scope::Admin)),
    ("PUT", "/api/v1/retention", Access::Needs(Scope::Admin)),
    (
        "GET",
        "/api/v1/interactions/{id}/media",
        Access::Needs(Scope::Read),
    ),
    (
        "GET",
        "/api/v1/interactions/{id}/action-runs",
        Access::Needs(Scope::Read),
    ),
    (
        "POST",
        "/api/v1/interactions/{id}/retry",
        Access::Needs(Scope::Upload),
    ),
    (
        "POST",
        "/api/v1/interactions/{id}/tags",
        Access::Needs(Scope::Evaluate),
    ),
    (
        "DELETE",
        "/api/v1/interactions/{id}/tags/{tagId}",
        Access::Needs(Scope::Evaluate),
    ),
    ("GET", "/api/v1/tags", Access::Needs(Scope::Read)),
    ("GET", "/api/v1/scorecards", Access::Needs(Scope::Read)),
    ("GET", "/api/v1/scorecards/{id}", Access::Needs(Scope::Read)),
    (
        "GET",
        "/api/v1/scorecards/{id}/versions/{version}",
        Access::Needs(Scope::Read),
    ),
    (
        "GET",
        "/api/v1/score-submissions",
        Access::Needs(Scope::Read),
    ),
    (
        "GET",
        "/api/v1/score-submissions/{id}",
        Access::Needs(Scope::Read),
    ),
    ("GET", "/api/v1/credits", Access::Needs(Scope::Read)),
    ("POST", "/api/v1/ai/queue", Access::Needs(Scope::Evaluate)),
    (
        "PATCH",
        "/api/v1/score-submissions/{id}",
        Access::Needs(Scope::Evaluate),
    ),
    (
        "GET",
        "/api/v1/scorecards/{id}/agreement",
        Access::Needs(Scope::Read),
    ),
    ("POST", "/api/v1/tags", Access::Needs(Scope::Admin)),
    ("PATCH", "/api/v1/tags/{id}", Access::Needs(Scope::Admin)),
    ("DELETE", "/api/v1/tags/{id}", Access::Needs(Scope::Admin)),
    (
        "POST",
        "/api/v1/scorecards",
        Access::Needs(Scope::Scorecards),
    ),
    (
        "PATCH",
        "/api/v1/scorecards/{id}",
        Access::Needs(Scope::Scorecards),
    ),
    ("GET", "/api/v1/tokens", Access::Needs(Scope::Admin)),
    ("POST", "/api/v1/tokens", Access::Needs(Scope::Admin)),
    ("GET", "/api/v1/tokens/{id}", Access::Needs(Scope::Admin)),
    ("DELETE", "/api/v1/tokens/{id}", Access::Needs(Scope::Admin)),
    (
        "GET",
        "/api/v1/scorecards/{id}/actions",
        Access::Needs(Scope::Read),
    ),
    (
        "GET",
        "/api/v1/scorecards/{id}/actions/{actionId}",
        Access::Needs(Scope::Read),
    ),
    (
        "POST",
        "/api/v1/scorecards/{id}/actions",
        Access::Needs(Scope::Scorecards),
    ),
    (
        "POST",
        "/api/v1/scorecards/{id}/actions/preview",
        Access::Needs(Scope::Scorecards),
    ),
    (
        "PATCH",
        "/api/v1/scorecards/{id}/actions/{actionId}",
        Access::Needs(Scope::Scorecards),
    ),
    (
        "DELETE",
        "/api/v1/scorecards/{id}/actions/{actionId}",
        Access::Needs(Scope::Scorecards),
    ),
    (
        "POST",
        "/api/v1/scorecards/{id}/actions/{actionId}/rotate-secret",
        Access::Needs(Scope::Scorecards),
    ),
    (
        "GET",
        "/api/v1/webhook-deliveries",
        Access::Needs(Scope::Read),
    ),
    (
        "GET",
        "/api/v1/webhook-deliveries/{id}",
        Access::Needs(Scope::Read),
    ),
    (
        "POST",
        "/api/v1/webhook-deliveries/{id}/redeliver",
        Access::Needs(Scope::Admin),
    ),
    (
        "POST",
        "/api/v1/webhook-deliveries/replay",
        Access::Needs(Scope::Admin),
    ),
    (
        "GET",
        "/api/v1/webhook-endpoints",
        Access::Needs(Scope::Read),
    ),
    (
        "GET",
        "/api/v1/webhook-endpoints/{id}",
        Access::Needs(Scope::Read),
    ),
    (
        "POST",
        "/api/v1/webhook-endpoints",
        Access::Needs(Scope::Admin),
    ),
    (
        "PATCH",
        "/api/v1/webhook-endpoints/{id}",
        Access::Needs(Scope::Admin),
    ),
    (
        "DELETE",
        "/api/v1/webhook-endpoints/{id}",
        Access::Needs(Scope::Admin),
    ),
    (
        "POST",
        "/api/v1/webhook-endpoints/{id}/rotate-secret",
        Access::Needs(Scope::Admin),
    ),
    ("POST", "/api/v1/auth/logout", Access::AnyToken),
];

/// What `method` on the route `pattern` needs; `None` when the route is not in the table.
pub fn access_for(method: &str, pattern: &str) -> Option<Access> {
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method && *p == pattern)
        .map(|(_, _, access)| *access)
}

/// The table, for the OpenAPI document and tests.
pub fn routes() -> &'static [(&'static str, &'static str, Access)] {
    ROUTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_table() {
        let cases = [
            ("POST", "/api/v1/upload", Some(Access::Needs(Scope::Upload))),
            (
                "GET",
                "/api/v1/interactions/{id}",
                Some(Access::Needs(Scope::Read)),
            ),
            ("GET", "/api/v1/tokens", Some(Access::Needs(Scope::Admin))),
            (
                "DELETE",
                "/api/v1/tokens/{id}",
                Some(Access::Needs(Scope::Admin)),
            ),
            (
                "POST",
                "/api/v1/ai/queue",
                Some(Access::Needs(Scope::Evaluate)),
            ),
            ("GET", "/api/v1/tags", Some(Access::Needs(Scope::Read))),
            ("POST", "/api/v1/tags", Some(Access::Needs(Scope::Admin))),
            (
                "PATCH",
                "/api/v1/tags/{id}",
                Some(Access::Needs(Scope::Admin)),
            ),
            (
                "DELETE",
                "/api/v1/tags/{id}",
                Some(Access::Needs(Scope::Admin)),
            ),
            (
                "GET",
                "/api/v1/tokens/{id}",
                Some(Access::Needs(Scope::Admin)),
            ),
            ("POST", "/api/v1/auth/logout", Some(Access::AnyToken)),
            // Not in the table: refused by the extractor.
            ("GET", "/api/v1/upload", None),
            ("PUT", "/api/v1/tokens/{id}", None),
            ("GET", "/api/v1/nothing", None),
        ];
        for (method, pattern, expected) in cases {
            assert_eq!(access_for(method, pattern), expected, "{method} {pattern}");
        }
    }

    /// Every operation of the OpenAPI document that asks for a bearer token has a row, and
    /// every row is a documented operation (so the table cannot drift from the router).
    #[test]
    fn every_authenticated_route_has_a_scope() {
        let doc = serde_json::to_value(crate::openapi::document()).unwrap();
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op.get("security").is_some() {
                    documented.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        for (method, path) in &documented {
            assert!(
                access_for(method, path).is_some(),
                "{method} {path} needs a row in auth/scopes.rs"
            );
        }
        for (method, path, access) in ROUTES {
            assert!(
                documented.contains(&(method.to_string(), path.to_string())),
                "{method} {path} is in the scope table but not an authenticated route"
            );
            let op = &doc["paths"][path][method.to_lowercase()];
            if let Access::Needs(scope) = access {
                assert_eq!(op["x-scope"], scope.as_str(), "{method} {path}");
                assert!(op["responses"]["403"].is_object(), "{method} {path}: {op}");
            }
        }
    }
}
