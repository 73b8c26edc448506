//! Loading settings in layers — defaults → TOML file (`--config`) → `SCOREJAR_*` environment
//! (nested keys with `__`, e.g. `SCOREJAR_BILLING__EVALUATION_PER_MINUTE`) → `DATABASE_URL` →
//! flags — and opening what they name.

use crate::Common;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use scorejar_media::storage::MediaStorage;
use scorejar_server::config::Settings;
use scorejar_store::Store;
use std::sync::Arc;

pub fn load(common: &Common) -> anyhow::Result<Settings> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    if let Some(path) = &common.config {
        if !path.exists() {
            anyhow::bail!("config file {} does not exist", path.display());
        }
        figment = figment.merge(Toml::file(path));
    }
    // Only variables that name a setting: others with the prefix (SCOREJAR_LOG, a test suite's
    // SCOREJAR_TEST_PG_URL) are not configuration and must not stop the server.
    let known = top_level_keys()?;
    figment = figment.merge(
        Env::prefixed("SCOREJAR_")
            .split("__")
            .filter(move |key| names_a_setting(key.as_str(), &known)),
    );
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if !url.is_empty() {
            figment = figment.merge(("database_url", url));
        }
    }
    let mut settings: Settings = figment.extract()?;
    if let Some(dir) = &common.data_dir {
        settings.data_dir = dir.clone();
    }
    if let Some(url) = &common.database_url {
        settings.database_url = url.clone();
    }
    Ok(settings)
}

/// The names of the top-level settings (`bind`, `billing`, ...).
/// Whether an environment key (prefix stripped, `__` already turned into `.` by `split`, which
/// runs before the filter) starts with a top-level setting.
fn names_a_setting(key: &str, known: &[String]) -> bool {
    let first = key.split('.').next().unwrap_or("").to_ascii_lowercase();
    known.contains(&first)
}

fn top_level_keys() -> anyhow::Result<Vec<String>> {
    match serde_json::to_value(Settings::default())? {
        serde_json::Value::Object(map) => Ok(map.keys().cloned().collect()),
        _ => Ok(Vec::new()),
    }
}

/// Opens (and migrates) the database; creates the data directory for SQLite.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    std::fs::create_dir_all(&settings.data_dir)?;
    scorejar_store::open(
        &settings.effective_database_url(),
        settings.database_pool_size,
    )
    .await
}

pub fn open_media(settings: &Settings) -> anyhow::Result<Arc<MediaStorage>> {
    let storage = if settings.media_storage_url.is_empty() {
        MediaStorage::local(&settings.data_dir.join("media"))?
    } else {
        let options: Vec<(String, String)> = settings
            .media_storage_options
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        MediaStorage::from_url(&settings.media_storage_url, &options)?
    };
    Ok(Arc::new(storage))
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
}
