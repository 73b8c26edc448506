//! `customMetadata`: a flat object of filterable, typed values.
//!
//! Typing: string → STRING, boolean → BOOLEAN, an integer literal within `i64` → INT, any other
//! number → FLOAT (`1.0`, `1e3`, `9223372036854775808`, `2^70` written out). serde_json reads
//! `-0` as the float `-0.0`, so `-0` is FLOAT. `null`, arrays and objects are rejected naming the
//! key. Keys are 1..=64 characters, not blank, without control characters; at most 100 keys.
//!
//! Order: the order of the parsed `serde_json::Map`. Without serde_json's `preserve_order`
//! feature (the default in this workspace) that is the keys' alphabetical order, not the order
//! in the request body.

use serde_json::Value;

use super::fields::{as_object, check_max_chars, describe, join, quote};
use super::limits::{MAX_METADATA_KEYS, MAX_METADATA_KEY_CHARS, MAX_METADATA_STRING_CHARS};
use crate::error::ApiError;
use crate::model::MetadataValue;

/// Why a metadata key is unacceptable, or `Ok` (shared with the listing filters).
pub fn check_metadata_key(key: &str) -> Result<(), String> {
    if key.trim().is_empty() {
        return Err("metadata keys must not be empty".into());
    }
    if key.chars().count() > MAX_METADATA_KEY_CHARS {
        return Err(format!(
            "metadata key {} is longer than {MAX_METADATA_KEY_CHARS} characters",
            quote(key)
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(format!(
            "metadata key {} contains control characters",
            quote(key)
        ));
    }
    Ok(())
}

/// The typed form of one JSON metadata value; `None` for null, arrays, objects and numbers
/// that are not finite.
pub fn metadata_value_from_json(value: &Value) -> Option<MetadataValue> {
    match value {
        Value::String(s) => Some(MetadataValue::String(s.clone())),
        Value::Bool(b) => Some(MetadataValue::Boolean(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(MetadataValue::Int(i)),
            None => n
                .as_f64()
                .filter(|f| f.is_finite())
                .map(MetadataValue::Float),
        },
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// More than `max` keys in the metadata object at `path` (also raised while the body is read:
/// `shape.rs`).
pub(crate) fn too_many_keys(path: &str, max: usize) -> ApiError {
    ApiError::bad_request(
        "too_many_metadata_keys",
        format!("`{path}` has more than {max} keys; at most {max} are allowed"),
    )
    .with_field(path)
}

/// Parses `customMetadata` at `path`.
pub(crate) fn parse_custom_metadata(
    value: &Value,
    path: &str,
) -> Result<Vec<(String, MetadataValue)>, ApiError> {
    let obj = as_object(value, path)?;
    if obj.len() > MAX_METADATA_KEYS {
        return Err(too_many_keys(path, MAX_METADATA_KEYS));
    }
    let mut entries = Vec::with_capacity(obj.len());
    for (key, raw) in obj {
        let field = join(path, key);
        check_metadata_key(key).map_err(|reason| ApiError::invalid(&field, reason))?;
        let typed = metadata_value_from_json(raw).ok_or_else(|| {
            ApiError::invalid(
                &field,
                format!(
                    "`{field}` must be a string, boolean or number, got {}; metadata is flat",
                    describe(raw)
                ),
            )
        })?;
        if let MetadataValue::String(s) = &typed {
            check_max_chars(s, MAX_METADATA_STRING_CHARS, &field)?;
        }
        entries.push((key.clone(), typed));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn typed(raw: &str) -> Option<MetadataValue> {
        let value: Value = serde_json::from_str(raw).unwrap();
        metadata_value_from_json(&value)
    }

    #[test]
    fn typing_table() {
        use MetadataValue::*;
        let cases = [
            (r#""sale""#, Some(String("sale".into()))),
            (r#""""#, Some(String(std::string::String::new()))),
            ("true", Some(Boolean(true))),
            ("false", Some(Boolean(false))),
            ("50000", Some(Int(50_000))),
            ("0", Some(Int(0))),
            ("-42", Some(Int(-42))),
            ("9223372036854775807", Some(Int(i64::MAX))),
            ("-9223372036854775808", Some(Int(i64::MIN))),
            (
                "9223372036854775808",
                Some(Float(9_223_372_036_854_775_808.0)),
            ),
            (
                "18446744073709551615",
                Some(Float(18_446_744_073_709_551_615.0)),
            ),
            (
                "1180591620717411303424",
                Some(Float(1_180_591_620_717_411_303_424.0)),
            ),
            ("1.0", Some(Float(1.0))),
            ("1e2", Some(Float(100.0))),
            ("1E-2", Some(Float(0.01))),
            ("2.5", Some(Float(2.5))),
            ("-0", Some(Float(-0.0))),
            ("-0.0", Some(Float(-0.0))),
            ("null", None),
            ("[1]", None),
            (r#"{"a":1}"#, None),
        ];
        for (raw, expected) in cases {
            assert_eq!(typed(raw), expected, "{raw}");
        }
        assert!(matches!(typed("-0"), Some(Float(f)) if f.is_sign_negative()));
    }

    #[test]
    fn parses_object_in_map_order() {
        let value = json!({"disposition": "sale", "recordingConsent": true, "dealValue": 50000});
        let entries = parse_custom_metadata(&value, "customMetadata").unwrap();
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        let map_order: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, map_order);
        assert_eq!(entries.len(), 3);
        assert!(entries.contains(&("dealValue".into(), MetadataValue::Int(50_000))));
    }

    #[test]
    fn rejections_name_the_key() {
        let long_key = "k".repeat(MAX_METADATA_KEY_CHARS + 1);
        let long_value = "v".repeat(MAX_METADATA_STRING_CHARS + 1);
        let cases = [
            (json!(["a"]), "customMetadata", "invalid_field"),
            (json!("a=b"), "customMetadata", "invalid_field"),
            (
                json!({"nested": {"a": 1}}),
                "customMetadata.nested",
                "invalid_field",
            ),
            (
                json!({"list": [1, 2]}),
                "customMetadata.list",
                "invalid_field",
            ),
            (
                json!({"gone": null}),
                "customMetadata.gone",
                "invalid_field",
            ),
            (json!({"": 1}), "customMetadata.", "invalid_field"),
            (json!({"  ": 1}), "customMetadata.  ", "invalid_field"),
            (json!({"a\nb": 1}), "customMetadata.a\nb", "invalid_field"),
            (
                json!({long_key.clone(): 1}),
                &format!("customMetadata.{long_key}"),
                "invalid_field",
            ),
            (
                json!({"s": long_value}),
                "customMetadata.s",
                "invalid_field",
            ),
        ];
        for (value, field, code) in cases {
            let err = parse_custom_metadata(&value, "customMetadata").unwrap_err();
            assert_eq!((err.status, err.code), (400, code), "{value}");
            assert_eq!(err.field.as_deref(), Some(field), "{value}");
        }
        let nested = parse_custom_metadata(&json!({"nested": {}}), "customMetadata").unwrap_err();
        assert!(
            nested.message.contains("`customMetadata.nested`"),
            "{}",
            nested.message
        );
    }

    #[test]
    fn key_count_limit() {
        let at_limit: serde_json::Map<String, Value> = (0..MAX_METADATA_KEYS)
            .map(|i| (format!("k{i}"), json!(i)))
            .collect();
        let entries = parse_custom_metadata(&Value::Object(at_limit.clone()), "m").unwrap();
        assert_eq!(entries.len(), MAX_METADATA_KEYS);

        let mut over = at_limit;
        over.insert("one-more".into(), json!(1));
        let err = parse_custom_metadata(&Value::Object(over), "m").unwrap_err();
        assert_eq!(err.code, "too_many_metadata_keys");
        assert_eq!(err.field.as_deref(), Some("m"));
    }

    #[test]
    fn key_length_boundary() {
        let key = "k".repeat(MAX_METADATA_KEY_CHARS);
        assert!(check_metadata_key(&key).is_ok());
        assert!(check_metadata_key("é").is_ok());
        assert!(check_metadata_key(&format!("{key}k")).is_err());
    }
}
