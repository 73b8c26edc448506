//! Signed, expiring links to an interaction's media (`GET /media/{token}`), which a webhook
//! with `includeMedia` carries so its receiver can download the recording without an API token.
//!
//! The token is self-contained — `base64url(account:interaction:expiry).base64url(HMAC)` —
//! so checking it needs no table lookup beyond the interaction itself, and every process that
//! holds the deployment's link key (`scorejar_store::media_links`) can both issue and check
//! one. Ids are UUIDs, so `:` never occurs inside a part.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a link grants: the media of one interaction of one account, until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaGrant {
    pub account_id: String,
    pub interaction_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaLinkError {
    #[error("the media link is malformed")]
    Malformed,
    #[error("the media link's signature does not match")]
    BadSignature,
    #[error("the media link expired")]
    Expired,
}

fn mac(key: &[u8], claims: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(claims.as_bytes());
    mac
}

/// The token for `grant`, signed with `key`.
pub fn sign(key: &[u8], grant: &MediaGrant) -> String {
    let claims = format!(
        "{}:{}:{}",
        grant.account_id, grant.interaction_id, grant.expires_at
    );
    let signature = mac(key, &claims).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(claims.as_bytes()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The grant of `token` when `key` signed it and it has not expired at `now` (Unix seconds).
/// The signature is checked in constant time before anything in the claims is trusted.
pub fn verify(key: &[u8], token: &str, now: i64) -> Result<MediaGrant, MediaLinkError> {
    let (claims, signature) = token.split_once('.').ok_or(MediaLinkError::Malformed)?;
    let claims = URL_SAFE_NO_PAD
        .decode(claims)
        .ok()
        .and_then(|c| String::from_utf8(c).ok())
        .ok_or(MediaLinkError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| MediaLinkError::Malformed)?;
    mac(key, &claims)
        .verify_slice(&signature)
        .map_err(|_| MediaLinkError::BadSignature)?;
    let mut parts = claims.split(':');
    let (Some(account_id), Some(interaction_id), Some(expires_at), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(MediaLinkError::Malformed);
    };
    let expires_at: i64 = expires_at.parse().map_err(|_| MediaLinkError::Malformed)?;
    if now >= expires_at {
        return Err(MediaLinkError::Expired);
    }
    Ok(MediaGrant {
        account_id: account_id.to_owned(),
        interaction_id: interaction_id.to_owned(),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn grant() -> MediaGrant {
        MediaGrant {
            account_id: "acc-1".into(),
            interaction_id: "int-1".into(),
            expires_at: 1_000,
        }
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let token = sign(KEY, &grant());
        assert_eq!(verify(KEY, &token, 999), Ok(grant()));
        assert_eq!(verify(KEY, &token, 1_000), Err(MediaLinkError::Expired));
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'));
    }

    #[test]
    fn tampered_or_foreign_links_are_refused() {
        let token = sign(KEY, &grant());
        let (claims, signature) = token.split_once('.').unwrap();
        let longer = MediaGrant {
            expires_at: 9_999,
            ..grant()
        };
        let forged_claims = sign(b"another key", &longer);
        let cases: Vec<(String, MediaLinkError)> = vec![
            (sign(b"another key", &grant()), MediaLinkError::BadSignature),
            (
                format!("{}.{signature}", forged_claims.split_once('.').unwrap().0),
                MediaLinkError::BadSignature,
            ),
            (
                format!("{claims}.{}", &signature[1..]),
                MediaLinkError::BadSignature,
            ),
            (format!("{claims}.{signature}!"), MediaLinkError::Malformed),
            (format!("{claims}.AAAA"), MediaLinkError::BadSignature),
            (claims.to_owned(), MediaLinkError::Malformed),
            ("".into(), MediaLinkError::Malformed),
            ("!!.!!".into(), MediaLinkError::Malformed),
        ];
        for (token, expected) in cases {
            assert_eq!(verify(KEY, &token, 0), Err(expected), "{token}");
        }
    }

    #[test]
    fn claims_with_extra_parts_are_malformed_even_when_signed() {
        let claims = URL_SAFE_NO_PAD.encode("a:b:c:5");
        let signature = URL_SAFE_NO_PAD.encode(mac(KEY, "a:b:c:5").finalize().into_bytes());
        assert_eq!(
            verify(KEY, &format!("{claims}.{signature}"), 0),
            Err(MediaLinkError::Malformed)
        );
    }
}
