//! Columns ⇄ domain types, the same for both backends: times (integer microseconds), API enums
//! (their exact spelling), JSON text columns, and custom metadata in its two stored forms — the
//! ordered JSON copy on `interactions.custom_metadata` and the typed rows of
//! `interaction_metadata` that filters compare.
//!
//! Metadata JSON is written key by key (a map would sort the keys) and read back with an
//! order-keeping visitor. Types survive because serde_json writes every float with a fraction
//! or exponent (`5.0`, `1e20`) and reads such numbers back as floats, while integers stay
//! integers.

use crate::{StoreError, StoreResult};
use scorejar_core::cursor::to_micros;
use scorejar_core::model::MetadataValue;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Now, in the storage form of every time.
pub(crate) fn now_micros() -> i64 {
    to_micros(time::OffsetDateTime::now_utc())
}

/// A lease in the storage unit, saturating rather than overflowing on absurd durations.
pub(crate) fn duration_micros(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 2)
}

/// Stored data this store did not write in that form.
pub(crate) fn corrupt(column: &str, why: impl fmt::Display) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("corrupt column {column}: {why}"))
}

/// Parses an enum column written by this store.
pub(crate) fn parse_enum<T>(
    text: &str,
    parse: fn(&str) -> Option<T>,
    column: &str,
) -> StoreResult<T> {
    parse(text).ok_or_else(|| corrupt(column, format!("unknown value {text:?}")))
}

/// [`parse_enum`] of a nullable column.
pub(crate) fn parse_opt_enum<T>(
    text: Option<String>,
    parse: fn(&str) -> Option<T>,
    column: &str,
) -> StoreResult<Option<T>> {
    text.map(|t| parse_enum(&t, parse, column)).transpose()
}

/// JSON text of a value (segments, e-mail, payloads, scorecard sections, results).
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(e.into()))
}

/// A nullable JSON text column decoded into `T`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: Option<String>,
    column: &str,
) -> StoreResult<Option<T>> {
    text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt(column, e)))
        .transpose()
}

/// The metadata as one JSON object, keys in upload order; `None` when there is none.
/// Non-finite floats have no JSON form and are refused (validation keeps them out).
pub(crate) fn encode_metadata(entries: &[(String, MetadataValue)]) -> StoreResult<Option<String>> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut text = String::from("{");
    for (i, (key, value)) in entries.iter().enumerate() {
        if matches!(value, MetadataValue::Float(f) if !f.is_finite()) {
            return Err(StoreError::Internal(anyhow::anyhow!(
                "customMetadata.{key}: a non-finite number cannot be stored"
            )));
        }
        if i > 0 {
            text.push(',');
        }
        text.push_str(&to_json(key)?);
        text.push(':');
        text.push_str(&to_json(&value.to_json())?);
    }
    text.push('}');
    Ok(Some(text))
}

/// Inverse of [`encode_metadata`]; a NULL column is no metadata.
pub(crate) fn decode_metadata(text: Option<String>) -> StoreResult<Vec<(String, MetadataValue)>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let mut reader = serde_json::Deserializer::from_str(&text);
    reader
        .deserialize_map(OrderedEntries)
        .and_then(|entries| reader.end().map(|()| entries))
        .map_err(|e| corrupt("interactions.custom_metadata", e))
}

/// One typed row of `interaction_metadata`: STRING and BOOLEAN values compare as text
/// (`true`/`false`), INT and FLOAT as numbers; an INT also keeps its exact value, because a
/// double cannot tell integers above 2^53 apart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MetadataRow<'a> {
    pub key: &'a str,
    pub value_type: &'static str,
    pub text: Option<String>,
    pub number: Option<f64>,
    pub int: Option<i64>,
}

pub(crate) fn metadata_row<'a>(key: &'a str, value: &MetadataValue) -> MetadataRow<'a> {
    let (text, int) = match value {
        MetadataValue::String(s) => (Some(s.clone()), None),
        MetadataValue::Boolean(b) => (Some(b.to_string()), None),
        MetadataValue::Int(i) => (None, Some(*i)),
        MetadataValue::Float(_) => (None, None),
    };
    MetadataRow {
        key,
        value_type: value.kind().as_str(),
        text,
        number: value.as_f64(),
        int,
    }
}

