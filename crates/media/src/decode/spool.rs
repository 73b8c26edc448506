//! The per-channel files a decode writes into, under the caller's directory.
//!
//! Rules: every file name is new (several decodes may share a directory); nothing is left
//! behind when a decode fails (the files are removed when an unfinished spool is dropped);
//! a finished spool hands its files over to [`PcmChannel`]s, which remove them in turn.

use super::resample::ChannelSink;
use super::PcmChannel;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes buffered per channel before a write to disk.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

static NEXT_SPOOL: AtomicU64 = AtomicU64::new(0);

/// One open file per channel.
pub(crate) struct ChannelSpool {
    files: Vec<SpoolFile>,
    /// Reused for the little-endian bytes of each appended run.
    scratch: Vec<u8>,
}

struct SpoolFile {
    path: PathBuf,
    writer: BufWriter<File>,
    samples: u64,
}

impl ChannelSpool {
    /// Creates `channels` new, empty files in `dir`.
    pub(crate) fn create(dir: &Path, channels: usize) -> io::Result<Self> {
        let mut spool = Self {
            files: Vec::with_capacity(channels),
            scratch: Vec::new(),
        };
        let id = format!(
            "{}-{}",
            std::process::id(),
            NEXT_SPOOL.fetch_add(1, Ordering::Relaxed)
        );
        for channel in 0..channels {
            let path = dir.join(format!("scorejar-pcm-{id}-ch{channel}.f32"));
            // `create_new`: never overwrite another decode's (or anybody's) file.
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            spool.files.push(SpoolFile {
                path,
                writer: BufWriter::with_capacity(WRITE_BUFFER_BYTES, file),
                samples: 0,
            });
        }
        Ok(spool)
    }

    /// Flushes every file and hands them over.
    pub(crate) fn finish(mut self) -> io::Result<Vec<PcmChannel>> {
        for file in &mut self.files {
            file.writer.flush()?;
        }
        // Every file is handed over (or removed) before an error is returned: none is left.
        let opened: Vec<io::Result<PcmChannel>> = std::mem::take(&mut self.files)
            .into_iter()
            .map(|file| {
                let SpoolFile {
                    path,
                    writer,
                    samples,
                } = file;
                drop(writer);
                PcmChannel::from_file(path.clone(), samples).inspect_err(|_| {
                    let _ = std::fs::remove_file(&path);
                })
            })
            .collect();
        opened.into_iter().collect()
    }
}

impl ChannelSink for ChannelSpool {
    fn append(&mut self, channel: usize, samples: &[f32]) -> io::Result<()> {
        self.scratch.clear();
        for sample in samples {
            self.scratch.extend_from_slice(&sample.to_le_bytes());
        }
        let file = &mut self.files[channel];
        file.writer.write_all(&self.scratch)?;
        file.samples += samples.len() as u64;
        Ok(())
    }
}

impl Drop for ChannelSpool {
    fn drop(&mut self) {
        // Only an unfinished spool still owns files: the decode failed half-way.
        for file in &self.files {
            let _ = std::fs::remove_file(&file.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_spool_hands_over_readable_channels() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = ChannelSpool::create(dir.path(), 2).unwrap();
        spool.append(0, &[0.25, -0.5]).unwrap();
        spool.append(1, &[1.0]).unwrap();
        spool.append(0, &[0.75]).unwrap();
        let channels = spool.finish().unwrap();
        assert_eq!(channels[0].read_all().unwrap(), vec![0.25, -0.5, 0.75]);
        assert_eq!(channels[1].read_all().unwrap(), vec![1.0]);
        drop(channels);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn dropped_spool_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = ChannelSpool::create(dir.path(), 3).unwrap();
        spool.append(2, &[0.5; 100]).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
        drop(spool);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn two_spools_in_one_directory_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let a = ChannelSpool::create(dir.path(), 1).unwrap();
        let b = ChannelSpool::create(dir.path(), 1).unwrap();
        assert_ne!(a.files[0].path, b.files[0].path);
    }
}
