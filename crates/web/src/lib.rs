//! scorejar-web: the web app, served by the same binary at `/` (`docs/web.md`).
//!
//! Server-rendered pages: minijinja templates and the CSS and JavaScript compiled into the
//! binary (`templates/`, `assets/`), on the API's `AppState` — no second server, no build step
//! on the user's machine. Pages read through the same store calls as the API and act through
//! the same code (sessions, media streaming); only the answer differs: HTML.
//!
//! Security lives in three small modules every page goes through: `session.rs` (cookie
//! sessions with an idle timeout), `csrf.rs` (every form carries a token bound to the session;
//! a cross-site POST is refused) and `headers.rs` (a Content-Security-Policy without inline
//! scripts, no framing, no caching of pages).

mod assets;
mod charts;
mod csrf;
mod headers;
mod pages;
mod session;
mod views;

use axum::middleware;
use scorejar_server::Pages;

/// Every page and asset of the web app, to be served beside the API
/// (`scorejar_server::serve_with_pages`).
pub fn pages() -> Pages {
    let secure = || middleware::from_fn(headers::secure_headers);
    Pages {
        quick: pages::router().merge(assets::router()).layer(secure()),
        streaming: pages::streaming_router().layer(secure()),
    }
}
