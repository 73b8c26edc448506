//! Identifiers. Every id is a UUIDv7 in its hyphenated text form: sortable by creation time
//! (which keeps B-tree inserts at the right edge and gives a stable tiebreak for cursors) and
//! unguessable enough that ids never double as credentials.

/// A fresh, time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when `s` is a hyphenated UUID — used to decide whether a tag reference may be an id.
pub fn looks_like_id(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok()
}
