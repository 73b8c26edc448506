//! Reading a question's `rules` JSON into [`Rules`], checked against the question: every
//! error names the path of the offending value (`…rules.if.all[1].regex`).
//!
//! ```text
//! RULES     = { "if": CONDITION, "then": LABEL, "else"?: LABEL }     SINGLE / MULTIPLE
//!           | [ { "if": …, "then": …, "else"?: … }, … ]            SINGLE / MULTIPLE
//!           | { "value": { "metric": NAME } }                       SLIDER
//! CONDITION = { "phrase": TEXT | [TEXT…], "by"?: SIDE, "within"?: WINDOW, "fuzzy"?: 0.5..=1 }
//!           | { "regex": PATTERN, "by"?: SIDE, "within"?: WINDOW }
//!           | { "all": [CONDITION…] } | { "any": [CONDITION…] } | { "not": CONDITION }
//!           | { "metric": NAME, "op": "<" | "<=" | ">" | ">=" | "==", "value": NUMBER }
//! SIDE      = "AGENT" | "CUSTOMER" | "ANY"
//! WINDOW    = { "from"?: SECONDS, "to"?: SECONDS }   (negative = from the end)
//! ```

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};

use super::super::metrics::METRICS;
use crate::scoring::QuestionKind;

/// A rule's error: the JSON path and what is wrong there.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RuleError {
    pub path: String,
    pub message: String,
}

/// A question's rules, parsed.
#[derive(Debug, Clone)]
pub enum Rules {
    /// If-then rules in order (one for the object form).
    Choose(Vec<IfThen>),
    /// A SLIDER's value: the metric, clamped and snapped to the slider.
    Metric(String),
}

#[derive(Debug, Clone)]
pub struct IfThen {
    pub condition: Condition,
    pub then: String,
    pub otherwise: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Condition {
    Phrase {
        phrases: Vec<String>,
        by: Side,
        within: Window,
        fuzzy: Option<f64>,
    },
    Regex {
        regex: Regex,
        by: Side,
        within: Window,
    },
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Metric {
        name: String,
        op: Op,
        value: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Agent,
    Customer,
    Any,
}

/// Seconds from the start (negative: from the end); for lines without times, message
/// positions counted the same way (0 = the first message, -1 = the last).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Window {
    pub from: Option<f64>,
    pub to: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// Compiled regexes may not grow past this (a hostile pattern cannot exhaust memory).
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Conditions nest at most this deep.
const MAX_DEPTH: usize = 16;

/// Parses `value` (at JSON path `path`) as the rules of a question of `kind`.
pub fn parse(value: &Value, path: &str, kind: &QuestionKind) -> Result<Rules, RuleError> {
    let labels: Vec<&str> = match kind {
        QuestionKind::Single(a) | QuestionKind::Multiple(a) => {
            a.iter().map(|a| a.label.as_str()).collect()
        }
        QuestionKind::Slider { .. } => {
            let obj = object(value, path)?;
            only_keys(obj, path, &["value"])?;
            let value_path = format!("{path}.value");
            let inner = object(required(obj, "value", path)?, &value_path)?;
            only_keys(inner, &value_path, &["metric"])?;
            let metric = metric_name(
                required(inner, "metric", &value_path)?,
                &format!("{value_path}.metric"),
            )?;
            return Ok(Rules::Metric(metric));
        }
    };
    let rules = match value {
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(i, item)| if_then(item, &format!("{path}[{i}]"), &labels))
            .collect::<Result<_, _>>()?,
        Value::Array(_) => return Err(error(path, "needs at least one rule")),
        _ => vec![if_then(value, path, &labels)?],
    };
    Ok(Rules::Choose(rules))
}

fn if_then(value: &Value, path: &str, labels: &[&str]) -> Result<IfThen, RuleError> {
    let obj = object(value, path)?;
    if obj.contains_key("value") {
        return Err(error(
            path,
            "`value` rules are for SLIDER questions; use if/then",
        ));
    }
    only_keys(obj, path, &["if", "then", "else"])?;
    let label = |key: &str| -> Result<Option<String>, RuleError> {
        let Some(v) = obj.get(key) else {
            return Ok(None);
        };
        let p = format!("{path}.{key}");
        let s = v
            .as_str()
            .ok_or_else(|| error(&p, "must be one of the question's answer labels"))?;
        if !labels.contains(&s) {
            return Err(error(
                &p,
                format!(
                    "{s:?} is not one of the question's answers ({})",
                    labels.join(", ")
                ),
            ));
        }
        Ok(Some(s.to_owned()))
    };
    Ok(IfThen {
        condition: condition(required(obj, "if", path)?, &format!("{path}.if"), 0)?,
        then: label("then")?.ok_or_else(|| error(&format!("{path}.then"), "is required"))?,
        otherwise: label("else")?,
    })
}

fn condition(value: &Value, path: &str, depth: usize) -> Result<Condition, RuleError> {
    if depth > MAX_DEPTH {
        return Err(error(
            path,
            format!("conditions nest at most {MAX_DEPTH} deep"),
        ));
    }
    let obj = object(value, path)?;
    let kinds = ["phrase", "regex", "all", "any", "not", "metric"];
    let present: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| obj.contains_key(*k))
        .collect();
    let [kind] = present.as_slice() else {
        return Err(error(
            path,
            format!("needs exactly one of {}", kinds.join(", ")),
        ));
    };
    let at = |key: &str| format!("{path}.{key}");
    Ok(match *kind {
        "phrase" => {
            only_keys(obj, path, &["phrase", "by", "within", "fuzzy"])?;
            let phrases = match &obj["phrase"] {
                Value::String(s) => vec![s.clone()],
                Value::Array(items) if !items.is_empty() => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| text(v, &format!("{}[{i}]", at("phrase"))))
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(error(
                        &at("phrase"),
                        "must be a text or a non-empty list of texts",
                    ))
                }
            };
            for (i, p) in phrases.iter().enumerate() {
                if super::matching::normalise(p).is_empty() {
                    return Err(error(&format!("{}[{i}]", at("phrase")), "has no words"));
                }
            }
            let fuzzy = match obj.get("fuzzy") {
                None => None,
                Some(v) => match v.as_f64() {
                    Some(f) if (0.5..=1.0).contains(&f) => Some(f),
                    _ => return Err(error(&at("fuzzy"), "must be a number from 0.5 to 1")),
                },
            };
            Condition::Phrase {
                phrases,
                by: side(obj, path)?,
                within: window(obj, path)?,
                fuzzy,
            }
        }
        "regex" => {
            only_keys(obj, path, &["regex", "by", "within"])?;
            let pattern = text(&obj["regex"], &at("regex"))?;
            let regex = RegexBuilder::new(&pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| {
                    error(
                        &at("regex"),
                        format!("is not a valid regular expression: {e}"),
                    )
                })?;
            Condition::Regex {
                regex,
                by: side(obj, path)?,
                within: window(obj, path)?,
            }
        }
        "all" | "any" => {
            only_keys(obj, path, &[kind])?;
            let items = match &obj[*kind] {
                Value::Array(items) if !items.is_empty() => items,
                _ => return Err(error(&at(kind), "must be a non-empty list of conditions")),
            };
            let parts = items
                .iter()
                .enumerate()
                .map(|(i, v)| condition(v, &format!("{}[{i}]", at(kind)), depth + 1))
                .collect::<Result<_, _>>()?;
            if *kind == "all" {
                Condition::All(parts)
            } else {
                Condition::Any(parts)
            }
        }
        "not" => {
            only_keys(obj, path, &["not"])?;
            Condition::Not(Box::new(condition(&obj["not"], &at("not"), depth + 1)?))
        }
        _ => {
            only_keys(obj, path, &["metric", "op", "value"])?;
            let op = match required(obj, "op", path)?.as_str() {
                Some("<") => Op::Lt,
                Some("<=") => Op::Le,
                Some(">") => Op::Gt,
                Some(">=") => Op::Ge,
                Some("==") => Op::Eq,
                _ => return Err(error(&at("op"), "must be one of <, <=, >, >=, ==")),
            };
            let value = required(obj, "value", path)?
                .as_f64()
                .ok_or_else(|| error(&at("value"), "must be a number"))?;
            Condition::Metric {
                name: metric_name(&obj["metric"], &at("metric"))?,
                op,
                value,
            }
        }
    })
}

