//! Signed media links (`scorejar_core::media_link`) issued and checked with the deployment's
//! link key, which lives in the database so every API and worker process shares it without
//! configuration. The key is read once per process and kept.

use crate::{Store, StoreResult};
use scorejar_core::media_link::{self, MediaGrant, MediaLinkError};
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::OnceCell;

/// The name of the link key in `server_secrets`.
const KEY_NAME: &str = "media_link_key";

/// Issues and checks media link tokens; cheap to clone.
#[derive(Clone)]
pub struct MediaLinks {
    store: Arc<dyn Store>,
    key: Arc<OnceCell<Vec<u8>>>,
}

impl MediaLinks {
    pub fn new(store: Arc<dyn Store>) -> Self {
        MediaLinks {
            store,
            key: Arc::new(OnceCell::new()),
        }
    }

    async fn key(&self) -> StoreResult<&[u8]> {
        let key = self
            .key
            .get_or_try_init(|| async {
                let candidate = hex::encode(rand::random::<[u8; 32]>());
                let stored = self.store.server_secret(KEY_NAME, &candidate).await?;
                Ok::<_, crate::StoreError>(stored.into_bytes())
            })
            .await?;
        Ok(key)
    }

    /// A token granting the media of `interaction_id` until `expires_at`.
    pub async fn token(
        &self,
        account_id: &str,
        interaction_id: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<String> {
        let grant = MediaGrant {
            account_id: account_id.to_owned(),
            interaction_id: interaction_id.to_owned(),
            expires_at: expires_at.unix_timestamp(),
        };
        Ok(media_link::sign(self.key().await?, &grant))
    }

    /// What `token` grants at `now`, or why it grants nothing.
    pub async fn check(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Result<MediaGrant, MediaLinkError>> {
        Ok(media_link::verify(
            self.key().await?,
            token,
            now.unix_timestamp(),
        ))
    }
}
