//! User JWTs: HS256 with `jwt_secret`, or RS256 with the public key in `jwt_public_key_file`.
//! `sub` is the user id and `exp` is required; the account is the user's account.

use crate::config::Settings;
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
}

/// Verifies user JWTs with whichever keys are configured.
pub struct JwtVerifier {
    keys: Vec<(Algorithm, DecodingKey)>,
}

impl JwtVerifier {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let mut keys = Vec::new();
        if !settings.jwt_secret.is_empty() {
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
        Ok(Self { keys })
    }

    /// The token's claims when it verifies with a configured key and has not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let (alg, key) = self.keys.iter().find(|(alg, _)| *alg == header.alg)?;
        let mut validation = Validation::new(*alg);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.validate_aud = false;
        validation.leeway = 0;
        decode::<Claims>(token, key, &validation)
            .ok()
            .map(|data| data.claims)
    }
}
