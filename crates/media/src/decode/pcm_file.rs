//! One decoded channel on disk: raw little-endian `f32` samples at 16 kHz.
//!
//! The file is opened once and every read goes through that handle (positional reads, so
//! readers on several threads share it). That matters beyond speed: a worker's spool sweep
//! removes files by age, and an hour-long transcription reads its channel for longer than
//! that. Once open, removing the name only unlinks it; the reads go on.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A decoded channel spooled to a file; the file is deleted when this is dropped.
#[derive(Debug)]
pub struct PcmChannel {
    path: PathBuf,
    reader: PcmReader,
}

/// Reads samples of a [`PcmChannel`]'s file; cheap to clone and to move to another thread.
/// It keeps the file's data readable even after the channel removed the file.
#[derive(Debug, Clone)]
pub struct PcmReader {
    file: Arc<File>,
    samples: u64,
}

impl PcmChannel {
    /// Takes ownership of `path`, a raw `f32` LE file of `samples` samples, and opens it.
    pub fn from_file(path: PathBuf, samples: u64) -> io::Result<Self> {
        let file = File::open(&path)?;
        Ok(Self {
            path,
            reader: PcmReader {
                file: Arc::new(file),
                samples,
            },
        })
    }

    /// Writes `samples` to `path` and takes ownership of it (tests, and engines that produce
    /// audio themselves).
    pub fn write(path: PathBuf, samples: &[f32]) -> io::Result<Self> {
        let mut bytes = Vec::with_capacity(samples.len() * 4);
        for s in samples {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        std::fs::write(&path, bytes)?;
        Self::from_file(path, samples.len() as u64)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of samples.
    pub fn len(&self) -> u64 {
        self.reader.samples
    }

    pub fn is_empty(&self) -> bool {
        self.reader.samples == 0
    }

    /// A reader for another thread or task.
    pub fn reader(&self) -> PcmReader {
        self.reader.clone()
    }

    /// Reads up to `count` samples starting at sample `start` (fewer at the end).
    pub fn read(&self, start: u64, count: usize) -> io::Result<Vec<f32>> {
        self.reader.read(start, count)
    }

    /// Reads the whole channel (short recordings, tests).
    pub fn read_all(&self) -> io::Result<Vec<f32>> {
        self.reader.read(0, self.reader.samples as usize)
    }
}

impl PcmReader {
    /// Number of samples.
    pub fn len(&self) -> u64 {
        self.samples
    }

    pub fn is_empty(&self) -> bool {
        self.samples == 0
    }

    /// Reads up to `count` samples starting at sample `start` (fewer at the end).
    pub fn read(&self, start: u64, count: usize) -> io::Result<Vec<f32>> {
        let start = start.min(self.samples);
        let count = count.min((self.samples - start) as usize);
        let mut bytes = vec![0u8; count * 4];
        self.file.read_exact_at(&mut bytes, start * 4)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
}

impl Drop for PcmChannel {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_windows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c0.f32");
        let samples: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        let channel = PcmChannel::write(path.clone(), &samples).unwrap();
        assert_eq!(channel.len(), 100);
        assert_eq!(channel.read(10, 3).unwrap(), vec![0.10, 0.11, 0.12]);
        assert_eq!(channel.read(98, 10).unwrap(), vec![0.98, 0.99]);
        assert!(channel.read(200, 10).unwrap().is_empty());
        assert_eq!(channel.read_all().unwrap(), samples);
        drop(channel);
        assert!(!path.exists(), "the spool file is removed on drop");
    }

    #[test]
    fn a_reader_keeps_reading_after_the_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c0.f32");
        let samples: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        let channel = PcmChannel::write(path.clone(), &samples).unwrap();
        let reader = channel.reader();
        // What a spool sweep does to a file it judges abandoned.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(reader.read(500, 2).unwrap(), vec![500.0, 501.0]);
        drop(channel);
        assert_eq!(reader.read(998, 5).unwrap(), vec![998.0, 999.0]);
    }
}
