//! Columns ⇄ domain types: times (i64 microseconds), API enums (their exact spelling), JSON
//! columns, and custom metadata, whose JSON text keeps the upload's key order and value types.
//!
//! Metadata is written as a JSON object built key by key (serde_json's map would sort the keys)
//! and read back with an order-keeping visitor. Types survive because serde_json writes every
//! float with a fraction or exponent (`5.0`, `1e20`) and reads such numbers back as floats,
//! while integers stay integers.

use crate::StoreResult;
use rusqlite::types::Type;
use rusqlite::Row;
use scorejar_core::cursor::to_micros;
use scorejar_core::model::MetadataValue;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Now, in the storage form of every time.
pub(super) fn now_micros() -> i64 {
    to_micros(time::OffsetDateTime::now_utc())
}

/// A column holding an API enum's spelling; anything else is a conversion error.
pub(super) fn enum_col<T>(
    row: &Row<'_>,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    parse(&text).ok_or_else(|| {
        bad_column(
            row,
            column,
            Type::Text,
            format!("unexpected value {text:?}"),
        )
    })
}

/// Like [`enum_col`] for a nullable column.
pub(super) fn opt_enum_col<T>(
    row: &Row<'_>,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| {
        parse(&t)
            .ok_or_else(|| bad_column(row, column, Type::Text, format!("unexpected value {t:?}")))
    })
    .transpose()
}

/// A nullable JSON text column decoded into `T`.
pub(super) fn json_col<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    column: &str,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| bad_column(row, column, Type::Text, e.to_string()))
    })
    .transpose()
}

/// A nullable custom-metadata column, in upload order.
pub(super) fn metadata_col(
    row: &Row<'_>,
    column: &str,
) -> rusqlite::Result<Vec<(String, MetadataValue)>> {
    let text: Option<String> = row.get(column)?;
    match text {
        None => Ok(Vec::new()),
        Some(t) => {
            decode_metadata(&t).map_err(|e| bad_column(row, column, Type::Text, e.to_string()))
        }
    }
}

fn bad_column(row: &Row<'_>, column: &str, ty: Type, why: String) -> rusqlite::Error {
    let index = row.as_ref().column_index(column).unwrap_or(0);
    rusqlite::Error::FromSqlConversionFailure(index, ty, format!("column {column}: {why}").into())
}

/// JSON text of a value (segments, e-mail, payloads, scorecard sections).
pub(super) fn to_json_text<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(super::errors::json)
}

/// The metadata as one JSON object, keys in upload order; `None` when there is none.
pub(super) fn encode_metadata(entries: &[(String, MetadataValue)]) -> StoreResult<Option<String>> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut text = String::from("{");
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        if let MetadataValue::Float(f) = value {
            if !f.is_finite() {
                return Err(crate::StoreError::Internal(anyhow::anyhow!(
                    "customMetadata.{key}: {f} cannot be stored as JSON"
                )));
            }
        }
        text.push_str(&to_json_text(key)?);
        text.push(':');
        text.push_str(&to_json_text(&value.to_json())?);
    }
    text.push('}');
    Ok(Some(text))
}

/// Inverse of [`encode_metadata`].
pub(super) fn decode_metadata(text: &str) -> serde_json::Result<Vec<(String, MetadataValue)>> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let entries = deserializer.deserialize_map(OrderedEntries)?;
    deserializer.end()?;
    Ok(entries)
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
        let cases: Vec<Vec<(std::string::String, MetadataValue)>> = vec![
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
            assert_eq!(decode_metadata(&text).unwrap(), entries, "{text}");
        }
    }

    #[test]
    fn empty_metadata_is_null_and_non_finite_is_refused() {
        assert_eq!(encode_metadata(&[]).unwrap(), None);
        assert!(encode_metadata(&[("x".into(), M::Float(f64::NAN))]).is_err());
        assert!(decode_metadata("[1]").is_err());
        assert!(decode_metadata("{\"a\":null}").is_err());
    }
}
