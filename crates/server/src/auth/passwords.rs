//! Password hashing for user logins (argon2id with a random salt, PHC string format).
//!
//! A login for an e-mail that has no user still runs one verification, against
//! [`verify_dummy`]'s hash, so that the answer takes as long as for a real user with a wrong
//! password: the time must not tell which e-mails exist.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// False for a wrong password or an unreadable stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time of one [`verify_password`] and answers false (for unknown e-mails).
pub fn verify_dummy(password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    // Hashed with the same parameters as real ones, so verifying costs the same.
    let hash = DUMMY.get_or_init(|| {
        hash_password("scorejar: no such user").expect("hashing a constant cannot fail")
    });
    let _ = verify_password(password, hash);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_password() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("correct horse", "not-a-hash"));
    }

    #[test]
    fn the_dummy_never_matches() {
        assert!(!verify_dummy("scorejar: no such user"));
        assert!(!verify_dummy(""));
    }
}
