//! Loading settings in layers — defaults → TOML file (`--config`) → `SCOREJAR_*` environment
//! (nested keys with `__`, e.g. `SCOREJAR_BILLING__EVALUATION_PER_MINUTE`) → `DATABASE_URL` →
//! flags — and opening what they name. A text setting takes its environment value verbatim
//! (`env`).

mod env;

use crate::Common;
use figment::providers::{Format, Serialized, Toml};
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
    figment = figment.merge(env::SettingsEnv::from_process()?);
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
