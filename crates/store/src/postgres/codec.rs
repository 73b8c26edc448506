//! Columns ⇄ domain types: enum spellings, JSON text columns, microsecond times and the two
//! forms of custom metadata (the ordered JSON copy on `interactions.custom_metadata` and the
//! typed rows of `interaction_metadata`).
//!
//! `custom_metadata` is a JSON object written key by key in upload order (the same text the
//! SQLite backend stores) and read back in document order; serde_json writes a FLOAT 5.0 as
//! `5.0` and an INT 5 as `5`, which keeps the two apart on the way back.

use crate::{StoreError, StoreResult};
use scorejar_core::cursor::to_micros;
use scorejar_core::model::{EmailInput, MetadataValue, Segment};
use serde::Deserializer as _;
use serde_json::Value;

/// Now, in the storage form (microseconds since the epoch).
pub(crate) fn now_us() -> i64 {
    to_micros(time::OffsetDateTime::now_utc())
}

/// Parses an enum column written by this store; anything else is corrupt data.
pub(crate) fn parse_enum<T>(
    text: &str,
    parse: fn(&str) -> Option<T>,
    column: &str,
) -> StoreResult<T> {
    parse(text).ok_or_else(|| corrupt(column, &format!("unknown value {text:?}")))
}

pub(crate) fn corrupt(column: &str, why: &str) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("corrupt column {column}: {why}"))
}

/// The JSON object text of `custom_metadata`, keys in upload order; `None` when empty.
/// Non-finite floats have no JSON form and are refused (validation keeps them out).
pub(crate) fn encode_metadata(items: &[(String, MetadataValue)]) -> StoreResult<Option<String>> {
    if items.is_empty() {
        return Ok(None);
    }
    let mut text = String::from("{");
    for (key, value) in items {
        if matches!(value, MetadataValue::Float(f) if !f.is_finite()) {
            return Err(StoreError::Internal(anyhow::anyhow!(
                "customMetadata.{key}: a non-finite number cannot be stored"
            )));
        }
        if text.len() > 1 {
            text.push(',');
        }
        text.push_str(&Value::from(key.as_str()).to_string());
        text.push(':');
        text.push_str(&value.to_json().to_string());
    }
    text.push('}');
    Ok(Some(text))
}

/// Inverse of [`encode_metadata`]: a number written with a fraction or exponent is a FLOAT,
/// one without is an INT, which is how `encode_metadata` wrote them.
pub(crate) fn decode_metadata(text: &str) -> StoreResult<Vec<(String, MetadataValue)>> {
    const COLUMN: &str = "interactions.custom_metadata";
    let mut reader = serde_json::Deserializer::from_str(text);
    let entries = reader
        .deserialize_map(InOrder)
        .and_then(|entries| reader.end().map(|()| entries))
        .map_err(|e| corrupt(COLUMN, &e.to_string()))?;
    entries
        .into_iter()
        .map(|(key, raw)| {
            let value = match &raw {
                Value::String(s) => Some(MetadataValue::String(s.clone())),
                Value::Bool(b) => Some(MetadataValue::Boolean(*b)),
                Value::Number(n) if n.is_f64() => n.as_f64().map(MetadataValue::Float),
                Value::Number(n) => n.as_i64().map(MetadataValue::Int),
                _ => None,
            };
            value
                .map(|v| (key, v))
                .ok_or_else(|| corrupt(COLUMN, &format!("unsupported value {raw}")))
        })
        .collect()
}

/// Reads a JSON object as its entries in document order (a map type would sort them).
struct InOrder;

impl<'de> serde::de::Visitor<'de> for InOrder {
    type Value = Vec<(String, Value)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(entry) = map.next_entry::<String, Value>()? {
            entries.push(entry);
        }
        Ok(entries)
    }
}

/// The typed rows of `interaction_metadata`, as parallel arrays for one `UNNEST` insert.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct MetadataColumns {
    pub keys: Vec<String>,
    pub types: Vec<String>,
    pub texts: Vec<Option<String>>,
    pub numbers: Vec<Option<f64>>,
}

