//! Opaque bearer tokens: generation and hashing. Tokens are 256 random bits, so a fast hash
//! (SHA-256) is the right storage form — a password hash would only slow the hot path.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of API tokens.
pub const API_TOKEN_PREFIX: &str = "sj_";
/// Prefix of session access tokens.
pub const SESSION_TOKEN_PREFIX: &str = "sjs_";
/// Prefix of one-time password links' tokens.
pub const PASSWORD_LINK_PREFIX: &str = "sjp_";

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_secret())
}

pub fn new_session_token() -> String {
    format!("{SESSION_TOKEN_PREFIX}{}", random_secret())
}

pub fn new_password_link_token() -> String {
    format!("{PASSWORD_LINK_PREFIX}{}", random_secret())
}

/// The stored form of a token: lower-case hex SHA-256.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_unique_and_hash_stably() {
        let a = new_api_token();
        let b = new_api_token();
        assert!(a.starts_with(API_TOKEN_PREFIX) && a.len() > 40);
        assert_ne!(a, b);
        assert!(new_session_token().starts_with(SESSION_TOKEN_PREFIX));
        assert!(new_password_link_token().starts_with(PASSWORD_LINK_PREFIX));
        assert_eq!(hash_token("abc").len(), 64);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
