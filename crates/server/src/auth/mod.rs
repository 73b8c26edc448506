//! Authentication: every API request carries `Authorization: Bearer <token>`, one of
//! - an API token (`sj_…`, random, stored as SHA-256),
//! - a session access token (`sjs_…`, from `POST /api/v1/auth/login`, stored as SHA-256),
//! - a user JWT (HS256 with the configured secret, or RS256 with the configured public key).
//!
//! The account always comes from the token. Anything missing, malformed, expired or revoked
//! is a 401 with the same envelope as every other error; a valid token without the route's
//! scope (`scopes.rs`) is a 403 `insufficient_scope`.

pub mod extractor;
pub mod jwt;
pub mod login_throttle;
pub mod passwords;
pub mod scopes;
pub mod tokens;

pub use extractor::Principal;
