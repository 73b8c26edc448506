//! Signing of webhook deliveries per Standard Webhooks (`spec/standard-webhooks.md` of
//! standard-webhooks/standard-webhooks, "Signature scheme" and "Webhook headers").
//!
//! We follow that standard rather than a scheme of our own so a receiver can verify a delivery
//! with an off-the-shelf library. The signed content is `{msg_id}.{timestamp}.{body}`, the MAC
//! is HMAC-SHA256 keyed with the decoded secret, and a signature travels as `v1,<base64>` in
//! the `webhook-signature` header. That header is a space-separated list so that, while a
//! secret is being rotated, we can send the old and the new signature together and a receiver
//! holding either secret still accepts the delivery.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How a symmetric signing secret is shown to users, so it is recognisable at a glance (and by
/// secret scanners).
pub const SECRET_PREFIX: &str = "whsec_";

/// The signature identifier of HMAC-SHA256 in the header (`v1a` would be ed25519).
const VERSION: &str = "v1";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SigningError {
    #[error("the webhook signing secret is empty")]
    EmptySecret,
    #[error("the webhook signing secret is not valid base64 after the `whsec_` prefix: {0}")]
    InvalidSecret(String),
    #[error("no webhook signing secret was given")]
    NoSecrets,
    /// The standard asks that the id cannot contain a `.`: it would let one
    /// (id, timestamp, body) triple sign for another.
    #[error("the webhook message id {0:?} contains a '.', which the signature scheme forbids")]
    InvalidMessageId(String),
}

/// A secret as shown to users: `whsec_` + standard base64 of `bytes`. The caller draws the
/// bytes (24 or 32 random ones; the standard asks for 24 to 64).
pub fn secret_from_bytes(bytes: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of `secret`; the `whsec_` prefix is optional, as in the reference libraries,
/// so a receiver's copy-paste without it still works.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, SigningError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    if encoded.is_empty() {
        return Err(SigningError::EmptySecret);
    }
    let key = STANDARD
        .decode(encoded)
        .map_err(|e| SigningError::InvalidSecret(e.to_string()))?;
    if key.is_empty() {
        return Err(SigningError::EmptySecret);
    }
    Ok(key)
}

/// The `v1,<base64>` signature of one delivery under one secret.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SigningError> {
    let mac = mac_of(secret, msg_id, timestamp, body)?;
    Ok(format!(
        "{VERSION},{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header value: one signature per secret, space-separated, in the
/// order given (during a rotation: the new secret and the one it replaces).
pub fn signature_header(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SigningError> {
    if secrets.is_empty() {
        return Err(SigningError::NoSecrets);
    }
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret, msg_id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// Whether any `v1,` entry of `header` is the signature of this delivery under `secret`.
/// Entries of other versions and malformed ones are skipped, not errors: the header may carry
/// signatures for schemes we don't know. The comparison is constant-time (hmac's
/// `verify_slice`) so a verifier cannot be used as a signing oracle.
///
/// Checking that `timestamp` is recent (against replay) is the caller's job: it owns the clock.
pub fn verify(secret: &str, msg_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Ok(mac) = mac_of(secret, msg_id, timestamp, body) else {
        return false;
    };
    header
        .split_whitespace()
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == VERSION)
        .filter_map(|(_, signature)| STANDARD.decode(signature).ok())
        .any(|signature| mac.clone().verify_slice(&signature).is_ok())
}

/// The HMAC state after `{msg_id}.{timestamp}.{body}`, ready to finalize or verify.
fn mac_of(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<HmacSha256, SigningError> {
    if msg_id.contains('.') {
        return Err(SigningError::InvalidMessageId(msg_id.to_owned()));
    }
    let key = decode_secret(secret)?;
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC accepts any key length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

#[cfg(test)]
#[path = "signing_tests.rs"]
mod tests;
