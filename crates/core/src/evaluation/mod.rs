//! What evaluation engines read and decide, without I/O: the transcript as numbered lines
//! with times and speakers (`lines`), the figures measured on them (`metrics`), and the
//! deterministic rules engine (`rules`). The arithmetic of a score is `crate::scoring`.

pub mod lines;
pub mod metrics;
pub mod rules;
