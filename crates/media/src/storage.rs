//! Where media bytes live: a thin wrapper over an `object_store` backend (local directory,
//! S3-compatible bucket, or memory for tests).
//!
//! Rules: transfers are streamed in bounded chunks both ways (uploads go through
//! `object_store::buffered::BufWriter`, which switches to a multipart upload for large
//! files), never a whole file in memory. Keys are validated object paths; a missing object is
//! not an error for `delete` and `size`.

use std::path::Path as FsPath;
use std::sync::Arc;

use anyhow::{bail, Context};
use futures::StreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{GetOptions, GetRange, ObjectStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Upload buffer: parts of this size are sent as they fill (S3's minimum part is 5 MiB).
const UPLOAD_CHUNK: usize = 8 * 1024 * 1024;
/// Parts in flight at once during a multipart upload.
const UPLOAD_CONCURRENCY: usize = 2;
/// Read buffer when copying a local file into the upload.
const READ_CHUNK: usize = 256 * 1024;

/// One read of a stored object: its whole size, the range being sent, and its bytes.
pub struct MediaRead {
    pub size: u64,
    pub range: std::ops::Range<u64>,
    pub stream: futures::stream::BoxStream<'static, anyhow::Result<bytes::Bytes>>,
}

/// The object store holding media, cheap to clone.
#[derive(Clone)]
pub struct MediaStorage {
    store: Arc<dyn ObjectStore>,
    /// The directory of a local store: files can be renamed into it instead of copied.
    local_root: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for MediaStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MediaStorage({})", self.store)
    }
}

impl MediaStorage {
    /// Wraps any object store (tests, custom backends).
    pub fn from_store(store: Arc<dyn ObjectStore>) -> Self {
        MediaStorage {
            store,
            local_root: None,
        }
    }

    /// A process-local in-memory store (tests, demos).
    pub fn in_memory() -> Self {
        Self::from_store(Arc::new(InMemory::new()))
    }

    /// Media kept under the directory `root`, which is created if missing.
    pub fn local(root: &FsPath) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("creating media directory {}", root.display()))?;
        let store = LocalFileSystem::new_with_prefix(root)
            .with_context(|| format!("opening media directory {}", root.display()))?;
        let root = std::fs::canonicalize(root)
            .with_context(|| format!("opening media directory {}", root.display()))?;
        Ok(MediaStorage {
            local_root: Some(root),
            ..Self::from_store(Arc::new(store))
        })
    }

    /// Opens a store from a URL: `s3://bucket/prefix`, `file:///path`, or `memory:///`.
    /// A path after the bucket becomes a key prefix. For S3 the standard AWS variables
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
    /// `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, …) are read first and `options` (`aws_endpoint`,
    /// `aws_region`, …) override them; an option no backend knows is an error, not ignored.
    pub fn from_url(url: &str, options: &[(String, String)]) -> anyhow::Result<Self> {
        let parsed =
            url::Url::parse(url).with_context(|| format!("invalid storage URL {url:?}"))?;
        if parsed.scheme() == "file" {
            let path = parsed.to_file_path().map_err(|()| {
                anyhow::anyhow!("storage URL {url:?} is not an absolute file path")
            })?;
            return Self::local(&path);
        }
        if parsed.scheme() == "s3" {
            return Self::s3(&parsed, options);
        }
        let (store, prefix) =
            object_store::parse_url_opts(&parsed, options.iter().map(|(k, v)| (k, v.clone())))
                .with_context(|| format!("opening storage {url:?}"))?;
        let store: Arc<dyn ObjectStore> = if prefix.as_ref().is_empty() {
            Arc::from(store)
        } else {
            Arc::new(PrefixStore::new(store, prefix))
        };
        Ok(Self::from_store(store))
    }

    /// An S3-compatible bucket. Requests are path-style (`endpoint/bucket/key`, what
    /// S3-compatible servers expect) unless `aws_virtual_hosted_style_request` says otherwise;
    /// transient failures (5xx, timeouts, connection resets) are retried by `object_store`
    /// with backoff.
    fn s3(url: &url::Url, options: &[(String, String)]) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::from_env().with_url(url.as_str());
        for (key, value) in options {
            let key: AmazonS3ConfigKey = key
                .parse()
                .map_err(|_| anyhow::anyhow!("unknown S3 storage option {key:?}"))?;
            builder = builder.with_config(key, value);
        }
        let store = builder
            .build()
            .with_context(|| format!("opening storage {:?}", url.as_str()))?;
        let prefix = ObjectPath::from_url_path(url.path())
            .with_context(|| format!("storage URL {:?} has an invalid prefix", url.as_str()))?;
        let store: Arc<dyn ObjectStore> = if prefix.as_ref().is_empty() {
            Arc::new(store)
        } else {
            Arc::new(PrefixStore::new(store, prefix))
        };
        Ok(Self::from_store(store))
    }

    /// The object key for an interaction's media.
    pub fn media_key(account_id: &str, interaction_id: &str) -> String {
        format!("media/{account_id}/{interaction_id}")
    }

    /// The interaction a key made by [`Self::media_key`] names; `None` for any other key.
    pub fn interaction_of_key(key: &str) -> Option<&str> {
        let mut parts = key.split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("media"), Some(account), Some(interaction), None)
                if !account.is_empty() && !interaction.is_empty() =>
            {
                Some(interaction)
            }
            _ => None,
        }
    }

    /// Every media object (keys under `media/`) with its last modification, page by page as the
    /// backend lists them.
    pub fn list_media(
        &self,
    ) -> futures::stream::BoxStream<'static, anyhow::Result<(String, std::time::SystemTime)>> {
        let prefix = ObjectPath::from("media");
        self.store
            .list(Some(&prefix))
            .map(|meta| {
                let meta = meta.context("listing media")?;
                Ok((meta.location.to_string(), meta.last_modified.into()))
            })
            .boxed()
    }

    /// Streams the local file at `path` to `key`; returns the bytes written.
    pub async fn put_file(&self, key: &str, path: &FsPath) -> anyhow::Result<u64> {
        let location = object_path(key)?;
        let mut file = tokio::fs::File::open(path)
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        let mut upload = BufWriter::with_capacity(Arc::clone(&self.store), location, UPLOAD_CHUNK)
            .with_max_concurrency(UPLOAD_CONCURRENCY);
        let mut buf = vec![0u8; READ_CHUNK];
        let mut written = 0u64;
        // Once `shutdown` has begun, the writer cannot be aborted (object_store panics): a
        // failed completion leaves the store's incomplete upload to its own expiry.
        let mut finishing = false;
        let copied: anyhow::Result<()> = async {
            loop {
                let n = file
                    .read(&mut buf)
                    .await
                    .with_context(|| format!("reading {}", path.display()))?;
                if n == 0 {
                    break;
                }
                upload
                    .write_all(&buf[..n])
                    .await
                    .context("uploading media")?;
                written += n as u64;
            }
            finishing = true;
            upload.shutdown().await.context("finishing media upload")?;
            Ok(())
        }
        .await;
        if let Err(err) = copied {
            // Best effort: do not leave a half-finished multipart upload behind.
            if !finishing {
                if let Err(abort_err) = upload.abort().await {
                    tracing::warn!(key, error = %abort_err, "could not abort failed media upload");
                }
            }
            return Err(err);
        }
        Ok(written)
    }

    /// Stores the local file at `path` as `key` and consumes the file; returns its size. On a
    /// local store on the same filesystem the file is made durable and renamed into place — no
    /// copy of a 500 MB recording, and the object appears whole or not at all. Anywhere else
    /// (S3, another filesystem, a key with characters the local layout would encode) it is
    /// streamed like [`put_file`](Self::put_file), then removed.
    pub async fn move_file(&self, key: &str, path: &FsPath) -> anyhow::Result<u64> {
        object_path(key)?;
        if let Some(target) = self.local_target(key) {
            let (from, to) = (path.to_path_buf(), target);
            let moved = tokio::task::spawn_blocking(move || rename_durably(&from, &to))
                .await
                .context("moving media into place")?;
            match moved {
                Ok(size) => return Ok(size),
                // The spool is on another filesystem: copy instead.
                Err(err) if err.kind() == std::io::ErrorKind::CrossesDevices => {}
                Err(err) => {
                    return Err(err).with_context(|| format!("moving media into {key}"));
                }
            }
        }
        let size = self.put_file(key, path).await?;
        let _ = tokio::fs::remove_file(path).await;
        Ok(size)
    }

    /// Where `key` lives in a local store, when its layout is simply the key's segments.
    fn local_target(&self, key: &str) -> Option<std::path::PathBuf> {
        let root = self.local_root.as_ref()?;
        let plain = key
            .split('/')
            .all(|s| !s.is_empty() && !s.starts_with('.') && s.bytes().all(is_plain_byte));
        plain.then(|| root.join(key))
    }

    /// Removes `key`; a missing object is fine.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&object_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err).with_context(|| format!("deleting media {key}")),
        }
    }

    /// Size of `key` in bytes, `None` when it does not exist.
    pub async fn size(&self, key: &str) -> anyhow::Result<Option<u64>> {
        match self.store.head(&object_path(key)?).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err).with_context(|| format!("looking up media {key}")),
        }
    }

    /// Streams the bytes `range` of `key` (all of it when `None`), `None` when it does not
    /// exist. The range must lie within the object (the caller checks it against
    /// [`Self::size`]).
    pub async fn read_range(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> anyhow::Result<Option<MediaRead>> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let result = match self.store.get_opts(&object_path(key)?, options).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(err) => return Err(err).with_context(|| format!("reading media {key}")),
        };
        let (size, range) = (result.meta.size, result.range.clone());
        let key = key.to_owned();
        let stream = result
            .into_stream()
            .map(move |chunk| chunk.with_context(|| format!("reading media {key}")))
            .boxed();
        Ok(Some(MediaRead {
            size,
            range,
            stream,
        }))
    }

    /// Streams `key` into a new local file at `path`; returns the bytes written. The partial
    /// file is removed when the download fails.
    pub async fn read_to_file(&self, key: &str, path: &FsPath) -> anyhow::Result<u64> {
        let result = self.download(key, path).await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(path).await;
        }
        result
    }

    async fn download(&self, key: &str, path: &FsPath) -> anyhow::Result<u64> {
        let response = self
            .store
            .get(&object_path(key)?)
            .await
            .with_context(|| format!("fetching media {key}"))?;
        let mut file = tokio::fs::File::create(path)
            .await
            .with_context(|| format!("creating {}", path.display()))?;
        let mut stream = response.into_stream();
        let mut written = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.with_context(|| format!("downloading media {key}"))?;
            file.write_all(&chunk)
                .await
                .with_context(|| format!("writing {}", path.display()))?;
            written += chunk.len() as u64;
        }
        file.flush().await?;
        file.sync_all().await?;
        Ok(written)
    }
}

