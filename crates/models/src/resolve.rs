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
    /// `tiny.en`, `base`, `small`, optionally with `-q8_0` or `-q8_0-head` (the file names'
    /// suffixes); anything else is taken as a path (write `./base` for a file literally named
    /// like a model).
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        let named = WeightType::ALL.into_iter().find_map(|weights| {
            let stem = s.strip_suffix(weights.suffix())?;
            let name = ModelName::parse(stem).ok()?;
            Some(ModelSpec::Named { name, weights })
        });
        named.unwrap_or_else(|| ModelSpec::File(PathBuf::from(s)))
    }

    /// The `model` setting with the `quantize` setting applied: a model name without a
    /// variant suffix takes the variant `quantize` names (`f16` or empty, `q8_0`,
    /// `q8_0-head`); a name with a suffix, or a path, is used as written.
    pub fn from_settings(model: &str, quantize: &str) -> Result<Self, String> {
        let weights = WeightType::parse(quantize).ok_or_else(|| {
            format!("quantize is {quantize:?}: expected f16 (or empty), q8_0 or q8_0-head")
        })?;
        Ok(match Self::parse(model) {
            // f16 has no suffix: a named f16 model is a bare name.
            ModelSpec::Named {
                name,
                weights: WeightType::F16,
            } => ModelSpec::Named { name, weights },
            spec => spec,
        })
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
            ModelSpec::Named { name, weights } => write!(f, "{name}{}", weights.suffix()),
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
            (
                "tiny.en-q8_0-head",
                ModelSpec::Named {
                    name: ModelName::TinyEn,
                    weights: WeightType::F16Q8Head,
                },
            ),
            ("tiny.en-head", ModelSpec::File("tiny.en-head".into())),
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
    fn quantize_applies_to_a_bare_model_name_only() {
        let named = |name, weights| ModelSpec::Named { name, weights };
        let cases = [
            ("tiny.en", "", Ok(named(ModelName::TinyEn, WeightType::F16))),
            (
                "tiny.en",
                "f16",
                Ok(named(ModelName::TinyEn, WeightType::F16)),
            ),
            (
                "tiny.en",
                "q8_0",
                Ok(named(ModelName::TinyEn, WeightType::Q8_0)),
            ),
            (
                " base ",
                "q8_0-head",
                Ok(named(ModelName::Base, WeightType::F16Q8Head)),
            ),
            // A suffix written in the model setting wins over the quantize setting.
            (
                "tiny.en-q8_0",
                "q8_0-head",
                Ok(named(ModelName::TinyEn, WeightType::Q8_0)),
            ),
            // A file is what it is.
            (
                "/m/ggml-small.bin",
                "q8_0-head",
                Ok(ModelSpec::File("/m/ggml-small.bin".into())),
            ),
        ];
        for (model, quantize, expected) in cases {
            assert_eq!(
                ModelSpec::from_settings(model, quantize),
                expected,
                "{model} {quantize}"
            );
        }
        let err = ModelSpec::from_settings("tiny.en", "q4_0").unwrap_err();
        assert!(
            err.contains("\"q4_0\"") && err.contains("q8_0-head"),
            "{err}"
        );
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
