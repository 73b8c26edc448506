//! Removing spool files that no running job will ever finish.
//!
//! Jobs spool large files and delete them however the attempt ends: `FetchMedia` streams a
//! download into `fetch-<id>.part`; `Transcribe` copies the stored media to
//! `transcribe-<id>.media` and decodes it to one `scorejar-pcm-<pid>-<n>-ch<c>.f32` per channel.
//! A worker killed mid-job (`kill -9`, OOM, power loss) leaves them behind — up to 500 MB of
//! download, or ~230 MB of PCM per channel-hour. The API spools a multipart upload's file to
//! `<uuid>.part` and deletes it when the request ends; a killed API process leaves it behind.
//! A worker sweeps the spool directory when it starts and then periodically; an API process
//! sweeps it when it starts.
//!
//! Rules: several worker processes may share one spool directory, and a sweeping process cannot
//! see which files the others still use. So only files untouched for `max_age` are removed: a
//! live download writes to its file at least once per read timeout (30 s by default), a decode
//! writes its PCM files continuously, and after that each file is read through a handle opened
//! before its writing ended (probe and copy of a download; the decoder's input; the PCM reader,
//! for as long as the transcription runs). Removing a file that is open only unlinks its name:
//! the reads go on, and the space is freed when the handle closes. `max_age` must sit well above
//! a write pause and above the time from a file's last write to its opening (seconds); the
//! default is one hour. Only names this crate's jobs create are considered, and nothing below
//! the directory is entered.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long a spool file must be untouched before a sweep removes it.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// Prefix and suffix of the names of spool files: downloads (`FetchMedia`), stored media
/// copied for decoding and decoded channels (`Transcribe`).
const SPOOL_NAMES: [(&str, &str); 3] = [
    ("fetch-", ".part"),
    ("transcribe-", ".media"),
    ("scorejar-pcm-", ".f32"),
];

/// Where and how a worker sweeps its spool directory.
#[derive(Debug, Clone)]
pub struct SpoolSweep {
    pub dir: PathBuf,
    /// Files untouched for this long are removed.
    pub stale_after: Duration,
}

impl SpoolSweep {
    /// How often a running worker sweeps again after the sweep at start.
    pub fn interval(&self) -> Duration {
        (self.stale_after / 4).clamp(Duration::from_secs(1), Duration::from_secs(15 * 60))
    }
}

/// `<uuid>.part`: a multipart upload's file, spooled by the API.
fn is_upload_spool(name: &str) -> bool {
    name.strip_suffix(".part")
        .is_some_and(|id| id.len() == 36 && uuid::Uuid::parse_str(id).is_ok())
}

/// True when a file called `name`, last modified at `modified`, is a spool file nobody can
/// still be using at `now`. A modification time in the future (clock steps) is never stale.
pub fn is_stale(name: &str, modified: SystemTime, now: SystemTime, stale_after: Duration) -> bool {
    let mut ours = SPOOL_NAMES.iter().any(|(prefix, suffix)| {
        name.len() > prefix.len() + suffix.len()
            && name.starts_with(prefix)
            && name.ends_with(suffix)
    });
    ours = ours || is_upload_spool(name);
    ours && now
        .duration_since(modified)
        .is_ok_and(|age| age >= stale_after)
}

/// Removes the stale spool files of `dir` (see the module rules); returns how many it removed.
/// A missing directory has nothing to sweep. Files that vanish meanwhile (another process
/// swept them first) are not errors.
pub fn sweep(dir: &Path, stale_after: Duration) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let Ok(meta) = entry.metadata() else { continue };
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Ok(modified) = meta.modified() else {
            continue;
        };
        if !meta.is_file() || !is_stale(&name, modified, now, stale_after) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Sweeps now and then every [`SpoolSweep::interval`], until aborted.
