//! What evaluation engines read and decide, without I/O: the transcript as numbered lines
//! with times and speakers (`lines`), the figures measured on them (`metrics`), the
//! deterministic rules engine (`rules`, applied to a whole scorecard by `by_rules`), what the
//! AI engine sends and how its reply is checked (`ai`), a scorecard version as the engines
//! read it (`card`), the stored result (`result`) and reviewers' corrections and agreement
//! (`review`). The arithmetic of a score is
//! `crate::scoring`.

pub mod ai;
pub mod by_rules;
pub mod card;
pub mod lines;
pub mod listing;
pub mod metrics;
pub mod result;
pub mod review;
pub mod rules;
pub mod trial;
