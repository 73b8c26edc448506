//! Bytes → the upload JSON reader (`read_upload_json`, which builds only what the upload shape
//! names) → `parse_upload`. Never a panic, and serde_json, which builds the whole document, is
//! the reference:
//! - serde_json accepts the bytes → the reader does not refuse them as `invalid_json` (it may
//!   refuse them for its own rules: a NUL, an array or map over its limit);
//! - serde_json refuses them → so does the reader, except for the two documented differences
//!   (`crate::json`): a skipped part nested deeper than 128 levels, a skipped number beyond f64;
//! - both accept → `parse_upload` comes to the same answer on what the reader kept as on the
//!   whole document (the same payload, or an error with the same status, code and field): what
//!   the shape skips is never something the parser reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scorejar_core::payload::{parse_upload, read_upload_json};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let ours = read_upload_json(data, "the body");
    let reference = serde_json::from_slice::<Value>(data);
    match (&reference, &ours) {
        (Ok(_), Err(e)) => assert_ne!(
            e.code, "invalid_json",
            "serde_json accepts the document, the reader refused it: {}",
            e.message
        ),
        (Err(e), Ok(_)) => assert!(
            is_deliberate_difference(e),
            "serde_json refuses the document ({e}), the reader accepted it"
        ),
        _ => {}
    }
    if let (Ok(kept), Ok(whole)) = (&ours, &reference) {
        let from_kept = parse_upload(kept).map_err(|e| (e.status, e.code, e.field));
        let from_whole = parse_upload(whole).map_err(|e| (e.status, e.code, e.field));
        assert_eq!(from_kept, from_whole, "kept: {kept}");
    }
});

fn is_deliberate_difference(e: &serde_json::Error) -> bool {
    let message = e.to_string();
    message.starts_with("recursion limit exceeded") || message.starts_with("number out of range")
}
