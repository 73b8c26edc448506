//! What a caller will read of a JSON document: the rest is skipped while parsing.

use crate::error::ApiError;

/// The parts of a document worth building.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Built whole, within `MAX_DEPTH` and `MAX_ANY_ITEMS`: for small bodies read generically.
    Any,
    /// A string, number, boolean or null; an array or object here is kept empty.
    Scalar,
    /// An object with these keys; other keys per `unknown`.
    Object {
        fields: &'static [(&'static str, Shape)],
        unknown: Unknown,
    },
    /// An object whose keys are the client's own (e.g. `customMetadata`), at most `max_keys`.
    Map {
        values: &'static Shape,
        max_keys: usize,
        /// The error for more than `max_keys` keys, given the map's path.
        too_many: fn(&str, usize) -> ApiError,
    },
    /// An array of at most `max` entries.
    Array { items: &'static Shape, max: usize },
}

/// What happens to a key an [`Shape::Object`] does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// Dropped: the reader ignores unknown keys.
    Skip,
    /// Kept with a `null` value: the reader rejects unknown keys and names them.
    KeepKey,
}

impl Shape {
    pub(super) fn field(&self, key: &str) -> Option<&'static Shape> {
        match self {
            Shape::Object { fields, .. } => fields.iter().find(|(k, _)| *k == key).map(|(_, s)| s),
            _ => None,
        }
    }
}
