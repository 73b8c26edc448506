//! Shared by the converter tests: a synthetic faster-whisper model with tiny dimensions, and a
//! check that a converted ggml model holds exactly its source's tensors.
//!
//! The check spells out the CTranslate2 → whisper.cpp mapping again, on its own, rather than
//! asking the converter's plan: a wrong rule in the plan must not be able to confirm itself.

#![allow(dead_code)]

use scorejar_models::ct2::write::{write_model_bin, VariableData};
use scorejar_models::ct2::{read_rows, DType, ModelBin, Variable};
use scorejar_models::ggml::reader::{read_tensor, GgmlModel};
use scorejar_models::ggml::{q8_0, GgmlType, WeightType};
use scorejar_models::mel::MelFilters;
use scorejar_models::vocab::Vocabulary;
use std::collections::BTreeSet;
use std::io::BufReader;
use std::ops::Range;
use std::path::Path;

/// Dimensions of a synthetic model: tiny, but q8_0-compatible (rows a multiple of 32) and with
/// Whisper's real vocabulary size, which decides where whisper.cpp looks for special tokens.
pub struct Dims {
    pub d: usize,
    pub n_mels: usize,
    pub audio_ctx: usize,
    pub text_ctx: usize,
    pub layers: usize,
    pub n_vocab: usize,
}

pub const TINY: Dims = Dims {
    d: 64,
    n_mels: 80,
    audio_ctx: 24,
    text_ctx: 16,
    layers: 2,
    n_vocab: 51864,
};

/// Deterministic values that differ per variable and per element, so a misplaced row shows.
pub fn values(name: &str, n: usize) -> Vec<f32> {
    let seed = name
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    (0..n as u32)
        .map(|i| {
            let x = seed.wrapping_add(i.wrapping_mul(2654435761)).rotate_left(7) % 20001;
            (x as f32 - 10000.0) / 5000.0
        })
        .collect()
}

/// The variables of a CTranslate2 Whisper model with these dimensions, key biases zero as
/// CTranslate2 writes them; `int8_ffn` stores the FFN weights as int8 with per-row scales.
pub fn synthetic_variables(dims: &Dims, int8_ffn: bool) -> Vec<VariableData> {
    let d = dims.d;
    let mut vars = vec![
        VariableData::i16_scalar("encoder/num_heads", 1),
        VariableData::i16_scalar("decoder/num_heads", 1),
    ];
    let mut f16 = |name: &str, shape: &[usize]| {
        let n = shape.iter().product();
        vars.push(VariableData::f16(name, shape, &values(name, n)));
    };
    f16("encoder/conv1/weight", &[d, dims.n_mels, 3]);
    f16("encoder/conv1/bias", &[d]);
    f16("encoder/conv2/weight", &[d, d, 3]);
    f16("encoder/conv2/bias", &[d]);
    f16("encoder/position_encodings/encodings", &[dims.audio_ctx, d]);
    f16("encoder/layer_norm/gamma", &[d]);
    f16("encoder/layer_norm/beta", &[d]);
    f16("decoder/embeddings/weight", &[dims.n_vocab, d]);
    f16("decoder/position_encodings/encodings", &[dims.text_ctx, d]);
    f16("decoder/layer_norm/gamma", &[d]);
    f16("decoder/layer_norm/beta", &[d]);
    for side in ["encoder", "decoder"] {
        for l in 0..dims.layers {
            let p = format!("{side}/layer_{l}");
            let mut attention = |module: &str, fused_qkv: bool| {
                f16(&format!("{p}/{module}/layer_norm/gamma"), &[d]);
                f16(&format!("{p}/{module}/layer_norm/beta"), &[d]);
                let linears: &[usize] = if fused_qkv { &[3, 1] } else { &[1, 2, 1] };
                for (k, parts) in linears.iter().enumerate() {
                    f16(&format!("{p}/{module}/linear_{k}/weight"), &[parts * d, d]);
                    f16(&format!("{p}/{module}/linear_{k}/bias"), &[parts * d]);
                }
            };
            attention("self_attention", true);
            if side == "decoder" {
                attention("attention", false);
            }
            f16(&format!("{p}/ffn/layer_norm/gamma"), &[d]);
            f16(&format!("{p}/ffn/layer_norm/beta"), &[d]);
            f16(&format!("{p}/ffn/linear_0/bias"), &[4 * d]);
            f16(&format!("{p}/ffn/linear_1/bias"), &[d]);
        }
    }
    for side in ["encoder", "decoder"] {
        for l in 0..dims.layers {
            for (k, shape) in [(0, [4 * d, d]), (1, [d, 4 * d])] {
                let name = format!("{side}/layer_{l}/ffn/linear_{k}/weight");
                let n = shape[0] * shape[1];
                if int8_ffn {
                    let q: Vec<i8> = values(&name, n).iter().map(|v| (v * 60.0) as i8).collect();
                    let scales: Vec<f32> = (0..shape[0]).map(|r| 50.0 + r as f32).collect();
                    vars.push(VariableData::i8(&name, &shape, &q));
                    vars.push(VariableData::f32(
                        &format!("{side}/layer_{l}/ffn/linear_{k}/weight_scale"),
                        &[shape[0]],
                        &scales,
                    ));
                } else {
                    vars.push(VariableData::f16(&name, &shape, &values(&name, n)));
                }
            }
        }
    }
    // Key biases: zero, as CTranslate2's converter stores them.
    for var in &mut vars {
        let key_rows = if var.name.ends_with("self_attention/linear_0/bias") {
            Some(d..2 * d)
        } else if var.name.ends_with("/attention/linear_1/bias") {
            Some(0..d)
        } else {
            None
        };
        if let Some(rows) = key_rows {
            var.bytes[rows.start * 2..rows.end * 2].fill(0);
        }
    }
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    vars
}

