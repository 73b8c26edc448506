//! Settings of the remote engine, checked once when the engine is built.
//!
//! The API key is a secret: `Debug` prints `[redacted]`, and nothing in this module's error
//! messages quotes it.

use super::wav;
use anyhow::{bail, Context};
use reqwest::Url;
use std::fmt;
use std::time::Duration;

/// Where and how to reach an OpenAI-compatible transcription endpoint.
#[derive(Clone)]
pub struct RemoteSettings {
    /// The API root up to its version, e.g. `https://api.openai.com/v1`; requests go to
    /// `{base_url}/audio/transcriptions`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer <key>` when set (the caller reads it from an environment
    /// variable). A self-hosted server may need none.
    pub api_key: Option<String>,
    /// Model name sent with each request and stored with the transcript (`whisper-1`).
    pub model: String,
    /// Limit on one request, upload and answer included.
    pub timeout: Duration,
    /// Requests in flight at once, across every channel and job sharing this engine.
    pub concurrency: usize,
    /// The provider's upload limit for one file; longer channels are sent in pieces.
    pub max_upload_bytes: u64,
    /// Further attempts of one request after a 429, a 5xx, a timeout or a connection error.
    pub max_retries: u32,
    /// The first retry waits about this long, doubling each time (with jitter, capped). Not a
    /// configuration key: tests shorten it.
    pub backoff_base: Duration,
}

/// OpenAI's documented upload limit ("25 MB"), counted in decimal megabytes so it holds
/// whichever way the provider counts.
pub const OPENAI_MAX_UPLOAD_BYTES: u64 = 25_000_000;

/// A piece must carry at least this much audio, so the cut search has room (see `split`).
const MIN_PIECE_SECS: u64 = 2;

impl Default for RemoteSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".into(),
            api_key: None,
            model: "whisper-1".into(),
            // A full 25 MB piece is ~13 minutes of audio; providers take tens of seconds on it.
            timeout: Duration::from_secs(300),
            concurrency: 4,
            max_upload_bytes: OPENAI_MAX_UPLOAD_BYTES,
            max_retries: 4,
            backoff_base: Duration::from_secs(1),
        }
    }
}

impl fmt::Debug for RemoteSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("concurrency", &self.concurrency)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("max_retries", &self.max_retries)
            .field("backoff_base", &self.backoff_base)
            .finish()
    }
}

impl RemoteSettings {
    /// The transcription URL, after checking every setting.
    pub(super) fn validate(&self) -> anyhow::Result<Url> {
        let base = Url::parse(&self.base_url)
            .with_context(|| format!("remote transcription base_url {:?}", self.base_url))?;
        if !matches!(base.scheme(), "http" | "https") {
            bail!("remote transcription base_url must be http or https");
        }
        if base.query().is_some() || base.fragment().is_some() {
            bail!("remote transcription base_url must not carry a query or fragment");
        }
        if self.model.trim().is_empty() {
            bail!("remote transcription model must not be empty");
        }
        if self.timeout.is_zero() {
            bail!("remote transcription timeout must be positive");
        }
        if self.concurrency == 0 {
            bail!("remote transcription concurrency must be at least 1");
        }
        let min_upload = wav::wav_len(MIN_PIECE_SECS * u64::from(wav::SAMPLE_RATE));
        if self.max_upload_bytes < min_upload || self.max_upload_bytes > u64::from(u32::MAX) {
            bail!(
                "remote transcription max_upload_bytes must be between {min_upload} and {}",
                u32::MAX
            );
        }
        let url = format!(
            "{}/audio/transcriptions",
            self.base_url.trim_end_matches('/')
        );
        Url::parse(&url).context("remote transcription base_url")
    }

    /// The key to send: an empty variable counts as none.
    pub(super) fn bearer_key(&self) -> Option<String> {
        self.api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_key() {
        let settings = RemoteSettings {
            api_key: Some("sk-very-secret".into()),
            ..RemoteSettings::default()
        };
        let printed = format!("{settings:?}");
        assert!(!printed.contains("sk-very-secret"), "{printed}");
        assert!(printed.contains("[redacted]"), "{printed}");
    }

    #[test]
    fn validation_table() {
        let ok = RemoteSettings::default();
        let cases: Vec<(RemoteSettings, Result<&str, &str>)> = vec![
            (
                ok.clone(),
                Ok("https://api.openai.com/v1/audio/transcriptions"),
            ),
            (
                RemoteSettings {
                    base_url: "http://127.0.0.1:8000/v1/".into(),
                    ..ok.clone()
                },
                Ok("http://127.0.0.1:8000/v1/audio/transcriptions"),
            ),
            (
                RemoteSettings {
                    base_url: "ftp://example.com".into(),
                    ..ok.clone()
                },
                Err("http or https"),
            ),
            (
                RemoteSettings {
                    base_url: "not a url".into(),
                    ..ok.clone()
                },
                Err("base_url"),
            ),
            (
                RemoteSettings {
                    base_url: "https://x.test/v1?key=1".into(),
                    ..ok.clone()
                },
                Err("query"),
            ),
            (
                RemoteSettings {
                    model: " ".into(),
                    ..ok.clone()
                },
                Err("model"),
            ),
            (
                RemoteSettings {
                    concurrency: 0,
                    ..ok.clone()
                },
                Err("concurrency"),
            ),
            (
                RemoteSettings {
                    timeout: Duration::ZERO,
                    ..ok.clone()
                },
                Err("timeout"),
            ),
            (
                RemoteSettings {
                    max_upload_bytes: 1000,
                    ..ok.clone()
                },
                Err("max_upload_bytes"),
            ),
        ];
        for (settings, want) in cases {
            let got = settings.validate();
            match (got, want) {
                (Ok(url), Ok(expected)) => assert_eq!(url.as_str(), expected),
                (Err(e), Err(fragment)) => {
                    let text = format!("{e:#}");
                    assert!(text.contains(fragment), "{text} lacks {fragment}");
                }
                (got, want) => panic!("{settings:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn empty_key_counts_as_none() {
        for (key, want) in [
            (None, None),
            (Some(""), None),
            (Some("  "), None),
            (Some("sk-1"), Some("sk-1")),
        ] {
            let settings = RemoteSettings {
                api_key: key.map(str::to_string),
                ..RemoteSettings::default()
            };
            assert_eq!(settings.bearer_key().as_deref(), want);
        }
    }
}
