//! HTTP routes, one module per resource, each exporting its own `router()`.

pub mod action_runs;
pub mod actions;
pub mod auth;
pub mod credits;
pub mod evaluations;
pub mod health;
pub mod interaction_retry;
pub mod interaction_status;
pub mod interaction_tags;
pub mod interactions;
pub mod json;
pub mod media;
pub mod paging;
pub mod participants;
pub mod retention;
pub use scorejar_core::render;
pub mod reviews;
pub mod scorecards;
pub mod tags;
pub mod tokens;
pub mod upload;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