pub(crate) async fn sweep_periodically(config: SpoolSweep) {
    loop {
        let (dir, age) = (config.dir.clone(), config.stale_after);
        match tokio::task::spawn_blocking(move || sweep(&dir, age)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(removed)) => tracing::info!(
                removed,
                dir = %config.dir.display(),
                "removed stale spool files left by a stopped worker"
            ),
            Ok(Err(err)) => tracing::warn!(
                error = %err,
                dir = %config.dir.display(),
                "sweeping the spool directory failed"
            ),
            Err(err) => tracing::warn!(error = %err, "spool sweep task failed"),
        }
        tokio::time::sleep(config.interval()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_table() {
        let hour = Duration::from_secs(3600);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let old = now - hour - Duration::from_secs(1);
        let fresh = now - Duration::from_secs(30);
        let future = now + Duration::from_secs(600);
        let cases = [
            ("fetch-01J9.part", old, true),
            ("fetch-01J9.part", now - hour, true),
            ("fetch-01J9.part", fresh, false),
            ("fetch-01J9.part", future, false),
            ("fetch-.part", old, false),
            ("upload-01J9.part", old, false),
            ("fetch-01J9.wav", old, false),
            ("fetch-01J9.part.keep", old, false),
            ("notes.txt", old, false),
            ("0191d3c2-7e4f-7a3b-9c1d-2e3f4a5b6c7d.part", old, true),
            ("0191d3c2-7e4f-7a3b-9c1d-2e3f4a5b6c7d.part", fresh, false),
            ("0191d3c2-7e4f-7a3b-9c1d-2e3f4a5b6c7d.wav", old, false),
            ("not-a-uuid-but-thirty-six-chars-xyz.part", old, false),
            ("transcribe-01J9.media", old, true),
            ("transcribe-01J9.media", fresh, false),
            ("transcribe-.media", old, false),
            ("scorejar-pcm-4242-7-ch1.f32", old, true),
            ("scorejar-pcm-4242-7-ch1.f32", fresh, false),
            ("pcm-4242-7-ch1.f32", old, false),
            ("transcribe-01J9.part", old, false),
        ];
        for (name, modified, stale) in cases {
            assert_eq!(is_stale(name, modified, now, hour), stale, "{name}");
        }
    }

    #[test]
    fn sweep_removes_only_old_spool_files() {
        let dir = tempfile::tempdir().unwrap();
        let hour = Duration::from_secs(3600);
        let long_ago = SystemTime::now() - 2 * hour;
        let make = |name: &str, modified: Option<SystemTime>| {
            let path = dir.path().join(name);
            let file = std::fs::File::create(&path).unwrap();
            if let Some(t) = modified {
                file.set_modified(t).unwrap();
            }
            path
        };
        let abandoned = [
            make("fetch-a.part", Some(long_ago)),
            make("transcribe-a.media", Some(long_ago)),
            make("scorejar-pcm-1-0-ch0.f32", Some(long_ago)),
        ];
        let live = make("fetch-b.part", None);
        let live_pcm = make("scorejar-pcm-1-1-ch0.f32", None);
        let other = make("keep.part", Some(long_ago));
        let nested = dir.path().join("fetch-c.part.d");
        std::fs::create_dir(&nested).unwrap();

        assert_eq!(sweep(dir.path(), hour).unwrap(), 3);
        assert!(abandoned.iter().all(|p| !p.exists()));
        assert!(live.exists() && live_pcm.exists() && other.exists() && nested.exists());
        assert_eq!(sweep(dir.path(), hour).unwrap(), 0, "nothing left to sweep");
        assert_eq!(sweep(&dir.path().join("missing"), hour).unwrap(), 0);
    }

    #[test]
    fn interval_follows_the_age_within_bounds() {
        let sweep = |secs| SpoolSweep {
            dir: PathBuf::new(),
            stale_after: Duration::from_secs(secs),
        };
        assert_eq!(sweep(3600).interval(), Duration::from_secs(900));
        assert_eq!(sweep(7200).interval(), Duration::from_secs(900));
        assert_eq!(sweep(40).interval(), Duration::from_secs(10));
        assert_eq!(sweep(1).interval(), Duration::from_secs(1));
    }
}
