//! Converting a faster-whisper (CTranslate2) model to a whisper.cpp ggml model.
//!
//! The dimensions come from the tensors (CTranslate2's `config.json` has none), the mel
//! filterbank is computed ([`crate::mel`]), the vocabulary is decoded to bytes
//! ([`crate::vocab`]), and each tensor is renamed/split by the [`plan`] and streamed a few
//! megabytes at a time, so converting needs about one chunk of memory, not a model's worth.

pub mod layout;
pub mod plan;

use crate::ct2::config::WhisperConfig;
use crate::ct2::{read_rows, DType, ModelBin, Variable};
use crate::error::FormatError;
use crate::ggml::{self, GgmlType, Hparams, WeightType};
use crate::mel::MelFilters;
use crate::vocab::Vocabulary;
use anyhow::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

/// Elements converted per read: bounds memory to a few MB whatever the tensor.
const CHUNK_ELEMENTS: usize = 1 << 20;

/// What a conversion produced.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvertReport {
    pub hparams: Hparams,
    pub tensors: usize,
}

/// Converts a CTranslate2 `model.bin` (with its vocabulary and, if there is one, its config)
/// into a ggml model written to `out`. `progress(done, total)` is called after each tensor with
/// the source bytes handled so far.
pub fn convert<R: Read + Seek, W: Write>(
    model: &mut R,
    vocab: &Vocabulary,
    config: Option<&WhisperConfig>,
    weights: WeightType,
    out: &mut W,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ConvertReport, FormatError> {
    let index = ModelBin::read_index(model)?;
    let hparams = derive_hparams(&index, model, weights)?;
    let plan = plan::plan(&index.variables)?;
    check_against_layout(&plan, &hparams)?;
    check_vocabulary(vocab, config, &hparams)?;

    let mel = MelFilters::whisper(hparams.n_mels as usize);
    ggml::write_header(out, &hparams, &mel, &vocab.tokens)?;

    let source_bytes = |t: &plan::TensorPlan| -> Result<u64, FormatError> {
        let var = source(&index, &t.source)?;
        Ok((t.rows.len() * var.row_len().max(1) * var.dtype.size()) as u64)
    };
    let total: u64 = plan
        .tensors
        .iter()
        .map(source_bytes)
        .sum::<Result<u64, _>>()?;
    let mut done = 0u64;
    let mut buf = Vec::new();
    for t in &plan.tensors {
        let var = source(&index, &t.source)?;
        let scale = dequantisation_scale(&index, model, var)?;
        let ttype = t.class.ggml_type(weights);
        if ttype == GgmlType::Q8_0 && !t.ne[0].is_multiple_of(ggml::q8_0::BLOCK) {
            return Err(FormatError::unsupported(format!(
                "{}: rows of {} cannot be quantised to q8_0 (blocks of 32)",
                t.ggml_name, t.ne[0]
            )));
        }
        ggml::write_tensor_header(out, &t.ggml_name, &t.ne, ttype)?;
        let row_len = var.row_len().max(1);
        let chunk_rows = (CHUNK_ELEMENTS / row_len).max(1);
        let mut row = t.rows.start;
        while row < t.rows.end {
            let end = (row + chunk_rows).min(t.rows.end);
            let mut values = read_rows(model, var, row..end)?;
            if let Some(scale) = &scale {
                apply_scale(&mut values, scale, row, row_len);
            }
            buf.clear();
            ggml::encode(&values, ttype, &mut buf);
            out.write_all(&buf)?;
            row = end;
        }
        done += source_bytes(t)?;
        progress(done, total);
    }
    out.flush()?;
    Ok(ConvertReport {
        hparams,
        tensors: plan.tensors.len(),
    })
}

/// Converts a faster-whisper model directory (`model.bin` and `tokenizer.json` or
/// `vocabulary.txt`; `config.json` optional) to a ggml file at `output`, written atomically:
/// a reader of `output` sees the old file or the complete new one, never a partial one.
pub fn convert_dir(
    dir: &Path,
    output: &Path,
    weights: WeightType,
    progress: &mut dyn FnMut(u64, u64),
) -> anyhow::Result<ConvertReport> {
    let vocab = read_vocabulary(dir)?;
    let config = match std::fs::read_to_string(dir.join("config.json")) {
        Ok(text) => Some(WhisperConfig::parse(&text).context("config.json")?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).context("config.json"),
    };
    let model_path = dir.join("model.bin");
    let mut model = BufReader::new(
        std::fs::File::open(&model_path)
            .with_context(|| format!("opening {}", model_path.display()))?,
    );
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = tempfile::Builder::new()
        .prefix(".converting-")
        .tempfile_in(parent)?;
    let mut writer = BufWriter::with_capacity(1 << 20, tmp);
    let report = convert(
        &mut model,
        &vocab,
        config.as_ref(),
        weights,
        &mut writer,
        progress,
    )
    .with_context(|| format!("converting {}", model_path.display()))?;
    let tmp = writer.into_inner().map_err(|e| e.into_error())?;
    // Temporary files are private (0600); a model is read by whoever runs the service.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(output)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", output.display()))?;
    Ok(report)
}

/// `tokenizer.json` if present (the richer file), else `vocabulary.txt`.
pub fn read_vocabulary(dir: &Path) -> anyhow::Result<Vocabulary> {
    let json = dir.join("tokenizer.json");
    if json.exists() {
        return Ok(Vocabulary::from_tokenizer_json(&std::fs::read_to_string(
            &json,
        )?)?);
    }
    let txt = dir.join("vocabulary.txt");
    if txt.exists() {
        return Ok(Vocabulary::from_vocabulary_txt(&std::fs::read_to_string(
            &txt,
        )?)?);
    }
    anyhow::bail!(
        "{} has neither tokenizer.json nor vocabulary.txt",
        dir.display()
    )
}

fn source<'a>(index: &'a ModelBin, name: &str) -> Result<&'a Variable, FormatError> {
    index
        .variable(name)
        .ok_or_else(|| FormatError::malformed(format!("model.bin has no variable {name}")))
}

