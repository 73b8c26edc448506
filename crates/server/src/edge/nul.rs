//! The NUL rule (`scorejar_core::text`) for what arrives outside a JSON body: path parameters
//! (`/interactions/{id}`) and query parameters (list filters). Runs after routing, so the
//! error names the parameter.

use crate::error::AppError;
use axum::extract::{FromRequestParts, Query, RawPathParams, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use scorejar_core::text::check_no_nul;

/// Route middleware: 400 naming the first path or query parameter that holds a NUL.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Ok(params) = RawPathParams::from_request_parts(&mut parts, &()).await {
        for (name, value) in &params {
            if let Err(e) = check_no_nul(name, value) {
                return AppError(e).into_response();
            }
        }
    }
    let req = Request::from_parts(parts, body);
    if req.uri().query().is_some_and(|q| q.contains("%00")) {
        // Only decoded when there is something to find (a malformed query is the handler's).
        if let Ok(Query(pairs)) = Query::<Vec<(String, String)>>::try_from_uri(req.uri()) {
            for (name, value) in &pairs {
                let field = if name.contains('\0') { "(query)" } else { name };
                if let Err(e) = check_no_nul(field, &format!("{name}{value}")) {
                    return AppError(e).into_response();
                }
            }
        }
    }
    next.run(req).await
}
