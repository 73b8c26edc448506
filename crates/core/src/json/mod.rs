//! Reading untrusted JSON into a `serde_json::Value` without letting it grow without bound.
//!
//! `serde_json::from_slice::<Value>` builds everything it reads: a 31 MB body holding a
//! 5-million-element array of an unknown key peaked near 500 MB. Here the caller says which
//! parts it will look at (a [`Shape`]) and only those are built:
//! - unknown keys are skipped with `serde::de::IgnoredAny`, which allocates nothing;
//! - a value of the wrong kind (an array where a string goes) is kept as an empty one of its
//!   kind: the parser after us still reports "must be a string, got an array";
//! - arrays and maps the shape knows are cut off at their documented limit (400 naming the field);
//! - [`Shape::Any`] (small bodies of other routes) is built whole but no deeper than
//!   [`MAX_DEPTH`] levels nor with arrays over [`MAX_ANY_ITEMS`] entries;
//! - every string that is kept passes the NUL rule (`crate::text`).
//!
//! Skipped parts are still checked (the JSON must be valid); serde_json skips without
//! recursing, so however deep a skipped part nests it costs neither stack nor memory. What
//! serde_json does not check in a skipped string — UTF-8, lone surrogate escapes — is checked
//! over the whole document (`strings`), so a body is refused exactly when
//! `serde_json::from_slice::<Value>` would refuse it for its syntax, except that a skipped part
//! may nest deeper than serde_json's 128 levels and hold a number beyond `f64` (`1e400`).

mod seed;
mod shape;
mod strings;

pub use shape::{Shape, Unknown};

use crate::error::ApiError;
use serde::de::DeserializeSeed;
use serde_json::Value;

/// Deepest nesting [`Shape::Any`] builds (the upload payload needs 5 levels).
pub const MAX_DEPTH: usize = 32;
/// Longest array [`Shape::Any`] builds.
pub const MAX_ANY_ITEMS: usize = 10_000;

/// Parses `bytes` as JSON keeping only what `shape` names. `what` names the body in messages
/// ("the request body", "the `payload` part").
pub fn parse(bytes: &[u8], shape: &Shape, what: &str) -> Result<Value, ApiError> {
    let refused = |r: strings::Refusal| {
        let (reason, line, column) = (r.reason, r.line, r.column);
        ApiError::bad_request(
            "invalid_json",
            format!("{what} is not valid JSON: {reason} at line {line} column {column}"),
        )
    };
    let text = strings::utf8(bytes).map_err(refused)?;
    let ctx = seed::Ctx::default();
    let root = seed::Node::root();
    let mut de = serde_json::Deserializer::from_str(text);
    let result = seed::ValueSeed::new(&ctx, shape, &root)
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value));
    match result {
        Ok(value) => {
            strings::surrogates(bytes).map_err(refused)?;
            Ok(value)
        }
        Err(e) => Err(ctx.take_error().unwrap_or_else(|| {
            ApiError::bad_request("invalid_json", format!("{what} is not valid JSON: {e}"))
        })),
    }
}

#[cfg(test)]
mod tests;
