//! Event times (`timestamp` of an upload, `from`/`to` of a listing).
//!
//! Accepted: RFC 3339 (`2026-06-23T14:30:00Z`, `2026-06-23T16:30:00.250+02:00`), the other
//! ISO 8601 date-time forms the `time` crate parses (basic format, `+0200` offsets, minutes
//! precision), a space instead of the `T`, and the same without any offset — taken as UTC, like
//! most clients mean it. A bare date (`2026-06-23`) is midnight UTC. Surrounding whitespace is
//! ignored. The result is always normalised to UTC.

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Longest input worth trying; real timestamps are ~35 characters.
const MAX_TIMESTAMP_LEN: usize = 64;

/// Parses an event time and normalises it to UTC; `None` when it is not a date-time.
pub fn parse_timestamp(input: &str) -> Option<OffsetDateTime> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.len() > MAX_TIMESTAMP_LEN {
        return None;
    }
    let text = with_t_separator(trimmed);
    let parsed = OffsetDateTime::parse(&text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(&text, &Iso8601::PARSING))
        .or_else(|_| PrimitiveDateTime::parse(&text, &Iso8601::PARSING).map(|t| t.assume_utc()))
        .or_else(|_| Date::parse(&text, &Iso8601::PARSING).map(|d| d.midnight().assume_utc()))
        .ok()?;
    // `time` allows offsets up to ±25:59; real ones stop at ±23:59 (RFC 3339).
    if parsed.offset().whole_hours().abs() > 23 {
        return None;
    }
    // Near the edges of the supported range an offset can push the UTC value out of it.
    parsed.checked_to_offset(UtcOffset::UTC)
}

/// `2026-06-23 14:30:00Z` → `2026-06-23T14:30:00Z` (RFC 3339 allows the space; the parser
/// does not).
fn with_t_separator(s: &str) -> String {
    let bytes = s.as_bytes();
    if bytes.len() > 11 && bytes[10] == b' ' && bytes[4] == b'-' && bytes[7] == b'-' {
        format!("{}T{}", &s[..10], &s[11..])
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn accepted_forms_normalise_to_utc() {
        let cases = [
            ("2026-06-23T14:30:00Z", datetime!(2026-06-23 14:30:00 UTC)),
            ("2026-06-23t14:30:00z", datetime!(2026-06-23 14:30:00 UTC)),
            (
                "2026-06-23T16:30:00+02:00",
                datetime!(2026-06-23 14:30:00 UTC),
            ),
            (
                "2026-06-23T10:30:00-04:00",
                datetime!(2026-06-23 14:30:00 UTC),
            ),
            (
                "2026-06-23T14:30:00.123456Z",
                datetime!(2026-06-23 14:30:00.123456 UTC),
            ),
            ("2026-06-23T14:30:00", datetime!(2026-06-23 14:30:00 UTC)),
            (
                "2026-06-23T14:30:00.5",
                datetime!(2026-06-23 14:30:00.5 UTC),
            ),
            ("2026-06-23 14:30:00Z", datetime!(2026-06-23 14:30:00 UTC)),
            ("2026-06-23 14:30:00", datetime!(2026-06-23 14:30:00 UTC)),
            ("2026-06-23T14:30Z", datetime!(2026-06-23 14:30:00 UTC)),
            (
                "2026-06-23T16:30:00+0200",
                datetime!(2026-06-23 14:30:00 UTC),
            ),
            ("20260623T143000Z", datetime!(2026-06-23 14:30:00 UTC)),
            ("2026-06-23", datetime!(2026-06-23 00:00:00 UTC)),
            (
                "  2026-06-23T14:30:00Z\n",
                datetime!(2026-06-23 14:30:00 UTC),
            ),
            (
                "2026-06-24T00:30:00+10:00",
                datetime!(2026-06-23 14:30:00 UTC),
            ),
        ];
        for (input, expected) in cases {
            let got = parse_timestamp(input);
            assert_eq!(got, Some(expected), "{input}");
            assert_eq!(got.map(|t| t.offset()), Some(UtcOffset::UTC), "{input}");
        }
    }

    #[test]
    fn rejected_forms() {
        for input in [
            "",
            "   ",
            "yesterday",
            "1750000000",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-06-23T25:00:00Z",
            "2026-06-23T14:30:00+25:00",
            "23/06/2026 14:30",
            "2026-06-23T14:30:00Z trailing",
            "Tue, 23 Jun 2026 14:30:00 GMT",
        ] {
            assert_eq!(parse_timestamp(input), None, "{input:?}");
        }
    }
}
