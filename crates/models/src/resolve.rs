//! Turning a configured model into a file: a known name is installed on first need
//! (`tiny.en`, `base-q8_0`, …), anything else is a path to a ggml file the user already has.

use crate::ggml::reader::read_header;
use crate::ggml::{Hparams, WeightType};
use crate::install::{install, InstallOptions, ModelName};
use anyhow::Context;
use std::fmt;
use std::path::{Path, PathBuf};

/// A configured model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelSpec {
    Named {
        name: ModelName,
        weights: WeightType,
    },
    File(PathBuf),
}

impl ModelSpec {
    /// `tiny.en`, `base`, `small`, optionally with `-q8_0` (the file names' suffix); anything
    /// else is taken as a path (write `./base` for a file literally named like a model).
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        let (stem, weights) = match s.strip_suffix("-q8_0") {
            Some(stem) => (stem, WeightType::Q8_0),
            None => (s, WeightType::F16),
        };
        match ModelName::parse(stem) {
            Ok(name) => ModelSpec::Named { name, weights },
            Err(_) => ModelSpec::File(PathBuf::from(s)),
        }
    }

    /// Whether the model is known to be English-only without opening it (a named model).
    pub fn is_english_only(&self) -> Option<bool> {
        match self {
            ModelSpec::Named { name, .. } => Some(name.is_english_only()),
            ModelSpec::File(_) => None,
        }
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelSpec::Named {
                name,
                weights: WeightType::F16,
            } => write!(f, "{name}"),
            ModelSpec::Named {
                name,
                weights: WeightType::Q8_0,
            } => write!(f, "{name}-q8_0"),
            ModelSpec::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The ggml file for `spec`: installed into `opts.models_dir` if it is a name (which may
/// download and convert, reporting through `opts.progress`), checked if it is a path.
/// `opts.weights` is ignored: the spec says which.
pub fn resolve(spec: &ModelSpec, opts: &InstallOptions) -> anyhow::Result<PathBuf> {
    match spec {
        ModelSpec::Named { name, weights } => install(*name, &opts.clone().weights(*weights)),
        ModelSpec::File(path) => {
            inspect(path)?;
            Ok(path.clone())
        }
    }
}

/// Reads a ggml model's hparams (cheap: the first 48 bytes), e.g. to learn whether it is
/// multilingual (`Hparams::is_multilingual`).
pub fn inspect(path: &Path) -> anyhow::Result<Hparams> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("model file {} cannot be opened", path.display()))?;
    read_header(&mut std::io::BufReader::new(file))
        .with_context(|| format!("model file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_install_and_other_strings_are_paths() {
        let cases = [
            (
                "tiny.en",
                ModelSpec::Named {
                    name: ModelName::TinyEn,
                    weights: WeightType::F16,
                },
            ),
            (
                "base-q8_0",
                ModelSpec::Named {
                    name: ModelName::Base,
                    weights: WeightType::Q8_0,
                },
            ),
            ("./base", ModelSpec::File("./base".into())),
            (
                "/models/ggml-large-v3.bin",
                ModelSpec::File("/models/ggml-large-v3.bin".into()),
            ),
            ("tiny-q8_0", ModelSpec::File("tiny-q8_0".into())),
        ];
        for (text, expected) in cases {
            let spec = ModelSpec::parse(text);
            assert_eq!(spec, expected, "{text}");
            if matches!(spec, ModelSpec::Named { .. }) {
                assert_eq!(spec.to_string(), text);
            }
        }
        assert_eq!(ModelSpec::parse("tiny.en").is_english_only(), Some(true));
        assert_eq!(ModelSpec::parse("base").is_english_only(), Some(false));
        assert_eq!(ModelSpec::parse("x.bin").is_english_only(), None);
    }

    #[test]
    fn a_path_must_be_a_ggml_model() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = InstallOptions::new(tmp.path());
        let missing = ModelSpec::File(tmp.path().join("nope.bin"));
        assert!(resolve(&missing, &opts).is_err());
        let junk = tmp.path().join("junk.bin");
        std::fs::write(&junk, b"GGUF and then some bytes of another format....").unwrap();
        let err = resolve(&ModelSpec::File(junk), &opts).unwrap_err();
        assert!(
            format!("{err:#}").contains("not a whisper.cpp ggml model"),
            "{err:#}"
        );
    }
}
