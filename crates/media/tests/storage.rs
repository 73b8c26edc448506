//! MediaStorage against a temporary directory (and the in-memory store): round trips, sizes,
//! deletes, and a file large enough to go through a multipart upload.

use std::path::Path;

use scorejar_media::MediaStorage;

/// Deterministic non-repeating bytes so misplaced chunks would be noticed.
fn pattern(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

async fn round_trip(storage: &MediaStorage, dir: &Path, len: usize) {
    let source = dir.join(format!("source-{len}.bin"));
    let bytes = pattern(len);
    std::fs::write(&source, &bytes).unwrap();
    let key = MediaStorage::media_key("acct_1", &format!("int_{len}"));

    assert_eq!(storage.size(&key).await.unwrap(), None);
    assert_eq!(storage.put_file(&key, &source).await.unwrap(), len as u64);
    assert_eq!(storage.size(&key).await.unwrap(), Some(len as u64));

    let copy = dir.join(format!("copy-{len}.bin"));
    assert_eq!(storage.read_to_file(&key, &copy).await.unwrap(), len as u64);
    assert!(
        std::fs::read(&copy).unwrap() == bytes,
        "downloaded bytes differ ({len})"
    );

    storage.delete(&key).await.unwrap();
    assert_eq!(storage.size(&key).await.unwrap(), None);
    storage.delete(&key).await.unwrap(); // deleting again is fine
}

#[tokio::test]
async fn local_directory_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("media-root"); // does not exist yet
    let storage = MediaStorage::local(&root).unwrap();
    for len in [0, 1, 300_000] {
        round_trip(&storage, dir.path(), len).await;
    }
    // The object really lives under the root at its key.
    let source = dir.path().join("probe.bin");
    std::fs::write(&source, b"abc").unwrap();
    storage.put_file("media/a/b", &source).await.unwrap();
    assert_eq!(std::fs::read(root.join("media/a/b")).unwrap(), b"abc");
}

#[tokio::test]
async fn large_files_go_through_multipart_and_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = MediaStorage::from_url(
        &format!("file://{}", dir.path().join("store").display()),
        &[],
    )
    .unwrap();
    round_trip(&storage, dir.path(), 20 * 1024 * 1024 + 17).await;

    // Overwriting a key replaces the object.
    let key = MediaStorage::media_key("acct", "same");
    let big = dir.path().join("big.bin");
    let small = dir.path().join("small.bin");
    std::fs::write(&big, pattern(10_000)).unwrap();
    std::fs::write(&small, b"tiny").unwrap();
    storage.put_file(&key, &big).await.unwrap();
    storage.put_file(&key, &small).await.unwrap();
    assert_eq!(storage.size(&key).await.unwrap(), Some(4));
}

#[tokio::test]
async fn memory_store_with_prefix_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let storage = MediaStorage::from_url("memory:///tenant-a", &[]).unwrap();
    round_trip(&storage, dir.path(), 70_000).await;
    round_trip(&MediaStorage::in_memory(), dir.path(), 5).await;
}

#[tokio::test]
async fn failures_are_errors_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let storage = MediaStorage::local(&dir.path().join("root")).unwrap();

    let missing_source = dir.path().join("nope.wav");
    assert!(storage
        .put_file("media/a/b", &missing_source)
        .await
        .is_err());
    assert_eq!(storage.size("media/a/b").await.unwrap(), None);

    let target = dir.path().join("download.bin");
    assert!(storage
        .read_to_file("media/a/missing", &target)
        .await
        .is_err());
    assert!(
        !target.exists(),
        "a failed download must not leave a partial file"
    );

    let source = dir.path().join("x.bin");
    std::fs::write(&source, b"x").unwrap();
    for bad_key in ["", "media//x", "media/../x", "/media/x"] {
        assert!(
            storage.put_file(bad_key, &source).await.is_err(),
            "{bad_key:?}"
        );
        assert!(storage.size(bad_key).await.is_err(), "{bad_key:?}");
    }
}

#[tokio::test]
async fn moving_into_a_local_store_renames_and_consumes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("media-root");
    let storage = MediaStorage::local(&root).unwrap();
    let key = MediaStorage::media_key("acct", "moved");
    for (len, name) in [(300_000, "first.bin"), (17, "second.bin")] {
        let source = dir.path().join(name);
        std::fs::write(&source, pattern(len)).unwrap();
        assert_eq!(storage.move_file(&key, &source).await.unwrap(), len as u64);
        assert!(!source.exists(), "the spool file is consumed");
        // The object lives at its key (a later overwrite replaces it) and reads back whole.
        assert_eq!(std::fs::read(root.join(&key)).unwrap(), pattern(len));
        let back = dir.path().join("back.bin");
        storage.read_to_file(&key, &back).await.unwrap();
        assert_eq!(std::fs::read(&back).unwrap(), pattern(len));
        assert_eq!(storage.size(&key).await.unwrap(), Some(len as u64));
    }
}

#[tokio::test]
async fn moving_into_another_store_streams_then_removes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let storage = MediaStorage::in_memory();
    let source = dir.path().join("spool.bin");
    std::fs::write(&source, pattern(70_000)).unwrap();
    assert_eq!(
        storage.move_file("media/a/b", &source).await.unwrap(),
        70_000
    );
    assert!(!source.exists());
    let back = dir.path().join("back.bin");
    storage.read_to_file("media/a/b", &back).await.unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), pattern(70_000));
    // A bad key is refused before anything moves.
    std::fs::write(&source, b"x").unwrap();
    assert!(storage.move_file("../escape", &source).await.is_err());
    assert!(source.exists());
}
