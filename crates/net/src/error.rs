//! The one error type of scorejar-net, and how transport errors map onto it.
//!
//! Rules: messages name the host/address and the reason, never a full URL (signed media
//! URLs carry credentials in their query string), so errors can be logged and shown to API
//! callers as they are. `is_retryable` is the single place that decides what a caller
//! (job runner, webhook sender) may try again.

use std::error::Error as StdError;

/// Everything that can go wrong while vetting or fetching an outbound URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// The URL is malformed or uses something this client never speaks (scheme, userinfo, …).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The URL (or a redirect) targets a host or address that is not public.
    #[error("blocked: {0}")]
    Blocked(String),
    /// The host name could not be resolved.
    #[error("DNS lookup failed: {0}")]
    Dns(String),
    /// The server answered with a non-success status (after following redirects).
    #[error("HTTP status {0}")]
    Status(u16),
    /// The body is (or announced to be) larger than the caller's limit.
    #[error("response body exceeds the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// Connecting, resolving or waiting for data took longer than the configured timeout.
    #[error("timed out")]
    Timeout,
    /// More redirects than `MAX_REDIRECTS` in a row.
    #[error("too many redirects")]
    TooManyRedirects,
    /// The TCP/TLS connection could not be established.
    #[error("connection failed: {0}")]
    Connect(String),
    /// Writing to the caller's sink failed (local I/O, not the network).
    #[error("I/O error: {0}")]
    Io(String),
    /// Any other HTTP-level failure: malformed response, connection reset mid-body, …
    #[error("HTTP error: {0}")]
    Http(String),
}

impl NetError {
    /// True when trying the same request again later may succeed: 5xx, 408, 429, timeouts,
    /// DNS and connection failures, broken transfers. False for anything that will fail the
    /// same way every time: 4xx, blocked or invalid URLs, size limits, redirect loops, and
    /// local sink failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            NetError::Status(code) => *code >= 500 || *code == 429 || *code == 408,
            NetError::Timeout | NetError::Dns(_) | NetError::Connect(_) | NetError::Http(_) => true,
            NetError::InvalidUrl(_)
            | NetError::Blocked(_)
            | NetError::TooLarge { .. }
            | NetError::TooManyRedirects
            | NetError::Io(_) => false,
        }
    }

    /// What an API client may be told: the kind of failure in stable words, without what our
    /// resolver, our network or the remote end said (a blocked host's resolved address, a
    /// connection error's internals). The full error goes to the logs.
    pub fn public_message(&self) -> String {
        match self {
            NetError::InvalidUrl(why) => format!("not a valid http(s) URL: {why}"),
            NetError::Blocked(_) => {
                "it points to a private, local or reserved network address".to_string()
            }
            NetError::Dns(_) => "its host name could not be resolved".to_string(),
            NetError::Status(code) => format!("the server answered HTTP {code}"),
            NetError::TooLarge { limit } => {
                format!("the file is larger than the limit of {limit} bytes")
            }
            NetError::Timeout => "the server did not answer in time".to_string(),
            NetError::TooManyRedirects => "too many redirects".to_string(),
            NetError::Connect(_) => "the server could not be reached".to_string(),
            NetError::Io(_) => "the download could not be stored".to_string(),
            NetError::Http(_) => "the transfer failed".to_string(),
        }
    }
}

impl From<reqwest::Error> for NetError {
    fn from(err: reqwest::Error) -> Self {
        // The URL is dropped on purpose: it may hold credentials in its query string.
        let err = err.without_url();
        if err.is_timeout() {
            NetError::Timeout
        } else if err.is_connect() {
            NetError::Connect(error_chain(&err))
        } else if err.is_builder() {
            NetError::InvalidUrl(error_chain(&err))
        } else {
            NetError::Http(error_chain(&err))
        }
    }
}

impl From<std::io::Error> for NetError {
    fn from(err: std::io::Error) -> Self {
        NetError::Io(err.to_string())
    }
}

/// reqwest's own Display is only the outermost layer ("error sending request"); the
/// useful part ("connection refused", "invalid HTTP version") sits in the source chain.
fn error_chain(err: &dyn StdError) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_table() {
        let cases = [
            (NetError::Status(500), true),
            (NetError::Status(503), true),
            (NetError::Status(429), true),
            (NetError::Status(408), true),
            (NetError::Status(404), false),
            (NetError::Status(403), false),
            (NetError::Status(400), false),
            (NetError::Timeout, true),
            (NetError::Dns("x".into()), true),
            (NetError::Connect("refused".into()), true),
            (NetError::Http("reset".into()), true),
            (NetError::InvalidUrl("x".into()), false),
            (NetError::Blocked("x".into()), false),
            (NetError::TooLarge { limit: 1 }, false),
            (NetError::TooManyRedirects, false),
            (NetError::Io("disk full".into()), false),
        ];
        for (err, expected) in cases {
            assert_eq!(err.is_retryable(), expected, "{err:?}");
        }
    }
}
