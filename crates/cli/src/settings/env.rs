//! `SCOREJAR_*` environment variables as a figment provider that respects each setting's type.
//!
//! figment's own `Env` provider parses every value as TOML-like data, so a text setting whose
//! value looked like something else reached serde as a number or a bool and stopped the start-up
//! (`SCOREJAR_JWT_AUDIENCE=12345`, `SCOREJAR_MEDIA_STORAGE_OPTIONS__AWS_ALLOW_HTTP=true`). Here
//! each value is first tried verbatim, as text, against the setting it names — by deserializing
//! the default settings with just that value, so the real serde types decide, maps of text and
//! optional text included. Only when text does not fit (a number, a bool, a list, a table) is
//! the value parsed as figment would.

use figment::providers::{Env, Serialized};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use scorejar_server::config::Settings;

const PREFIX: &str = "SCOREJAR_";

/// The settings named by the process environment, typed. Read once, at construction.
pub struct SettingsEnv {
    /// (dotted key, value), e.g. (`billing.evaluation_per_minute`, 2).
    entries: Vec<(String, Value)>,
}

impl SettingsEnv {
    pub fn from_process() -> anyhow::Result<Self> {
        // Only variables that name a setting: others with the prefix (SCOREJAR_LOG, a test
        // suite's SCOREJAR_TEST_PG_URL) are not configuration and must not stop the server.
        let known = top_level_keys()?;
        let env = Env::prefixed(PREFIX)
            .split("__")
            .filter(move |key| names_a_setting(key.as_str(), &known));
        let base = Figment::from(Serialized::defaults(Settings::default()));
        let entries = env
            .iter()
            .map(|(key, raw)| {
                let value = typed(&base, key.as_str(), raw);
                (key.to_string(), value)
            })
            .collect();
        Ok(Self { entries })
    }
}

/// `raw` as text if the setting at `key` accepts text, else parsed (`2`, `true`, `[a, b]`,
/// `{k = v}`). A key no setting has fails both ways and is left to the final extraction to
/// report.
fn typed(base: &Figment, key: &str, raw: String) -> Value {
    let text = Value::from(raw);
    let fits = base
        .clone()
        .merge(Serialized::default(key, text.clone()))
        .extract::<Settings>()
        .is_ok();
    if fits {
        return text;
    }
    let raw = text.as_str().unwrap_or_default();
    raw.parse().unwrap_or(text)
}

impl Provider for SettingsEnv {
    fn metadata(&self) -> Metadata {
        // Errors then name the variable (`SCOREJAR_BILLING__EVALUATION_PER_MINUTE`), not a key.
        Metadata::named("`SCOREJAR_` environment variable(s)")
            .interpolater(|_, keys| format!("{PREFIX}{}", keys.join("__").to_ascii_uppercase()))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (key, value) in &self.entries {
            if let Value::Dict(_, nested) = figment::util::nest(key, value.clone()) {
                merge(&mut dict, nested);
            }
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// Deep merge, `from` winning: two variables under one table (`SCOREJAR_BILLING__A`,
/// `SCOREJAR_BILLING__B`) both count.
fn merge(into: &mut Dict, from: Dict) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Dict(_, existing)), Value::Dict(_, nested)) => merge(existing, nested),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// Whether an environment key (prefix stripped, `__` already turned into `.` by `split`, which
/// runs before the filter) starts with a top-level setting.
fn names_a_setting(key: &str, known: &[String]) -> bool {
    let first = key.split('.').next().unwrap_or("").to_ascii_lowercase();
    known.contains(&first)
}

/// The names of the top-level settings (`bind`, `billing`, ...).
fn top_level_keys() -> anyhow::Result<Vec<String>> {
    match serde_json::to_value(Settings::default())? {
        serde_json::Value::Object(map) => Ok(map.keys().cloned().collect()),
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_environment_keys_reach_their_setting() {
        let known = top_level_keys().unwrap();
        // As figment hands them to the filter: `__` is already a dot.
        assert!(names_a_setting("http.rate_limit.per_token_per_sec", &known));
        assert!(names_a_setting("billing.evaluation_per_minute", &known));
        assert!(names_a_setting("max_request_bytes", &known));
        assert!(!names_a_setting("log", &known));
        assert!(!names_a_setting("test_pg_url", &known));
    }

    #[test]
    fn text_settings_keep_the_value_verbatim_and_others_parse() {
        let base = Figment::from(Serialized::defaults(Settings::default()));
        let text = |key: &str, raw: &str| typed(&base, key, raw.into()).as_str().map(String::from);
        assert_eq!(text("jwt_audience", "12345").as_deref(), Some("12345"));
        assert_eq!(
            text("jwt_issuer", "\"quoted\"").as_deref(),
            Some("\"quoted\"")
        );
        assert_eq!(
            text("media_storage_options.aws_allow_http", "true").as_deref(),
            Some("true")
        );
        assert_eq!(text("llm.default_provider", "42").as_deref(), Some("42"));
        assert_eq!(text("data_dir", "[x]").as_deref(), Some("[x]"));

        let parsed = |key: &str, raw: &str| typed(&base, key, raw.into());
        assert_eq!(
            parsed("billing.evaluation_per_minute", "2").to_u128(),
            Some(2)
        );
        assert_eq!(
            parsed("transcription.whisper.flash_attention", "true").to_bool(),
            Some(true)
        );
        assert!(matches!(
            parsed("fetch.allowed_internal_hosts", "[a:1, b]"),
            Value::Array(_, items) if items.len() == 2
        ));
    }

    #[test]
    fn variables_under_one_table_all_count() {
        let env = SettingsEnv {
            entries: vec![
                ("billing.evaluation_per_minute".into(), Value::from(2)),
                ("billing.transcription_per_minute".into(), Value::from(3)),
            ],
        };
        let settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(env)
            .extract()
            .unwrap();
        assert_eq!(settings.billing.evaluation_per_minute, 2);
        assert_eq!(settings.billing.transcription_per_minute, 3);
    }
}
