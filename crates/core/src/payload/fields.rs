//! Typed access to the fields of a `serde_json` object, shared by every parser in this crate
//! (upload payload, scorecards).
//!
//! Rules: a JSON `null` is the same as an absent key for optional fields; every rejection is a
//! 400 [`ApiError`] whose message names the field (as a JSON path) and says what was expected and
//! what was found, e.g. "`direction` must be \"INBOUND\" or \"OUTBOUND\", got \"inbound\"".
//! Echoed values are shortened so a huge string never ends up in an error message.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// How many characters of an offending string an error message repeats.
const ECHO_CHARS: usize = 40;

/// `parent.key`, or `key` at the top level.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub(crate) fn index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// A short description of a JSON value for error messages: strings quoted (and shortened),
/// numbers and booleans as written, containers by their kind.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// A string as it appears in an error message: JSON-quoted, cut after [`ECHO_CHARS`] chars.
pub(crate) fn quote(s: &str) -> String {
    if s.chars().count() > ECHO_CHARS {
        let head: String = s.chars().take(ECHO_CHARS).collect();
        format!("{}…", Value::from(head))
    } else {
        Value::from(s).to_string()
    }
}

/// "`path` must be EXPECTED, got FOUND".
pub(crate) fn wrong(path: &str, expected: &str, found: &Value) -> ApiError {
    ApiError::invalid(
        path,
        format!("`{path}` must be {expected}, got {}", describe(found)),
    )
}

/// The value of `key` unless it is absent or null.
pub(crate) fn optional<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// The value of `key`; absent or null is a `missing_field` error.
pub(crate) fn required<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, ApiError> {
    optional(obj, key).ok_or_else(|| ApiError::missing(path))
}

pub(crate) fn as_object<'a>(
    value: &'a Value,
    path: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| wrong(path, "an object", value))
}

pub(crate) fn as_array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, ApiError> {
    value
        .as_array()
        .ok_or_else(|| wrong(path, "an array", value))
}

pub(crate) fn as_str<'a>(value: &'a Value, path: &str) -> Result<&'a str, ApiError> {
    value.as_str().ok_or_else(|| wrong(path, "a string", value))
}

pub(crate) fn as_bool(value: &Value, path: &str) -> Result<bool, ApiError> {
    value
        .as_bool()
        .ok_or_else(|| wrong(path, "a boolean", value))
}

/// A finite JSON number.
pub(crate) fn as_finite_f64(value: &Value, path: &str) -> Result<f64, ApiError> {
    match value.as_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(wrong(path, "a finite number", value)),
    }
}

/// A non-negative integer. `1000.0` counts (some JSON writers only have doubles); `1.5`,
/// negatives, strings and numbers beyond `i64::MAX` do not.
pub(crate) fn as_non_negative_int(value: &Value, path: &str) -> Result<i64, ApiError> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    let expected = "a non-negative integer";
    if let Some(i) = value.as_i64() {
        return if i >= 0 {
            Ok(i)
        } else {
            Err(wrong(path, expected, value))
        };
    }
    match value.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 && (0.0..TWO_POW_63).contains(&f) => {
            Ok(f as i64)
        }
        _ => Err(wrong(path, expected, value)),
    }
}

/// Rejects strings longer than `max` characters.
pub(crate) fn check_max_chars(s: &str, max: usize, path: &str) -> Result<(), ApiError> {
    // Counting bytes first keeps the common case O(1): a char is at least one byte.
    if s.len() > max && s.chars().count() > max {
        return Err(ApiError::invalid(
            path,
            format!("`{path}` must be at most {max} characters long"),
        ));
    }
    Ok(())
}

/// Rejects strings longer than `max` UTF-8 bytes.
pub(crate) fn check_max_bytes(s: &str, max: usize, path: &str) -> Result<(), ApiError> {
    if s.len() > max {
        return Err(ApiError::invalid(
            path,
            format!("`{path}` must be at most {max} bytes long"),
        ));
    }
    Ok(())
}

/// Rejects arrays with more than `max` entries.
pub(crate) fn check_max_items(items: &[Value], max: usize, path: &str) -> Result<(), ApiError> {
    if items.len() > max {
        return Err(ApiError::invalid(
            path,
            format!(
                "`{path}` must have at most {max} entries, got {}",
                items.len()
            ),
        ));
    }
    Ok(())
}

