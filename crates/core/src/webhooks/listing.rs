//! The query string of `GET /api/v1/webhook-deliveries`: `endpointId` (an action's or an
//! endpoint's id), `status` (PENDING, DELIVERED, FAILED), `eventType`, `since` and `until`
//! (RFC 3339, on the message's creation), with `limit` and `cursor` as every list takes them.
//! Unknown or repeated parameters are a 400 naming them, as on every list.

use time::OffsetDateTime;

use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::filters::time_bound;
use crate::paging::{parse_page, PageRequest};

/// Message statuses.
pub const STATUSES: [&str; 3] = ["PENDING", "DELIVERED", "FAILED"];

/// Filters of the delivery log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageFilter {
    pub target_id: Option<String>,
    pub status: Option<String>,
    pub event_type: Option<String>,
    /// Created at or after.
    pub since: Option<OffsetDateTime>,
    /// Created before.
    pub until: Option<OffsetDateTime>,
}

const FILTERS: [&str; 5] = ["endpointId", "status", "eventType", "since", "until"];

/// The filter and page a query string asks for.
pub fn parse_message_query(
    pairs: &[(String, String)],
) -> Result<(MessageFilter, PageRequest<Cursor>), ApiError> {
    let mut filter = MessageFilter::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut rest = Vec::new();
    for (name, value) in pairs {
        let Some(param) = FILTERS.iter().find(|f| **f == name) else {
            rest.push((name.clone(), value.clone()));
            continue;
        };
        if value.is_empty() {
            continue;
        }
        if seen.contains(param) {
            return Err(ApiError::invalid(
                name,
                format!("`{name}` is given more than once"),
            ));
        }
        seen.push(param);
        match *param {
            "endpointId" => filter.target_id = Some(value.clone()),
            "status" => {
                let status = value.to_ascii_uppercase();
                if !STATUSES.contains(&status.as_str()) {
                    return Err(ApiError::invalid(
                        name,
                        "`status` must be PENDING, DELIVERED or FAILED",
                    ));
                }
                filter.status = Some(status);
            }
            "eventType" => filter.event_type = Some(value.clone()),
            "since" => filter.since = Some(time_bound(name, value)?),
            _ => filter.until = Some(time_bound(name, value)?),
        }
    }
    let page = parse_page(&rest).map_err(|e| {
        if e.code == "unknown_parameter" {
            ApiError::bad_request(
                "unknown_parameter",
                format!(
                    "unknown query parameter `{}`; supported: endpointId, status, eventType, since, until, limit, cursor",
                    e.field.clone().unwrap_or_default()
                ),
            )
            .with_field(e.field.unwrap_or_default())
        } else {
            e
        }
    })?;
    Ok((filter, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_filters_and_names_the_bad_parameter() {
        let ok = parse_message_query(&pairs(&[
            ("status", "failed"),
            ("endpointId", "w1"),
            ("since", "2026-01-01T00:00:00Z"),
            ("limit", "10"),
        ]))
        .unwrap();
        assert_eq!(ok.0.status.as_deref(), Some("FAILED"));
        assert_eq!(ok.0.target_id.as_deref(), Some("w1"));
        assert!(ok.0.since.is_some());
        assert_eq!(ok.1.limit, 10);
        let cases = [
            (vec![("status", "LOST")], "status"),
            (vec![("since", "yesterday")], "since"),
            (vec![("status", "FAILED"), ("status", "PENDING")], "status"),
            (vec![("colour", "red")], "colour"),
            (vec![("limit", "0")], "limit"),
        ];
        for (query, field) in cases {
            let err = parse_message_query(&pairs(&query)).expect_err(field);
            assert_eq!(err.field.as_deref(), Some(field), "{query:?}");
            assert_eq!(err.status, 400);
        }
    }
}