/// Writes a faster-whisper directory: model.bin, vocabulary.txt (50256 ordinary tokens, then
/// the special ones) and config.json.
pub fn write_synthetic_model(dir: &Path, dims: &Dims, int8_ffn: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let mut bin = Vec::new();
    let aliases = vec![(
        "decoder/projection/weight".to_string(),
        "decoder/embeddings/weight".to_string(),
    )];
    write_model_bin(
        &mut bin,
        6,
        "WhisperSpec",
        3,
        &synthetic_variables(dims, int8_ffn),
        &aliases,
    )
    .unwrap();
    std::fs::write(dir.join("model.bin"), bin).unwrap();
    let mut vocab: Vec<String> = (0..50256).map(|i| format!("Ġt{i}")).collect();
    vocab[0] = "!".into();
    vocab[1] = "Ċ".into(); // a newline byte
    vocab.extend(["<|endoftext|>", "<|startoftranscript|>", "<|en|>"].map(String::from));
    std::fs::write(dir.join("vocabulary.txt"), vocab.join("\n")).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"alignment_heads": [[1, 0]], "lang_ids": []}"#,
    )
    .unwrap();
}

/// The whisper.cpp tensors (name, source rows) one CTranslate2 variable becomes, or `None`
/// for variables that are not tensors (scalars, int8 scales).
pub fn expected_parts(var: &Variable) -> Option<Vec<(String, Range<usize>)>> {
    if var.shape.is_empty() || var.name.ends_with("weight_scale") {
        return None;
    }
    let rows = var.shape[0];
    let whole = |n: &str| Some(vec![(n.to_string(), 0..rows)]);
    let name = var.name.as_str();
    let fixed = [
        ("encoder/conv1/weight", "encoder.conv1.weight"),
        ("encoder/conv1/bias", "encoder.conv1.bias"),
        ("encoder/conv2/weight", "encoder.conv2.weight"),
        ("encoder/conv2/bias", "encoder.conv2.bias"),
        (
            "encoder/position_encodings/encodings",
            "encoder.positional_embedding",
        ),
        (
            "decoder/position_encodings/encodings",
            "decoder.positional_embedding",
        ),
        ("encoder/layer_norm/gamma", "encoder.ln_post.weight"),
        ("encoder/layer_norm/beta", "encoder.ln_post.bias"),
        ("decoder/layer_norm/gamma", "decoder.ln.weight"),
        ("decoder/layer_norm/beta", "decoder.ln.bias"),
        (
            "decoder/embeddings/weight",
            "decoder.token_embedding.weight",
        ),
    ];
    if let Some((_, g)) = fixed.iter().find(|(c, _)| *c == name) {
        return whole(g);
    }
    // {side}/layer_{n}/{module}/{rest}
    let mut it = name.splitn(4, '/');
    let (side, layer, module, rest) = (it.next()?, it.next()?, it.next()?, it.next()?);
    let n = layer.strip_prefix("layer_")?;
    let block = format!("{side}.blocks.{n}");
    let (param, what) = match rest.rsplit_once('/')? {
        ("layer_norm", "gamma") => ("weight", "ln"),
        ("layer_norm", "beta") => ("bias", "ln"),
        (linear, p) => (p, linear),
    };
    let third = rows / 3;
    let half = rows / 2;
    let parts: Vec<(&str, Range<usize>)> = match (module, what, param) {
        ("self_attention", "ln", _) => vec![("attn_ln", 0..rows)],
        ("self_attention", "linear_0", "weight") => vec![
            ("attn.query", 0..third),
            ("attn.key", third..2 * third),
            ("attn.value", 2 * third..rows),
        ],
        ("self_attention", "linear_0", "bias") => {
            vec![("attn.query", 0..third), ("attn.value", 2 * third..rows)]
        }
        ("self_attention", "linear_1", _) => vec![("attn.out", 0..rows)],
        ("attention", "ln", _) => vec![("cross_attn_ln", 0..rows)],
        ("attention", "linear_0", _) => vec![("cross_attn.query", 0..rows)],
        ("attention", "linear_1", "weight") => {
            vec![
                ("cross_attn.key", 0..half),
                ("cross_attn.value", half..rows),
            ]
        }
        ("attention", "linear_1", "bias") => vec![("cross_attn.value", half..rows)],
        ("attention", "linear_2", _) => vec![("cross_attn.out", 0..rows)],
        ("ffn", "ln", _) => vec![("mlp_ln", 0..rows)],
        ("ffn", "linear_0", _) => vec![("mlp.0", 0..rows)],
        ("ffn", "linear_1", _) => vec![("mlp.2", 0..rows)],
        _ => panic!("the test does not know {name}"),
    };
    Some(
        parts
            .into_iter()
            .map(|(p, r)| (format!("{block}.{p}.{param}"), r))
            .collect(),
    )
}