pub(crate) fn metadata_columns(items: &[(String, MetadataValue)]) -> MetadataColumns {
    let mut columns = MetadataColumns::default();
    for (key, value) in items {
        let (text, number) = match value {
            MetadataValue::String(s) => (Some(s.clone()), None),
            MetadataValue::Boolean(b) => (Some(b.to_string()), None),
            MetadataValue::Int(_) | MetadataValue::Float(_) => (None, value.as_f64()),
        };
        columns.keys.push(key.clone());
        columns.types.push(value.kind().as_str().to_owned());
        columns.texts.push(text);
        columns.numbers.push(number);
    }
    columns
}

/// What a metadata filter compares: `value_text` for STRING/BOOLEAN, `value_number` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FilterOperand {
    Text(String),
    Number(f64),
}

pub(crate) fn filter_operand(value: &MetadataValue) -> FilterOperand {
    match value {
        MetadataValue::String(s) => FilterOperand::Text(s.clone()),
        MetadataValue::Boolean(b) => FilterOperand::Text(b.to_string()),
        MetadataValue::Int(_) | MetadataValue::Float(_) => {
            FilterOperand::Number(value.as_f64().unwrap_or_default())
        }
    }
}

pub(crate) fn encode_segments(segments: &[Segment]) -> StoreResult<String> {
    serde_json::to_string(segments).map_err(|e| StoreError::Internal(e.into()))
}

pub(crate) fn decode_segments(text: Option<&str>) -> StoreResult<Vec<Segment>> {
    match text {
        None => Ok(Vec::new()),
        Some(t) => serde_json::from_str(t)
            .map_err(|e| corrupt("interactions.transcript_segments", &e.to_string())),
    }
}

pub(crate) fn encode_email(email: &EmailInput) -> StoreResult<String> {
    serde_json::to_string(email).map_err(|e| StoreError::Internal(e.into()))
}

pub(crate) fn decode_email(text: Option<&str>) -> StoreResult<Option<EmailInput>> {
    text.map(|t| serde_json::from_str(t).map_err(|e| corrupt("interactions.email", &e.to_string())))
        .transpose()
}

pub(crate) fn decode_json(text: &str, column: &str) -> StoreResult<Value> {
    serde_json::from_str(text).map_err(|e| corrupt(column, &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<(String, MetadataValue)> {
        vec![
            ("zeta".into(), MetadataValue::String("sale".into())),
            ("alpha".into(), MetadataValue::Int(5)),
            ("mid".into(), MetadataValue::Float(5.0)),
            ("consent".into(), MetadataValue::Boolean(true)),
            ("big".into(), MetadataValue::Int(i64::MAX)),
            ("tiny".into(), MetadataValue::Float(-1.5e-7)),
        ]
    }

    #[test]
    fn metadata_keeps_order_and_types() {
        let items = sample();
        let text = encode_metadata(&items).unwrap().unwrap();
        assert!(
            text.starts_with(r#"{"zeta":"sale","alpha":5,"mid":5.0,"#),
            "{text}"
        );
        assert_eq!(decode_metadata(&text).unwrap(), items);
        assert_eq!(encode_metadata(&[]).unwrap(), None);
        assert!(encode_metadata(&[("x".into(), MetadataValue::Float(f64::NAN))]).is_err());
    }

    #[test]
    fn corrupt_metadata_is_an_error() {
        for bad in [
            "[]",
            "{\"k\":null}",
            "{\"k\":[1]}",
            "{\"k\":18446744073709551615}",
            "{} x",
            "nope",
        ] {
            assert!(decode_metadata(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_rows_split_text_and_numbers() {
        let columns = metadata_columns(&sample()[..4]);
        assert_eq!(columns.keys, ["zeta", "alpha", "mid", "consent"]);
        assert_eq!(columns.types, ["STRING", "INT", "FLOAT", "BOOLEAN"]);
        assert_eq!(
            columns.texts,
            [
                Some("sale".to_string()),
                None,
                None,
                Some("true".to_string())
            ]
        );
        assert_eq!(columns.numbers, [None, Some(5.0), Some(5.0), None]);
    }

    #[test]
    fn filter_operands_follow_the_column_rules() {
        let cases = [
            (
                MetadataValue::String("x".into()),
                FilterOperand::Text("x".into()),
            ),
            (
                MetadataValue::Boolean(false),
                FilterOperand::Text("false".into()),
            ),
            (MetadataValue::Int(3), FilterOperand::Number(3.0)),
            (MetadataValue::Float(2.5), FilterOperand::Number(2.5)),
        ];
        for (value, expected) in cases {
            assert_eq!(filter_operand(&value), expected, "{value:?}");
        }
    }
}