/// Dimensions from the tensors' shapes; head counts from the `num_heads` scalars (Whisper's
/// heads are 64 wide, the fallback for files without them).
pub fn derive_hparams<R: Read + Seek>(
    index: &ModelBin,
    r: &mut R,
    weights: WeightType,
) -> Result<Hparams, FormatError> {
    let shape = |name: &str, rank: usize| -> Result<Vec<usize>, FormatError> {
        let var = source(index, name)?;
        if var.shape.len() != rank {
            return Err(FormatError::malformed(format!(
                "{name} has shape {:?}, expected rank {rank}",
                var.shape
            )));
        }
        Ok(var.shape.clone())
    };
    let embeddings = shape("decoder/embeddings/weight", 2)?;
    let audio_pos = shape("encoder/position_encodings/encodings", 2)?;
    let text_pos = shape("decoder/position_encodings/encodings", 2)?;
    let conv1 = shape("encoder/conv1/weight", 3)?;
    let layers = |side: &str| {
        index
            .variables
            .iter()
            .filter_map(|v| {
                v.name
                    .strip_prefix(&format!("{side}/layer_"))?
                    .split('/')
                    .next()?
                    .parse::<i32>()
                    .ok()
            })
            .max()
            .map_or(0, |n| n + 1)
    };
    let heads = |name: &str, state: usize, r: &mut R| -> Result<i32, FormatError> {
        Ok(match index.scalar(r, name)? {
            Some(h) => h as i32,
            None => (state / 64) as i32,
        })
    };
    let to_i32 = |n: usize| n as i32;
    Ok(Hparams {
        n_vocab: to_i32(embeddings[0]),
        n_audio_ctx: to_i32(audio_pos[0]),
        n_audio_state: to_i32(audio_pos[1]),
        n_audio_head: heads("encoder/num_heads", audio_pos[1], r)?,
        n_audio_layer: layers("encoder"),
        n_text_ctx: to_i32(text_pos[0]),
        n_text_state: to_i32(embeddings[1]),
        n_text_head: heads("decoder/num_heads", embeddings[1], r)?,
        n_text_layer: layers("decoder"),
        n_mels: to_i32(conv1[1]),
        ftype: weights.ftype(),
    })
}

