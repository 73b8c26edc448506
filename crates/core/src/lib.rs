//! scorejar-core: the pure heart of scorejar.
//!
//! Everything here is deterministic and free of I/O so it can be tested with plain tables:
//! the typed upload payload (parse, don't validate), interaction-type inference, pricing,
//! scorecard validation, derived transcript text, ids, API token scopes and expiry, user
//! roles, webhook signing, retry schedule and payload templates, signed media links, and the
//! API error type that every layer converts into. The store and server crates depend on this
//! one, never the reverse.

pub mod actions;
pub mod cursor;
pub mod dashboard;
pub mod error;
pub mod evaluation;
pub mod filters;
pub mod ids;
pub mod inference;
pub mod jobs;
pub mod json;
pub mod media_link;
pub mod model;
pub mod paging;
pub mod payload;
pub mod pricing;
pub mod render;
pub mod retention;
pub mod retry;
pub mod roles;
pub mod scorecard;
pub mod scorecard_diff;
pub mod scoring;
pub mod search;
pub mod text;
pub mod tokens;
pub mod users;
pub mod webhooks;

#[cfg(test)]
mod test_support;

pub use error::ApiError;