struct OrderedEntries;

impl<'de> Visitor<'de> for OrderedEntries {
    type Value = Vec<(String, MetadataValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of metadata values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((key, TypedValue(value))) = map.next_entry::<String, TypedValue>()? {
            entries.push((key, value));
        }
        Ok(entries)
    }
}

struct TypedValue(MetadataValue);

impl<'de> Deserialize<'de> for TypedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TypedValueVisitor)
    }
}

struct TypedValueVisitor;

impl Visitor<'_> for TypedValueVisitor {
    type Value = TypedValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, boolean or number")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<TypedValue, E> {
        Ok(TypedValue(MetadataValue::Boolean(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<TypedValue, E> {
        Ok(TypedValue(MetadataValue::Int(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<TypedValue, E> {
        i64::try_from(v)
            .map(|i| TypedValue(MetadataValue::Int(i)))
            .map_err(|_| E::custom(format!("integer {v} is out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<TypedValue, E> {
        Ok(TypedValue(MetadataValue::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TypedValue, E> {
        Ok(TypedValue(MetadataValue::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<TypedValue, E> {
        Ok(TypedValue(MetadataValue::String(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MetadataValue as M;

    #[test]
    fn metadata_keeps_order_and_types() {
        let cases: Vec<Vec<(String, MetadataValue)>> = vec![
            vec![
                ("zeta".into(), M::Int(5)),
                ("alpha".into(), M::Float(5.0)),
                ("mid".into(), M::String("5".into())),
                ("flag".into(), M::Boolean(false)),
            ],
            vec![
                ("big".into(), M::Float(1e20)),
                ("tiny".into(), M::Float(-2.5e-7)),
                ("neg".into(), M::Int(i64::MIN)),
                ("max".into(), M::Int(i64::MAX)),
                (
                    "quote \"ü\"".into(),
                    M::String("line\nbreak \u{1F600}".into()),
                ),
                ("negzero".into(), M::Float(-0.0)),
            ],
        ];
        for entries in cases {
            let text = encode_metadata(&entries).unwrap().unwrap();
            assert_eq!(
                decode_metadata(Some(text.clone())).unwrap(),
                entries,
                "{text}"
            );
        }
        let text = encode_metadata(&[
            ("zeta".into(), M::String("sale".into())),
            ("alpha".into(), M::Int(5)),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(text, r#"{"zeta":"sale","alpha":5}"#);
    }

    #[test]
    fn empty_metadata_is_null_and_bad_text_is_corrupt() {
        assert_eq!(encode_metadata(&[]).unwrap(), None);
        assert_eq!(decode_metadata(None).unwrap(), Vec::new());
        assert!(encode_metadata(&[("x".into(), M::Float(f64::NAN))]).is_err());
        for bad in [
            "[]",
            "{\"k\":null}",
            "{\"k\":[1]}",
            "{\"k\":18446744073709551615}",
            "{} x",
            "nope",
        ] {
            assert!(decode_metadata(Some(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_rows_split_text_numbers_and_exact_integers() {
        let big = (1i64 << 53) + 1;
        let cases = [
            (M::String("sale".into()), "STRING", Some("sale"), None, None),
            (M::Boolean(true), "BOOLEAN", Some("true"), None, None),
            (M::Int(5), "INT", None, Some(5.0), Some(5)),
            (M::Int(big), "INT", None, Some(big as f64), Some(big)),
            (M::Float(5.0), "FLOAT", None, Some(5.0), None),
        ];
        for (value, kind, text, number, int) in cases {
            let row = metadata_row("k", &value);
            assert_eq!(
                (row.value_type, row.text.as_deref(), row.number, row.int),
                (kind, text, number, int),
                "{value:?}"
            );
        }
    }
}
