//! What an interaction is labelled with: typed custom-metadata values (`MetadataValue`, whose
//! kinds are `MetadataType` in `enums.rs`) and tags.

use serde::{Deserialize, Serialize};

use super::MetadataType;

/// One typed custom-metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataValue {
    String(String),
    Boolean(bool),
    Int(i64),
    Float(f64),
}

impl MetadataValue {
    pub fn kind(&self) -> MetadataType {
        match self {
            MetadataValue::String(_) => MetadataType::String,
            MetadataValue::Boolean(_) => MetadataType::Boolean,
            MetadataValue::Int(_) => MetadataType::Int,
            MetadataValue::Float(_) => MetadataType::Float,
        }
    }

    /// The value as JSON, exactly as it was uploaded.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            MetadataValue::String(s) => serde_json::Value::from(s.as_str()),
            MetadataValue::Boolean(b) => serde_json::Value::from(*b),
            MetadataValue::Int(i) => serde_json::Value::from(*i),
            MetadataValue::Float(f) => serde_json::Value::from(*f),
        }
    }

    /// Numeric view used for range filters (INT and FLOAT compare with each other).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetadataValue::Int(i) => Some(*i as f64),
            MetadataValue::Float(f) => Some(*f),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub id: String,
    pub name: String,
}
