//! Cross-site request forgery: every form carries a token derived from the session
//! (HMAC-SHA256 of a fixed label keyed with the session's secret token), which another site
//! can neither read nor compute; a POST without the right one is refused before it acts. The
//! session cookie is also `SameSite=Lax`, and a POST whose `Origin` (or `Sec-Fetch-Site`)
//! says it came from another site is refused outright — which covers the login form, posted
//! before there is a session.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A form that carries only its CSRF token (sign out, revoke, redeliver).
#[derive(serde::Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// The page a form without this session's token gets.
pub(crate) fn refused_form() -> axum::response::Response {
    crate::views::error_page(403, "This form has expired or did not come from this site.")
}

const LABEL: &[u8] = b"scorejar csrf v1";

fn mac(session_token: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(session_token.as_bytes()).expect("HMAC takes any key");
    mac.update(LABEL);
    mac
}

/// The token the forms of this session carry.
pub(crate) fn token_for(session_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(session_token).finalize().into_bytes())
}

/// True when `presented` is this session's token (compared in constant time).
pub(crate) fn is_valid(session_token: &str, presented: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(presented) {
        Ok(bytes) => mac(session_token).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// False when the request says it came from another site: an `Origin` whose host is not the
/// request's `Host`, or `Sec-Fetch-Site: cross-site`. Requests that say nothing pass (old
/// clients, curl); the token still guards every form of a session.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if get("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    let Some(origin) = get(header::ORIGIN.as_str()) else {
        return true;
    };
    let Some(host) = get(header::HOST.as_str()) else {
        return false;
    };
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    origin_host == Some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_belong_to_their_session() {
        let token = token_for("sjs_one");
        assert!(is_valid("sjs_one", &token));
        assert!(!is_valid("sjs_two", &token));
        assert!(!is_valid("sjs_one", ""));
        assert!(!is_valid("sjs_one", "not base64 !"));
        assert!(!is_valid("sjs_one", &token[1..]));
    }

    #[test]
    fn cross_site_posts_are_recognised() {
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&[("host", "qa.example.com")], true),
            (
                &[
                    ("host", "qa.example.com"),
                    ("origin", "https://qa.example.com"),
                ],
                true,
            ),
            (
                &[
                    ("host", "127.0.0.1:8080"),
                    ("origin", "http://127.0.0.1:8080"),
                ],
                true,
            ),
            (
                &[
                    ("host", "qa.example.com"),
                    ("origin", "https://evil.example"),
                ],
                false,
            ),
            (&[("host", "qa.example.com"), ("origin", "null")], false),
            (&[("origin", "https://qa.example.com")], false),
            (&[("sec-fetch-site", "cross-site")], false),
            (&[("sec-fetch-site", "same-origin")], true),
        ];
        for (pairs, expected) in cases {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs.iter() {
                headers.insert(*name, HeaderValue::from_static(value));
            }
            assert_eq!(same_origin(&headers), *expected, "{pairs:?}");
        }
    }
}
