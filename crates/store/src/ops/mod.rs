//! The store's operations, written once over [`crate::sql::Db`]: each function is the
//! statements of one store method (or one part of it), in SQL both dialects understand, with
//! the rules of `crate::rules` deciding what to write. Which transaction a function runs in is
//! the caller's choice (`crate::backend`); a function never commits.

pub(crate) mod accounts;
pub(crate) mod actions;
pub(crate) mod catalog;
pub(crate) mod credits;
pub(crate) mod dashboard;
pub(crate) mod effects;
pub(crate) mod evaluations;
pub(crate) mod events;
pub(crate) mod interaction_tags;
pub(crate) mod interactions;
pub(crate) mod jobs;
pub(crate) mod participants;
pub(crate) mod retention;
pub(crate) mod retry;
pub(crate) mod secrets;
pub(crate) mod trials;
pub(crate) mod upload;
pub(crate) mod users;
pub(crate) mod webhook_messages;
pub(crate) mod webhook_targets;
