//! What is installed under a models directory: every known model in each variant (installed
//! or not), then any other whisper.cpp model file a user put there.

use super::catalog::ModelName;
use crate::ggml::{Hparams, WeightType};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
pub struct ModelEntry {
    /// `tiny.en`, `base-q8_0` (a value for the model setting), or the file name of a file
    /// that is not one of the known models.
    pub label: String,
    pub path: PathBuf,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Installed {
        bytes: u64,
        hparams: Hparams,
    },
    NotInstalled,
    /// Cannot be installed from PyPI (the reason).
    Unavailable(&'static str),
}

pub fn list(models_dir: &Path) -> Vec<ModelEntry> {
    let mut entries = Vec::new();
    for name in ModelName::ALL {
        for weights in WeightType::ALL {
            let path = name.default_path(models_dir, weights);
            let label = format!("{name}{}", weights.suffix());
            let status = match installed(&path) {
                Some(status) => status,
                None => match name.unavailable_reason() {
                    Some(reason) => Status::Unavailable(reason),
                    None => Status::NotInstalled,
                },
            };
            entries.push(ModelEntry {
                label,
                path,
                status,
            });
        }
    }
    let known: Vec<PathBuf> = entries.iter().map(|e| e.path.clone()).collect();
    let mut others: Vec<PathBuf> = std::fs::read_dir(models_dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "bin") && !known.contains(p))
        .collect();
    others.sort();
    for path in others {
        if let Some(status) = installed(&path) {
            entries.push(ModelEntry {
                label: path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                path,
                status,
            });
        }
    }
    entries
}

fn installed(path: &Path) -> Option<Status> {
    let hparams = crate::resolve::inspect(path).ok()?;
    let bytes = std::fs::metadata(path).ok()?.len();
    Some(Status::Installed { bytes, hparams })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with a valid header is enough for the listing.
    fn fake_model(path: &Path) {
        let mut bytes = crate::ggml::MAGIC.to_le_bytes().to_vec();
        for v in [51865i32, 1500, 512, 8, 6, 448, 512, 8, 6, 80, 1] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn lists_known_models_and_other_model_files() {
        let tmp = tempfile::tempdir().unwrap();
        fake_model(&tmp.path().join("ggml-base.bin"));
        fake_model(&tmp.path().join("my-own.bin"));
        std::fs::write(tmp.path().join("notes.bin"), b"not a model").unwrap();
        let entries = list(tmp.path());
        let summary: Vec<(String, &str)> = entries
            .iter()
            .map(|e| {
                let s = match &e.status {
                    Status::Installed { .. } => "installed",
                    Status::NotInstalled => "not installed",
                    Status::Unavailable(_) => "unavailable",
                };
                (e.label.clone(), s)
            })
            .collect();
        let expected = [
            ("tiny.en", "not installed"),
            ("tiny.en-q8_0", "not installed"),
            ("tiny.en-q8_0-head", "not installed"),
            ("base", "installed"),
            ("base-q8_0", "not installed"),
            ("base-q8_0-head", "not installed"),
            ("small", "unavailable"),
            ("small-q8_0", "unavailable"),
            ("small-q8_0-head", "unavailable"),
            ("my-own.bin", "installed"),
        ];
        let expected: Vec<(String, &str)> =
            expected.iter().map(|(l, s)| (l.to_string(), *s)).collect();
        assert_eq!(summary, expected);
        match &entries[3].status {
            Status::Installed { hparams, .. } => assert!(hparams.is_multilingual()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_directory_lists_nothing_installed() {
        let entries = list(Path::new("/nonexistent/models"));
        assert_eq!(entries.len(), 9);
        assert!(entries
            .iter()
            .all(|e| !matches!(e.status, Status::Installed { .. })));
    }
}
