//! E-mail addresses and the `email` object of an upload.
//!
//! Address rule (deliberately simple, not RFC 5322): surrounding whitespace is trimmed; then
//! exactly one `@`, a non-empty local part of at most 64 characters without whitespace, control
//! characters or `<>(),;:"[]\`, and a domain of letters/digits/`-` labels with at least one dot
//! and no empty label. Display-name forms (`Jane <jane@example.com>`) are rejected.
//!
//! The object: `from` and a non-empty `to` are required; `cc`/`bcc` default to empty;
//! `timeToReply` is whole seconds (non-negative); `isReply` a boolean; other keys are ignored.

use serde_json::{Map, Value};

use super::fields::{
    as_array, as_bool, as_non_negative_int, as_object, as_str, check_max_bytes, check_max_items,
    index, join, optional, optional_string, quote, required,
};
use super::limits::{
    MAX_EMAIL_ADDRESS_CHARS, MAX_EMAIL_BODY_BYTES, MAX_EMAIL_ID_CHARS, MAX_EMAIL_RECIPIENTS,
    MAX_EMAIL_SUBJECT_CHARS,
};
use crate::error::ApiError;
use crate::model::EmailInput;

const MAX_LOCAL_PART_CHARS: usize = 64;

/// True when `address` (already trimmed) passes the simple address rule above.
pub fn is_valid_email(address: &str) -> bool {
    if address.chars().count() > MAX_EMAIL_ADDRESS_CHARS {
        return false;
    }
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= MAX_LOCAL_PART_CHARS
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>(),;:\"[]\\".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    local_ok && domain_ok
}

/// A string holding one address; returned trimmed.
pub(crate) fn parse_address(value: &Value, path: &str) -> Result<String, ApiError> {
    let address = as_str(value, path)?.trim();
    if is_valid_email(address) {
        Ok(address.to_string())
    } else {
        Err(ApiError::invalid(
            path,
            format!(
                "`{path}` must be an e-mail address like name@example.com, got {}",
                quote(address)
            ),
        ))
    }
}

/// An optional array of addresses (`cc`, `bcc`; `to` checks non-emptiness itself).
fn parse_address_list(
    obj: &Map<String, Value>,
    key: &str,
    parent: &str,
) -> Result<Vec<String>, ApiError> {
    let path = join(parent, key);
    let Some(value) = optional(obj, key) else {
        return Ok(Vec::new());
    };
    let items = as_array(value, &path)?;
    check_max_items(items, MAX_EMAIL_RECIPIENTS, &path)?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_address(item, &index(&path, i)))
        .collect()
}