/// Characters a local object store keeps as they are in file names.
fn is_plain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Syncs `from`, renames it to `to` (creating `to`'s directory) and syncs that directory, so
/// that after a crash the object is either absent or whole. Returns the file's size.
fn rename_durably(from: &FsPath, to: &FsPath) -> std::io::Result<u64> {
    let file = std::fs::File::open(from)?;
    file.sync_all()?;
    let size = file.metadata()?.len();
    drop(file);
    let dir = to.parent().unwrap_or(FsPath::new("."));
    std::fs::create_dir_all(dir)?;
    std::fs::rename(from, to)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(size)
}

/// Validates a key as an object path (no empty, `.` or `..` segments, no leading slash games).
fn object_path(key: &str) -> anyhow::Result<ObjectPath> {
    if key.is_empty() || key.starts_with('/') || key.ends_with('/') {
        bail!("invalid media key {key:?}");
    }
    ObjectPath::parse(key).with_context(|| format!("invalid media key {key:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(
            MediaStorage::media_key("acc_1", "int_2"),
            "media/acc_1/int_2"
        );
        assert!(object_path("media/a/b").is_ok());
        for (key, interaction) in [
            ("media/acc_1/int_2", Some("int_2")),
            ("media/acc_1", None),
            ("media/acc_1/int_2/x", None),
            ("other/acc_1/int_2", None),
            ("media//int_2", None),
            ("media/acc_1/", None),
        ] {
            assert_eq!(MediaStorage::interaction_of_key(key), interaction, "{key}");
        }
        for bad in [
            "",
            "/media/a",
            "media/a/",
            "media//a",
            "media/../a",
            "media/./a",
        ] {
            assert!(object_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn from_url_schemes() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        let url = format!("file://{}", nested.display());
        assert!(MediaStorage::from_url(&url, &[]).is_ok());
        assert!(nested.is_dir(), "file:// creates the directory");
        assert!(MediaStorage::from_url("memory:///", &[]).is_ok());
        assert!(MediaStorage::from_url("memory:///some/prefix", &[]).is_ok());
        assert!(MediaStorage::from_url("not a url", &[]).is_err());
        assert!(MediaStorage::from_url("gopher://x/y", &[]).is_err());
        let s3 = MediaStorage::from_url(
            "s3://bucket/prefix",
            &[
                ("aws_region".into(), "us-east-1".into()),
                ("aws_access_key_id".into(), "k".into()),
                ("aws_secret_access_key".into(), "s".into()),
            ],
        );
        assert!(s3.is_ok(), "{s3:?}");
    }
}
