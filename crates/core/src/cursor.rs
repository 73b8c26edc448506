//! Opaque pagination cursors for interaction listings: the (event time, id) of the last row of a
//! page, base64url-encoded so clients treat it as a token, not something to build by hand.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Position after which the next page starts (listings run newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Event time in microseconds since the Unix epoch.
    pub occurred_at_us: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.occurred_at_us, self.id))
    }

    /// `None` for anything that is not a cursor this server produced.
    pub fn decode(s: &str) -> Option<Cursor> {
        let raw = URL_SAFE_NO_PAD.decode(s).ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (ts, id) = text.split_once(':')?;
        if id.is_empty() {
            return None;
        }
        Some(Cursor {
            occurred_at_us: ts.parse().ok()?,
            id: id.to_string(),
        })
    }
}

/// Microseconds since the epoch, the storage form of every event time.
pub fn to_micros(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

/// Inverse of [`to_micros`].
pub fn from_micros(us: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(us as i128 * 1_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let c = Cursor {
            occurred_at_us: 1_750_000_000_000_000,
            id: "0190-abc".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "!!!", "bm90LWEtY3Vyc29y", "MTIzOg"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn micros_round_trip() {
        let t = time::macros::datetime!(2026-06-23 14:30:00.123456 UTC);
        assert_eq!(from_micros(to_micros(t)), t);
    }
}