/// The plan must produce exactly the tensors whisper.cpp will allocate, with the same shapes,
/// or the loader would refuse the file.
fn check_against_layout(plan: &plan::Plan, hparams: &Hparams) -> Result<(), FormatError> {
    let expected: BTreeMap<_, _> = layout::expected_tensors(hparams)
        .into_iter()
        .map(|e| (e.name.clone(), e))
        .collect();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for t in &plan.tensors {
        if !seen.insert(t.ggml_name.clone()) {
            problems.push(format!("{} twice", t.ggml_name));
        }
        match expected.get(&t.ggml_name) {
            None => problems.push(format!("{} is not a whisper.cpp tensor", t.ggml_name)),
            Some(e) if e.ne != t.ne || e.class != t.class => problems.push(format!(
                "{} has shape {:?}, whisper.cpp expects {:?}",
                t.ggml_name, t.ne, e.ne
            )),
            Some(_) => {}
        }
    }
    for name in expected.keys().filter(|n| !seen.contains(*n)) {
        problems.push(format!("{name} is missing"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        problems.truncate(8);
        Err(FormatError::malformed(format!(
            "the model does not have whisper.cpp's layout: {}",
            problems.join("; ")
        )))
    }
}

/// whisper.cpp does not read special tokens from the file: it numbers them from `n_vocab`.
/// The tokenizer must agree, or every special token (end of text, languages, timestamps)
/// would be off by one.
fn check_vocabulary(
    vocab: &Vocabulary,
    config: Option<&WhisperConfig>,
    hparams: &Hparams,
) -> Result<(), FormatError> {
    if vocab.end_of_text() != hparams.end_of_text() {
        return Err(FormatError::malformed(format!(
            "the tokenizer has <|endoftext|> at id {}, but with {} tokens whisper.cpp will use {}",
            vocab.end_of_text(),
            hparams.n_vocab,
            hparams.end_of_text()
        )));
    }
    if let Some(config) = config.filter(|_| hparams.is_multilingual()) {
        let first_language = hparams.end_of_text() + 2;
        let langs = &config.lang_ids;
        let consistent = langs.is_empty()
            || (langs.len() as i32 == hparams.num_languages()
                && langs[0] as usize == first_language);
        if !consistent {
            return Err(FormatError::malformed(format!(
                "config.json lists {} languages from id {:?}; whisper.cpp will assume {} from id {first_language}",
                langs.len(),
                langs.first(),
                hparams.num_languages()
            )));
        }
    }
    Ok(())
}

/// An integer-quantised CTranslate2 weight (int8 per-row scales, int16 one scale) comes back
/// as `q / scale`; float weights need nothing.
fn dequantisation_scale<R: Read + Seek>(
    index: &ModelBin,
    r: &mut R,
    var: &Variable,
) -> Result<Option<Vec<f32>>, FormatError> {
    if !matches!(var.dtype, DType::I8 | DType::I16 | DType::I32) {
        return Ok(None);
    }
    let scale_name = var
        .name
        .strip_suffix("/weight")
        .map(|prefix| format!("{prefix}/weight_scale"));
    let scale = scale_name.as_deref().and_then(|n| index.variable(n));
    let Some(scale) = scale else {
        return Err(FormatError::unsupported(format!(
            "{} is stored as {:?} without a weight_scale",
            var.name, var.dtype
        )));
    };
    let values = read_rows(r, scale, 0..scale.rows())?;
    if values.len() != 1 && values.len() != var.rows() {
        return Err(FormatError::malformed(format!(
            "{}: {} scales for {} rows",
            scale.name,
            values.len(),
            var.rows()
        )));
    }
    Ok(Some(values))
}

fn apply_scale(values: &mut [f32], scale: &[f32], first_row: usize, row_len: usize) {
    for (i, row) in values.chunks_mut(row_len).enumerate() {
        let s = if scale.len() == 1 {
            scale[0]
        } else {
            scale[first_row + i]
        };
        row.iter_mut().for_each(|v| *v /= s);
    }
}
