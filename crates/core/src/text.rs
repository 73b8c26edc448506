//! Rules that hold for every string the API accepts, whatever field it arrives in.
//!
//! NUL (U+0000): PostgreSQL's `text` cannot store it (the insert fails: a 500), SQLite stores it,
//! and no field of this API has a use for it. So it is refused at the edge, the same on both
//! backends, with a 400 naming the field: in JSON bodies (`crate::json`), path segments and query
//! strings (the server's extractors). This function is the one place the rule is written.

use crate::error::ApiError;

/// 400 `invalid_field` when `value` contains NUL; `field` names where it came from.
pub fn check_no_nul(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        return Err(nul_error(field));
    }
    Ok(())
}

/// The error for a NUL in `field` (a value, or an object key under `field`).
pub fn nul_error(field: &str) -> ApiError {
    ApiError::invalid(
        field,
        format!("`{field}` must not contain NUL (\\u0000) characters"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_anywhere_is_refused_with_the_field() {
        for s in ["\0", "a\0", "\0b", "a\0b"] {
            let e = check_no_nul("tags[0]", s).unwrap_err();
            assert_eq!((e.status, e.code), (400, "invalid_field"));
            assert_eq!(e.field.as_deref(), Some("tags[0]"));
        }
        assert!(check_no_nul("x", "plain text, é, \u{1}").is_ok());
    }
}
