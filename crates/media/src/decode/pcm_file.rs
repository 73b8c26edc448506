//! One decoded channel on disk: raw little-endian `f32` samples at 16 kHz.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A decoded channel spooled to a file; the file is deleted when this is dropped.
#[derive(Debug)]
pub struct PcmChannel {
    path: PathBuf,
    samples: u64,
}

impl PcmChannel {
    /// Takes ownership of `path`, a raw `f32` LE file of `samples` samples.
    pub fn from_file(path: PathBuf, samples: u64) -> Self {
        Self { path, samples }
    }

    /// Writes `samples` to `path` and takes ownership of it (tests, and engines that produce
    /// audio themselves).
    pub fn write(path: PathBuf, samples: &[f32]) -> io::Result<Self> {
        let mut bytes = Vec::with_capacity(samples.len() * 4);
        for s in samples {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        std::fs::write(&path, bytes)?;
        Ok(Self {
            path,
            samples: samples.len() as u64,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

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
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(start * 4))?;
        let mut bytes = vec![0u8; count * 4];
        file.read_exact(&mut bytes)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// Reads the whole channel (short recordings, tests).
    pub fn read_all(&self) -> io::Result<Vec<f32>> {
        self.read(0, self.samples as usize)
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
}
