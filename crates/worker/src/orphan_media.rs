//! Media objects no interaction names, and their removal.
//!
//! A multipart upload is stored as `media/<account>/<interaction>` before its row is written; a
//! process killed in between (or a duplicate whose cleanup never ran) leaves an object no row
//! names, forever, and so does a deletion whose object delete failed after its rows were gone.
//! Each worker's periodic sweep ([`crate::RetentionSweep`]) and each API process at start delete
//! media objects older than [`STALE_AFTER`] whose interaction does not exist. Several processes
//! may sweep at once: deleting twice is fine, and the age rule keeps an upload still in flight
//! in another process safe (an upload stores its object and writes its row within seconds).
//! The age is the object's own modification time against the real clock, never a test's.

use futures::StreamExt;
use scorejar_media::MediaStorage;
use scorejar_store::Store;
use std::collections::HashSet;
use std::time::{Duration, SystemTime};

/// How old an object with no row must be before it is deleted.
pub const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// Objects looked up in the database at once.
const BATCH: usize = 500;

/// The keys of `listed` to delete: old enough, of the media key shape, naming an interaction
/// that does not exist. Keys of another shape are never ours to judge.
pub fn orphans(
    listed: &[(String, SystemTime)],
    existing: &HashSet<String>,
    now: SystemTime,
    stale_after: Duration,
) -> Vec<String> {
    listed
        .iter()
        .filter(|(_, modified)| {
            now.duration_since(*modified)
                .is_ok_and(|age| age >= stale_after)
        })
        .filter(|(key, _)| {
            MediaStorage::interaction_of_key(key).is_some_and(|id| !existing.contains(id))
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// Deletes the media objects no interaction names (see the module rules); returns how many.
pub async fn sweep_orphan_media(
    store: &dyn Store,
    media: &MediaStorage,
    stale_after: Duration,
) -> anyhow::Result<usize> {
    let mut listing = media.list_media().chunks(BATCH);
    let mut deleted = 0;
    while let Some(batch) = listing.next().await {
        let batch = batch.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
        let ids: Vec<String> = batch
            .iter()
            .filter_map(|(key, _)| MediaStorage::interaction_of_key(key).map(str::to_owned))
            .collect();
        let existing = store.existing_interactions(ids).await?;
        for key in orphans(&batch, &existing, SystemTime::now(), stale_after) {
            media.delete(&key).await?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphan_table() {
        let hour = Duration::from_secs(3600);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let old = now - hour;
        let fresh = now - Duration::from_secs(10);
        let existing: HashSet<String> = ["kept".to_string()].into();
        let cases = [
            ("media/a/gone", old, true),
            ("media/a/gone", fresh, false),
            ("media/a/gone", now + hour, false),
            ("media/a/kept", old, false),
            ("media/a/gone/extra", old, false),
            ("other/a/gone", old, false),
        ];
        for (key, modified, deleted) in cases {
            let got = orphans(&[(key.to_string(), modified)], &existing, now, hour);
            assert_eq!(!got.is_empty(), deleted, "{key} {modified:?}");
        }
    }
}
