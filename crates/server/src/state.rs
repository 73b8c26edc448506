//! Shared application state handed to every handler.

use crate::auth::jwt::JwtVerifier;
use crate::config::Settings;
use scorejar_media::storage::MediaStorage;
use scorejar_store::media_links::MediaLinks;
use scorejar_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub media: Arc<MediaStorage>,
    pub settings: Arc<Settings>,
    pub jwt: Arc<JwtVerifier>,
    /// Checks the signed links of `GET /media/{token}`.
    pub media_links: MediaLinks,
    /// The SSRF-safe client used to check `downloadUrl`s at upload time.
    pub net: scorejar_net::SafeClient,
    /// Where multipart files are spooled before they are probed and stored.
    pub spool_dir: PathBuf,
}

impl AppState {
    /// Builds the state: creates the spool directory and loads JWT keys.
    pub fn new(
        store: Arc<dyn Store>,
        media: Arc<MediaStorage>,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let spool_dir = settings.data_dir.join("spool");
        std::fs::create_dir_all(&spool_dir)?;
        let jwt = JwtVerifier::from_settings(&settings)?;
        let net = settings.fetch.client();
        Ok(Self {
            net,
            media_links: MediaLinks::new(store.clone()),
            store,
            media,
            settings: Arc::new(settings),
            jwt: Arc::new(jwt),
            spool_dir,
        })
    }
}
