//! Custom webhook payloads: an action may carry a MiniJinja template that turns the event into
//! the JSON body a receiver expects (a chat tool's message format, say) instead of our own.
//!
//! The event's top-level fields (`type`, `id`, `timestamp`, `data`) are variables, and the
//! whole event is `event` too. The engine is set up for JSON, not HTML: no auto-escaping (a
//! value goes in with `tojson` when it must be quoted), undefined variables are errors so a
//! typo is caught when the action is saved (the server renders a sample event then), and the
//! result must parse as JSON. Strict mode does not reach into filters that take any value, and
//! the builtin `tojson` would turn a misspelt `{{ data.scroe | tojson }}` into `null`, so ours
//! refuses an undefined value too; an optional field is written `x | default(...)` or tested
//! with `x is defined`.
//!
//! Templates are written by users and run in the worker, so rendering is bounded: the source
//! is capped, the output is capped while it is written, and the engine's fuel stops a template
//! whose loops would run (nearly) forever. MiniJinja has no file loader configured here, so a
//! template can read nothing but the event.

use minijinja::value::{Kwargs, Value as TemplateValue};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};
use serde_json::Value;
use std::io;

/// The longest template source we accept: 64 KiB. A payload template is a screen or two.
const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// The largest body a template may render: 1 MiB. The event itself is far smaller; more means a
/// runaway loop.
const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// MiniJinja instructions one render may run (most cost 1). A loop over a few thousand
/// transcript segments needs well under a tenth of it; nested `range(100000)` loops run out.
const FUEL: u64 = 1_000_000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("the payload template has a syntax error: {0}")]
    Syntax(String),
    #[error("the payload template failed to render: {0}")]
    Render(String),
    #[error("the payload template did not render valid JSON: {0}")]
    NotJson(String),
    #[error("the payload template is too large: {0}")]
    TooLarge(String),
}

/// `source` rendered against `event`, checked to be JSON and trimmed.
pub fn render_payload(source: &str, event: &Value) -> Result<String, TemplateError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(TemplateError::TooLarge(format!(
            "the template is {} bytes; at most {MAX_SOURCE_BYTES} (64 KiB) are allowed",
            source.len()
        )));
    }
    let env = environment();
    let template = env
        .template_from_str(source)
        .map_err(|e| TemplateError::Syntax(describe(&e, source)))?;

    let mut out = CappedBuffer::default();
    if let Err(e) = template.render_captured_to(context(event), &mut out) {
        if out.overflowed {
            return Err(too_large_output());
        }
        return Err(TemplateError::Render(describe(&e, source)));
    }
    // Every write comes from a `&str`, so this is UTF-8; lossy only to avoid an unwrap.
    let rendered = String::from_utf8_lossy(&out.bytes);
    let rendered = rendered.trim();
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(rendered) {
        return Err(TemplateError::NotJson(not_json(rendered, &e)));
    }
    Ok(rendered.to_owned())
}

/// The engine as payload templates need it (see the module header).
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    // Keeps the span of a failing expression (also in release builds) for `describe`.
    env.set_debug(true);
    env.add_filter("tojson", strict_tojson);
    env
}

/// The builtin `tojson`, but an undefined value is an error rather than `null`.
fn strict_tojson(
    value: &TemplateValue,
    indent: Option<TemplateValue>,
    kwargs: Kwargs,
) -> Result<TemplateValue, minijinja::Error> {
    if value.is_undefined() {
        return Err(minijinja::Error::new(
            ErrorKind::UndefinedError,
            "tojson was given a variable or field that does not exist",
        ));
    }
    minijinja::filters::tojson(value, indent, kwargs)
}

/// The render context: the event's top-level fields, and the whole event as `event` (which
/// wins over a top-level field of that name, so `event` always means the same).
fn context(event: &Value) -> Value {
    let mut vars = match event {
        Value::Object(fields) => fields.clone(),
        _ => serde_json::Map::new(),
    };
    vars.insert("event".to_owned(), event.clone());
    Value::Object(vars)
}

/// A MiniJinja error as a user reads it, with the failing expression when the engine knows it:
/// ``line 3: undefined value (at `data.scroe.percentage`)``.
fn describe(e: &minijinja::Error, source: &str) -> String {
    const SHOWN: usize = 60;
    let mut what = match e.kind() {
        ErrorKind::OutOfFuel => {
            "it ran too long (too many loop iterations or steps); simplify its loops".to_owned()
        }
        kind => match e.detail() {
            Some(detail) => format!("{kind}: {detail}"),
            None => kind.to_string(),
        },
    };
    if let Some(snippet) = e.range().and_then(|range| source.get(range)) {
        let snippet = snippet.trim();
        if !snippet.is_empty() {
            let shown: String = snippet.chars().take(SHOWN).collect();
            let more = if snippet.chars().count() > SHOWN {
                "…"
            } else {
                ""
            };
            what = format!("{what} (at `{shown}{more}`)");
        }
    }
    match e.line() {
        Some(line) => format!("line {line}: {what}"),
        None => what,
    }
}

fn too_large_output() -> TemplateError {
    TemplateError::TooLarge(format!(
        "the rendered payload exceeds {MAX_OUTPUT_BYTES} bytes (1 MiB)"
    ))
}

/// serde_json's complaint with its line and column, and the start of the offending line so the
/// user sees what the template produced there.
fn not_json(rendered: &str, e: &serde_json::Error) -> String {
    const SHOWN: usize = 80;
    let line = rendered
        .lines()
        .nth(e.line().saturating_sub(1))
        .unwrap_or("");
    let shown: String = line.chars().take(SHOWN).collect();
    let more = if line.chars().count() > SHOWN {
        "…"
    } else {
        ""
    };
    format!("{e}; the line reads: {shown}{more}")
}

/// An in-memory sink that refuses to grow past `MAX_OUTPUT_BYTES`, so a runaway template fails
/// while it is writing instead of after it has filled memory.
#[derive(Default)]
struct CappedBuffer {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl io::Write for CappedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(io::Error::other("payload too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
