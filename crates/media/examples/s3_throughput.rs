//! bench/scale's media figures: a file of `--mib` MiB (default 64) into an S3-compatible
//! store and back out through `MediaStorage` — multipart upload in 8 MiB parts, two in flight;
//! a streamed download — `--rounds` times (default 3), printing MB/s each way. The bucket and
//! its credentials come from the AWS variables and `SCOREJAR_TEST_MEDIA_URL`, as
//! `scripts/s3-server` writes them.

use scorejar_media::MediaStorage;
use std::time::Instant;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let mut mib = 64usize;
    let mut rounds = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--mib" => mib = value.parse()?,
            "--rounds" => rounds = value.parse()?,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    let url = std::env::var("SCOREJAR_TEST_MEDIA_URL")?;
    let storage = MediaStorage::from_url(
        &format!(
            "{}/bench-{}",
            url.trim_end_matches('/'),
            uuid::Uuid::new_v4().simple()
        ),
        &[],
    )?;
    let dir = tempfile::tempdir()?;
    let source = dir.path().join("source.bin");
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..mib * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&source, &bytes)?;
    let megabytes = bytes.len() as f64 / 1e6;
    for round in 1..=rounds {
        let key = MediaStorage::media_key("bench", &format!("round-{round}"));
        let started = Instant::now();
        storage.put_file(&key, &source).await?;
        let up = started.elapsed().as_secs_f64();
        let copy = dir.path().join("copy.bin");
        let started = Instant::now();
        storage.read_to_file(&key, &copy).await?;
        let down = started.elapsed().as_secs_f64();
        anyhow::ensure!(std::fs::read(&copy)? == bytes, "the bytes read back differ");
        storage.delete(&key).await?;
        println!(
            "MediaStorage, {mib} MiB, round {round}: into S3 {:.0} MB/s ({up:.2} s), out of S3 {:.0} MB/s ({down:.2} s)",
            megabytes / up,
            megabytes / down
        );
    }
    Ok(())
}
