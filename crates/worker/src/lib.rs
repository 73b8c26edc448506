//! scorejar-worker: runs the jobs that uploads enqueue.
//!
//! A [`Worker`] claims due jobs of the kinds it has handlers for (with a lease), runs each on
//! its handler with bounded concurrency, keeps the leases alive while they run, and records the
//! outcome with the job's effects in one store transaction: done (and the next step queued),
//! retry later with exponential backoff and jitter, or failed for good — the step FAILED with
//! the error, never dropped. A worker that dies (even `kill -9`) simply stops renewing its
//! leases; once they expire another worker takes the jobs over. Handlers are idempotent.

pub mod backoff;
mod done_batch;
pub mod handlers;
pub mod orphan_media;
pub mod retention;
mod runner;
#[cfg(test)]
mod runner_fault_tests;
#[cfg(test)]
mod runner_tests;
pub mod settlement;
pub mod spool;

pub use handlers::{HandlerError, HandlerResult, JobHandler};
pub use retention::RetentionSweep;
pub use runner::{Worker, WorkerSettings};
pub use spool::SpoolSweep;
