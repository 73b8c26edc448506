//! User JWTs: HS256 with `jwt_secret`, or RS256 with the public key in `jwt_public_key_file`.
//! `sub` is the user id and `exp` is required; the account is the user's account. With
//! `jwt_issuer` / `jwt_audience` set, `iss` / `aud` are required and must match. An HS256
//! secret shorter than 32 bytes (RFC 7518 §3.2: at least the hash's size) stops the start-up.

use crate::config::Settings;
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
}

/// Shortest HS256 secret accepted, in bytes.
pub const MIN_HS256_SECRET_BYTES: usize = 32;

/// Verifies user JWTs with whichever keys are configured.
pub struct JwtVerifier {
    keys: Vec<(Algorithm, DecodingKey)>,
    issuer: Option<String>,
    audience: Option<String>,
}

impl JwtVerifier {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let mut keys = Vec::new();
        if !settings.jwt_secret.is_empty() {
            let len = settings.jwt_secret.len();
            if len < MIN_HS256_SECRET_BYTES {
                anyhow::bail!(
                    "jwt_secret is {len} bytes; an HS256 secret must be at least \
                     {MIN_HS256_SECRET_BYTES} bytes (generate one with `openssl rand -base64 48`), \
                     or leave it empty to turn HS256 JWTs off"
                );
            }
            keys.push((
                Algorithm::HS256,
                DecodingKey::from_secret(settings.jwt_secret.as_bytes()),
            ));
        }
        if !settings.jwt_public_key_file.is_empty() {
            let pem = std::fs::read(&settings.jwt_public_key_file).map_err(|e| {
                anyhow::anyhow!(
                    "reading jwt_public_key_file {}: {e}",
                    settings.jwt_public_key_file
                )
            })?;
            keys.push((Algorithm::RS256, DecodingKey::from_rsa_pem(&pem)?));
        }
        let configured = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Self {
            keys,
            issuer: configured(&settings.jwt_issuer),
            audience: configured(&settings.jwt_audience),
        })
    }

    /// The token's claims when it verifies with a configured key and has not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let (alg, key) = self.keys.iter().find(|(alg, _)| *alg == header.alg)?;
        let mut validation = Validation::new(*alg);
        let mut required = vec!["exp", "sub"];
        validation.validate_aud = false;
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        if let Some(audience) = &self.audience {
            validation.set_audience(&[audience]);
            validation.validate_aud = true;
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        validation.leeway = 0;
        decode::<Claims>(token, key, &validation)
            .ok()
            .map(|data| data.claims)
    }
}