/// The `email` object of an upload, at JSON path `path`.
pub(crate) fn parse_email(value: &Value, path: &str) -> Result<EmailInput, ApiError> {
    let obj = as_object(value, path)?;
    let from_path = join(path, "from");
    let from = parse_address(required(obj, "from", &from_path)?, &from_path)?;

    let to_path = join(path, "to");
    required(obj, "to", &to_path)?;
    let to = parse_address_list(obj, "to", path)?;
    if to.is_empty() {
        return Err(ApiError::invalid(
            &to_path,
            format!("`{to_path}` must contain at least one address"),
        ));
    }
    let cc = parse_address_list(obj, "cc", path)?;
    let bcc = parse_address_list(obj, "bcc", path)?;

    let subject = optional_string(
        obj,
        "subject",
        &join(path, "subject"),
        MAX_EMAIL_SUBJECT_CHARS,
    )?;
    let body_path = join(path, "body");
    let body = optional_string(obj, "body", &body_path, usize::MAX)?;
    if let Some(body) = &body {
        check_max_bytes(body, MAX_EMAIL_BODY_BYTES, &body_path)?;
    }
    let thread_id = optional_string(obj, "threadId", &join(path, "threadId"), MAX_EMAIL_ID_CHARS)?;
    let source_id = optional_string(obj, "sourceId", &join(path, "sourceId"), MAX_EMAIL_ID_CHARS)?;
    let time_to_reply = optional(obj, "timeToReply")
        .map(|v| as_non_negative_int(v, &join(path, "timeToReply")))
        .transpose()?;
    let is_reply = optional(obj, "isReply")
        .map(|v| as_bool(v, &join(path, "isReply")))
        .transpose()?;

    Ok(EmailInput {
        from,
        to,
        cc,
        bcc,
        subject,
        body,
        thread_id,
        source_id,
        time_to_reply,
        is_reply,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn address_rule_table() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let cases: [(&str, bool); 20] = [
            ("jane@example.com", true),
            ("jane.doe+tag@mail.example.co.uk", true),
            ("o'brien@example.ie", true),
            ("jané@exämple.com", true),
            ("a@b.c", true),
            ("a-b@x-y.example", true),
            ("", false),
            ("jane", false),
            ("@example.com", false),
            ("jane@", false),
            ("jane@localhost", false),
            ("jane@@example.com", false),
            ("ja@ne@example.com", false),
            ("jane doe@example.com", false),
            ("jane@exa mple.com", false),
            ("jane@.example.com", false),
            ("jane@example.com.", false),
            ("jane@example..com", false),
            ("Jane <jane@example.com>", false),
            (long_local.as_str(), false),
        ];
        for (address, ok) in cases {
            assert_eq!(is_valid_email(address), ok, "{address:?}");
        }
    }

    #[test]
    fn parses_full_object() {
        let value = json!({
            "from": " support@example.com ",
            "to": ["bob@example.com"], "cc": [], "bcc": ["audit@example.com"],
            "subject": "Re: order", "body": "...", "threadId": "thread-1", "sourceId": "msg-1",
            "timeToReply": 3600, "isReply": true, "unknownKey": 1
        });
        let email = parse_email(&value, "email").unwrap();
        assert_eq!(email.from, "support@example.com");
        assert_eq!(email.to, vec!["bob@example.com"]);
        assert!(email.cc.is_empty());
        assert_eq!(email.bcc, vec!["audit@example.com"]);
        assert_eq!(email.subject.as_deref(), Some("Re: order"));
        assert_eq!(email.thread_id.as_deref(), Some("thread-1"));
        assert_eq!(email.source_id.as_deref(), Some("msg-1"));
        assert_eq!(email.time_to_reply, Some(3600));
        assert_eq!(email.is_reply, Some(true));
    }

    #[test]
    fn minimal_object_defaults() {
        let value = json!({"from": "a@example.com", "to": ["b@example.com"], "cc": null});
        let email = parse_email(&value, "email").unwrap();
        assert!(email.cc.is_empty() && email.bcc.is_empty());
        assert_eq!(
            (email.subject, email.time_to_reply, email.is_reply),
            (None, None, None)
        );
    }

    #[test]
    fn rejections_name_the_field() {
        let ok = json!({"from": "a@example.com", "to": ["b@example.com"]});
        let with = |key: &str, v: Value| {
            let mut o = ok.clone();
            o[key] = v;
            o
        };
        let without = |key: &str| {
            let mut o = ok.clone();
            o.as_object_mut().unwrap().remove(key);
            o
        };
        let cases = [
            (json!("a@example.com"), "email", "invalid_field"),
            (without("from"), "email.from", "missing_field"),
            (without("to"), "email.to", "missing_field"),
            (with("from", json!("nobody")), "email.from", "invalid_field"),
            (
                with("from", json!(["a@example.com"])),
                "email.from",
                "invalid_field",
            ),
            (with("to", json!([])), "email.to", "invalid_field"),
            (
                with("to", json!("b@example.com")),
                "email.to",
                "invalid_field",
            ),
            (
                with("to", json!(["b@example.com", "bad"])),
                "email.to[1]",
                "invalid_field",
            ),
            (with("cc", json!(["x"])), "email.cc[0]", "invalid_field"),
            (with("bcc", json!({})), "email.bcc", "invalid_field"),
            (with("subject", json!(1)), "email.subject", "invalid_field"),
            (with("body", json!(false)), "email.body", "invalid_field"),
            (
                with("threadId", json!(7)),
                "email.threadId",
                "invalid_field",
            ),
            (
                with("sourceId", json!([])),
                "email.sourceId",
                "invalid_field",
            ),
            (
                with("timeToReply", json!(-1)),
                "email.timeToReply",
                "invalid_field",
            ),
            (
                with("timeToReply", json!(1.5)),
                "email.timeToReply",
                "invalid_field",
            ),
            (
                with("timeToReply", json!("60")),
                "email.timeToReply",
                "invalid_field",
            ),
            (
                with("isReply", json!("yes")),
                "email.isReply",
                "invalid_field",
            ),
        ];
        for (value, field, code) in cases {
            let err = parse_email(&value, "email").unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field), "{value}");
            assert_eq!(err.code, code, "{value}");
            assert!(err.message.contains(field), "{}", err.message);
        }
    }

    #[test]
    fn recipient_limit() {
        let many: Vec<String> = (0..=MAX_EMAIL_RECIPIENTS)
            .map(|i| format!("u{i}@example.com"))
            .collect();
        let value = json!({"from": "a@example.com", "to": many});
        let err = parse_email(&value, "email").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("email.to"));
    }
}
