//! What in the settings is secret, and hiding it. `Settings::redacted()` is what `Debug` (hence
//! every log line) and `scorejar config show` print, so an operator can share either freely.

use super::Settings;

/// What a secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Parts of an object-store option name (or of a URL query parameter) that mark its value as a
/// credential: `aws_secret_access_key`, `aws_access_key_id`, `aws_session_token`,
/// `azure_storage_account_key`, `password=`... Redacting a harmless value by mistake (a KMS key
/// id) costs little; printing a credential does not.
const SECRET_MARKERS: &[&str] = &["secret", "key", "token", "password", "credential"];

impl Settings {
    /// A copy safe to print: the JWT secret, passwords in URLs (the database, the object store,
    /// the speech and language-model endpoints) and object-store credentials become
    /// `<redacted>`. An empty secret stays empty, so "not set" remains visible.
    pub fn redacted(&self) -> Settings {
        let mut s = self.clone();
        s.jwt_secret = redact_secret(&s.jwt_secret);
        s.metrics_token = redact_secret(&s.metrics_token);
        s.database_url = redact_url(&s.database_url);
        s.media_storage_url = redact_url(&s.media_storage_url);
        for (key, value) in s.media_storage_options.iter_mut() {
            if is_secret_name(key) {
                *value = redact_secret(value);
            }
        }
        s.transcription.remote.base_url = redact_url(&s.transcription.remote.base_url);
        for provider in &mut s.llm.providers {
            provider.base_url = redact_url(&provider.base_url);
        }
        s
    }
}

fn redact_secret(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        REDACTED.to_string()
    }
}

fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_MARKERS.iter().any(|marker| name.contains(marker))
}

/// Hides the password of `scheme://user:password@host/...` (the user name stays: it tells which
/// role connects) and the values of secret-looking query parameters (`?password=...`).
pub(super) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{REDACTED}@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{}", redact_query(tail))
}

fn redact_query(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, format!("#{f}")),
        None => (query, String::new()),
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => format!("{name}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{path}?{}{fragment}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_passwords_but_keep_where_they_point() {
        for (url, want) in [
            ("", ""),
            ("s3://bucket/prefix", "s3://bucket/prefix"),
            (
                "postgres://scorejar@db/scorejar",
                "postgres://scorejar@db/scorejar",
            ),
            (
                "postgres://app:hunter2@db:5432/scorejar",
                "postgres://app:<redacted>@db:5432/scorejar",
            ),
            // A password holding `@` (unencoded): the host is after the last one.
            ("postgres://app:p@ss@db/x", "postgres://app:<redacted>@db/x"),
            (
                "postgres://db/x?user=app&password=hunter2&sslmode=require",
                "postgres://db/x?user=app&password=<redacted>&sslmode=require",
            ),
            (
                "https://u:k@api.example/v1",
                "https://u:<redacted>@api.example/v1",
            ),
        ] {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[test]
    fn secrets_never_reach_debug_or_the_redacted_copy() {
        let mut s = Settings {
            jwt_secret: "a-very-long-jwt-secret-of-32-bytes-or-more".into(),
            database_url: "postgres://app:hunter2@db/scorejar".into(),
            ..Settings::default()
        };
        s.media_storage_options
            .insert("aws_secret_access_key".into(), "s3cr3t-value".into());
        s.media_storage_options
            .insert("aws_access_key_id".into(), "AKIAEXAMPLE".into());
        s.media_storage_options
            .insert("aws_region".into(), "eu-west-1".into());
        for printed in [format!("{s:?}"), format!("{s:#?}")] {
            for secret in ["a-very-long-jwt", "hunter2", "s3cr3t-value", "AKIAEXAMPLE"] {
                assert!(!printed.contains(secret), "{secret} in {printed}");
            }
            assert!(printed.contains("eu-west-1"), "{printed}");
            assert!(
                printed.contains("\"llm\""),
                "every field is printed: {printed}"
            );
        }
        let r = s.redacted();
        assert_eq!(r.jwt_secret, REDACTED);
        assert_eq!(r.database_url, "postgres://app:<redacted>@db/scorejar");
        assert_eq!(r.media_storage_options["aws_secret_access_key"], REDACTED);
        assert_eq!(r.media_storage_options["aws_region"], "eu-west-1");
        // Unset stays visibly unset.
        assert_eq!(Settings::default().redacted().jwt_secret, "");
    }
}