/// The type whisper.cpp's loader allocates for a tensor.
fn expected_type(name: &str, ne: &[usize], weights: WeightType) -> GgmlType {
    if name.ends_with("conv1.weight") || name.ends_with("conv2.weight") {
        GgmlType::F16
    } else if ne.len() == 1 || name.contains("conv") || name.contains("positional") {
        GgmlType::F32
    } else if name == "decoder.token_embedding.weight" {
        // Also the decoder's output projection: q8_0 in the q8_0-head variant.
        match weights {
            WeightType::F16 => GgmlType::F16,
            WeightType::Q8_0 | WeightType::F16Q8Head => GgmlType::Q8_0,
        }
    } else {
        match weights {
            WeightType::F16 | WeightType::F16Q8Head => GgmlType::F16,
            WeightType::Q8_0 => GgmlType::Q8_0,
        }
    }
}

/// What [`assert_matches_source`] saw, for the caller to assert on.
#[derive(Debug, Default)]
pub struct Comparison {
    pub tensors: usize,
    pub quantised: usize,
    pub values: usize,
    /// The largest q8_0 error relative to its bound (≤ 1).
    pub worst_q8_ratio: f32,
}

/// Asserts that the ggml file holds every tensor of the CTranslate2 model — right name, shape
/// (ggml order), type and values (f16/f32 exactly, q8_0 within its error bound) — and nothing
/// else, that dropped key-bias rows were zero, and that the header carries the source's
/// vocabulary and Whisper's mel filters.
pub fn assert_matches_source(
    source_dir: &Path,
    ggml_path: &Path,
    weights: WeightType,
) -> Comparison {
    let mut src = BufReader::new(std::fs::File::open(source_dir.join("model.bin")).unwrap());
    let index = ModelBin::read_index(&mut src).unwrap();
    let (model, mut out) = GgmlModel::open(ggml_path).unwrap();
    assert_eq!(model.weight_type(), Some(weights));

    let vocab = scorejar_models::convert::read_vocabulary(source_dir).unwrap();
    assert_eq!(model.vocab, vocab.tokens, "vocabulary");
    assert_eq!(model.hparams.end_of_text(), Vocabulary::end_of_text(&vocab));
    let emb = index.variable("decoder/embeddings/weight").unwrap();
    assert_eq!(model.hparams.n_vocab as usize, emb.shape[0]);
    assert_eq!(model.hparams.n_text_state as usize, emb.shape[1]);
    assert_eq!(
        model.mel,
        MelFilters::whisper(model.hparams.n_mels as usize)
    );

    let mut cmp = Comparison::default();
    let mut seen = BTreeSet::new();
    for var in &index.variables {
        let Some(parts) = expected_parts(var) else {
            continue;
        };
        let all = read_rows(&mut src, var, 0..var.rows()).unwrap();
        let all = dequantise(&index, &mut src, var, all);
        let row_len = var.row_len().max(1);
        let kept: usize = parts.iter().map(|(_, r)| r.len()).sum();
        if kept < var.rows() {
            // The rows not written are the key bias: they must be zero to be dropped safely.
            let mut dropped = vec![true; var.rows()];
            parts
                .iter()
                .for_each(|(_, r)| r.clone().for_each(|i| dropped[i] = false));
            for (i, _) in dropped.iter().enumerate().filter(|(_, d)| **d) {
                assert_eq!(all[i], 0.0, "{} row {i} (a key bias) is not zero", var.name);
            }
        }
        for (name, rows) in parts {
            let t = model
                .tensor(&name)
                .unwrap_or_else(|| panic!("{name} (from {}) is missing", var.name));
            assert!(seen.insert(name.clone()), "{name} twice");
            let mut ne: Vec<usize> = var.shape.iter().rev().copied().collect();
            *ne.last_mut().unwrap() = rows.len();
            if name.ends_with("conv1.bias") || name.ends_with("conv2.bias") {
                ne = vec![1, rows.len()];
            }
            assert_eq!(t.ne, ne, "{name} shape");
            assert_eq!(t.ttype, expected_type(&name, &t.ne, weights), "{name} type");
            let expected = &all[rows.start * row_len..rows.end * row_len];
            let got = read_tensor(&mut out, t).unwrap();
            assert_eq!(got.len(), expected.len(), "{name} length");
            match t.ttype {
                GgmlType::Q8_0 => {
                    cmp.quantised += 1;
                    for (b, (e, g)) in expected
                        .chunks(q8_0::BLOCK)
                        .zip(got.chunks(q8_0::BLOCK))
                        .enumerate()
                    {
                        let bound = q8_0::error_bound(e);
                        for (x, y) in e.iter().zip(g) {
                            let err = (x - y).abs();
                            assert!(err <= bound, "{name} block {b}: {x} vs {y}, bound {bound}");
                            if bound > 0.0 {
                                cmp.worst_q8_ratio = cmp.worst_q8_ratio.max(err / bound);
                            }
                        }
                    }
                }
                _ => {
                    // A source that was f16 survives f16 and f32 storage exactly; any other
                    // source is compared after rounding to the stored type.
                    let exact: Vec<f32> = if t.ttype == GgmlType::F16 && var.dtype != DType::F16 {
                        expected
                            .iter()
                            .map(|&v| half::f16::from_f32(v).to_f32())
                            .collect()
                    } else {
                        expected.to_vec()
                    };
                    for (i, (x, y)) in exact.iter().zip(&got).enumerate() {
                        assert_eq!(x.to_bits(), y.to_bits(), "{name}[{i}]: {x} vs {y}");
                    }
                }
            }
            cmp.values += got.len();
            cmp.tensors += 1;
        }
    }
    let extra: Vec<_> = model
        .tensors
        .iter()
        .filter(|t| !seen.contains(&t.name))
        .map(|t| t.name.clone())
        .collect();
    assert!(extra.is_empty(), "tensors with no source: {extra:?}");
    cmp
}

/// int8 weights come back as `q / scale` (per row); others as read.
fn dequantise(
    index: &ModelBin,
    src: &mut BufReader<std::fs::File>,
    var: &Variable,
    mut values: Vec<f32>,
) -> Vec<f32> {
    if var.dtype != DType::I8 {
        return values;
    }
    let scale_var = index.variable(&format!("{}_scale", var.name)).unwrap();
    let scales = read_rows(src, scale_var, 0..scale_var.rows()).unwrap();
    for (r, row) in values.chunks_mut(var.row_len()).enumerate() {
        row.iter_mut().for_each(|v| *v /= scales[r]);
    }
    values
}
