//! What a user's e-mail and password must be, wherever a user is made or a password set (the
//! CLI's `users create`, the web app's invitations and password links).

use crate::error::ApiError;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest e-mail accepted, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;

pub fn check_email(email: &str) -> Result<(), ApiError> {
    let count = email.chars().count();
    let (local, domain) = email.split_once('@').unwrap_or(("", ""));
    if count > MAX_EMAIL_CHARS || local.is_empty() || domain.is_empty() || email.contains(' ') {
        return Err(ApiError::invalid("email", "must be an e-mail address"));
    }
    Ok(())
}

pub fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::invalid(
            "password",
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_passwords() {
        let emails = [
            ("ana@example.com", true),
            ("ana@", false),
            ("@example.com", false),
            ("ana example.com", false),
            ("an a@example.com", false),
            ("", false),
        ];
        for (email, ok) in emails {
            assert_eq!(check_email(email).is_ok(), ok, "{email}");
        }
        assert!(check_email(&format!("{}@x.io", "a".repeat(250))).is_err());
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password("ééééééé").is_err(), "characters, not bytes");
    }
}