/// True when the string is empty or only whitespace.
pub(crate) fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// An optional string field: `None` when absent or null, an error for any other type.
pub(crate) fn optional_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ApiError> {
    optional(obj, key).map(|v| as_str(v, path)).transpose()
}

/// An optional string field limited to `max` characters.
pub(crate) fn optional_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
) -> Result<Option<String>, ApiError> {
    let Some(s) = optional_str(obj, key, path)? else {
        return Ok(None);
    };
    check_max_chars(s, max, path)?;
    Ok(Some(s.to_string()))
}

/// A required string that must not be blank, limited to `max` characters. Kept as given.
pub(crate) fn required_text(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
) -> Result<String, ApiError> {
    let s = as_str(required(obj, key, path)?, path)?;
    if is_blank(s) {
        return Err(ApiError::invalid(
            path,
            format!("`{path}` must not be empty"),
        ));
    }
    check_max_chars(s, max, path)?;
    Ok(s.to_string())
}

/// An optional field holding one of the exact spellings of an API enum.
pub(crate) fn optional_enum<T: Copy>(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    all: &[T],
    spell: fn(T) -> &'static str,
) -> Result<Option<T>, ApiError> {
    optional(obj, key)
        .map(|v| parse_enum(v, path, all, spell))
        .transpose()
}

/// One of the exact spellings of an API enum; the message lists them all.
pub(crate) fn parse_enum<T: Copy>(
    value: &Value,
    path: &str,
    all: &[T],
    spell: fn(T) -> &'static str,
) -> Result<T, ApiError> {
    let found = value
        .as_str()
        .and_then(|s| all.iter().copied().find(|t| spell(*t) == s));
    found.ok_or_else(|| wrong(path, &one_of(all.iter().map(|t| spell(*t))), value))
}

/// `"A"`, `"A" or "B"`, `one of "A", "B", "C"`.
pub(crate) fn one_of<'a>(spellings: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = spellings.map(|s| format!("\"{s}\"")).collect();
    match quoted.as_slice() {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        many => format!("one of {}", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn non_negative_int_table() {
        let cases = [
            (json!(0), Some(0)),
            (json!(125000), Some(125_000)),
            (json!(1000.0), Some(1000)),
            (json!(i64::MAX), Some(i64::MAX)),
            (json!(u64::MAX), None),
            (json!(-1), None),
            (json!(1.5), None),
            (json!(-0.0), Some(0)),
            (json!(1e300), None),
            (json!("100"), None),
            (json!(true), None),
            (json!(null), None),
        ];
        for (value, expected) in cases {
            let got = as_non_negative_int(&value, "duration").ok();
            assert_eq!(got, expected, "{value}");
        }
    }

    #[test]
    fn wrong_type_messages_name_field_expectation_and_value() {
        let cases = [
            (json!(42), "`x` must be a string, got 42"),
            (json!([1]), "`x` must be a string, got an array"),
            (json!({}), "`x` must be a string, got an object"),
            (json!(null), "`x` must be a string, got null"),
        ];
        for (value, message) in cases {
            let err = as_str(&value, "x").unwrap_err();
            assert_eq!(err.message, message);
            assert_eq!(err.field.as_deref(), Some("x"));
            assert_eq!((err.status, err.code), (400, "invalid_field"));
        }
    }

    #[test]
    fn long_strings_are_shortened_in_messages() {
        let long = "y".repeat(1000);
        let described = describe(&Value::from(long));
        assert!(described.chars().count() < 50, "{described}");
        assert!(described.ends_with('…'));
    }

    #[test]
    fn one_of_lists_spellings() {
        assert_eq!(one_of(["A"].into_iter()), "\"A\"");
        assert_eq!(one_of(["A", "B"].into_iter()), "\"A\" or \"B\"");
        assert_eq!(
            one_of(["A", "B", "C"].into_iter()),
            "one of \"A\", \"B\", \"C\""
        );
    }

    #[test]
    fn max_chars_counts_characters_not_bytes() {
        assert!(check_max_chars("ééé", 3, "x").is_ok());
        assert!(check_max_chars("éééé", 3, "x").is_err());
        assert!(check_max_chars("", 0, "x").is_ok());
    }
}
