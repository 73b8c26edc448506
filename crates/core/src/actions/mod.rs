//! Scorecard Actions: what happens when an evaluation of a scorecard completes (or a reviewer
//! changes its result). An action is a trigger (`trigger.rs`: which results fire it) and a thing
//! to do (`action.rs`: a signed webhook, another evaluation, a tag). Parsing and matching are
//! pure; the worker's `Dispatch` job runs the ones that fire, at most once per evaluation and
//! cause (`docs/webhooks.md`).

pub mod action;
pub mod event;
pub mod sample;
pub mod spec;
pub mod trigger;

#[cfg(test)]
mod trigger_tests;

pub use action::Action;
pub use spec::{ActionPatch, ActionSpec};
pub use trigger::Trigger;

/// An evaluation queued by a QUEUE_EVALUATION action has a depth one more than the one that
/// fired it; at this depth its own QUEUE_EVALUATION actions no longer run, so a chain of
/// scorecards that queue each other ends.
pub const MAX_CHAIN_DEPTH: i64 = 3;
