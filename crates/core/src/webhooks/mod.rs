//! Outgoing webhooks, the parts that need no I/O: how a delivery is signed, when a failed one is
//! tried again, and how an action's custom payload template becomes the body we send.
//!
//! - `signing`: Standard Webhooks (<https://www.standardwebhooks.com>) signatures, so a
//!   receiver can check ours with any of that standard's libraries; `whsec_` secrets, and
//!   several signatures in one header while a secret is rotated.
//! - `schedule`: the retry schedule with jitter, and how much of a receiver's `Retry-After` we
//!   honour.
//! - `template`: rendering a MiniJinja payload template against an event, bounded in size and
//!   running time, and checked to be JSON.
//!
//! All of it is pure: the worker that sends deliveries supplies the clock, the random numbers
//! and the secrets, and does the HTTP.

pub mod listing;
pub mod schedule;
pub mod signing;
pub mod template;
pub mod verdict;