fn side(obj: &Map<String, Value>, path: &str) -> Result<Side, RuleError> {
    match obj.get("by").map(Value::as_str) {
        None | Some(Some("ANY")) => Ok(Side::Any),
        Some(Some("AGENT")) => Ok(Side::Agent),
        Some(Some("CUSTOMER")) => Ok(Side::Customer),
        Some(_) => Err(error(
            &format!("{path}.by"),
            "must be AGENT, CUSTOMER or ANY",
        )),
    }
}

fn window(obj: &Map<String, Value>, path: &str) -> Result<Window, RuleError> {
    let Some(value) = obj.get("within") else {
        return Ok(Window::default());
    };
    let path = format!("{path}.within");
    let w = object(value, &path)?;
    only_keys(w, &path, &["from", "to"])?;
    let bound = |key: &str| -> Result<Option<f64>, RuleError> {
        w.get(key)
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| error(&format!("{path}.{key}"), "must be a number of seconds"))
            })
            .transpose()
    };
    let (from, to) = (bound("from")?, bound("to")?);
    if let (Some(f), Some(t)) = (from, to) {
        // Only comparable when both count from the same end.
        if (f < 0.0) == (t < 0.0) && f > t {
            return Err(error(&format!("{path}.to"), "must not be before `from`"));
        }
    }
    Ok(Window { from, to })
}

fn metric_name(value: &Value, path: &str) -> Result<String, RuleError> {
    match value.as_str() {
        Some(name) if METRICS.contains(&name) => Ok(name.to_owned()),
        _ => Err(error(
            path,
            format!("must be one of {}", METRICS.join(", ")),
        )),
    }
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, RuleError> {
    value
        .as_object()
        .ok_or_else(|| error(path, "must be an object"))
}

fn required<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, RuleError> {
    obj.get(key)
        .ok_or_else(|| error(&format!("{path}.{key}"), "is required"))
}

fn text(value: &Value, path: &str) -> Result<String, RuleError> {
    match value.as_str() {
        Some(s) if !s.trim().is_empty() => Ok(s.to_owned()),
        _ => Err(error(path, "must be a non-empty text")),
    }
}

fn only_keys(obj: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<(), RuleError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(error(
            &format!("{path}.{key}"),
            format!("is not allowed here (allowed: {})", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

fn error(path: &str, message: impl Into<String>) -> RuleError {
    RuleError {
        path: path.to_owned(),
        message: message.into(),
    }
}
