//! The store's rules, written once above the SQL: pure functions with table tests, used by
//! both backends. What a rule decides here, the backends only say in their SQL.
//!
//! - `participants`: matching an upload's agent and customer to stored participants;
//! - `tags`: which tags an upload's references name, and the warnings for the rest;
//! - `outcome`: what a job's outcome changes (its row, the step it drives, the credits);
//! - `listing`: interaction filters and the keyset cursor as one WHERE clause;
//! - `paging`: the keyset page of the plain lists (tokens, tags, scorecards, the ledger).

pub(crate) mod evaluation_listing;
pub(crate) mod listing;
pub(crate) mod outcome;
pub(crate) mod paging;
pub(crate) mod participants;
pub(crate) mod tags;
