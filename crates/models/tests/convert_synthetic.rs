//! The converter on small synthetic CTranslate2 models written by the test: every source tensor
//! arrives in the ggml file under whisper.cpp's name, shape, type and values.

mod common;

use common::{assert_matches_source, write_synthetic_model, TINY};
use scorejar_models::convert::convert_dir;
use scorejar_models::ggml::reader::GgmlModel;
use scorejar_models::ggml::GgmlType;
use scorejar_models::WeightType;

fn convert(dir: &std::path::Path, weights: WeightType) -> std::path::PathBuf {
    let out = dir.join(format!("ggml-{}.bin", weights.as_str()));
    let mut calls = Vec::new();
    let report = convert_dir(&dir.join("src"), &out, weights, &mut |done, total| {
        calls.push((done, total))
    })
    .unwrap();
    // Progress rises to the total, once per tensor.
    assert_eq!(calls.len(), report.tensors);
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
    let (done, total) = *calls.last().unwrap();
    assert_eq!(done, total, "ends at 100%");
    out
}

#[test]
fn f16_conversion_keeps_every_tensor_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    write_synthetic_model(&tmp.path().join("src"), &TINY, false);
    let out = convert(tmp.path(), WeightType::F16);
    let cmp = assert_matches_source(&tmp.path().join("src"), &out, WeightType::F16);
    // 11 outside the blocks + 15 per encoder block + 24 per decoder block.
    assert_eq!(cmp.tensors, 11 + 15 * 2 + 24 * 2);
    assert_eq!(cmp.quantised, 0);

    let (model, _) = GgmlModel::open(&out).unwrap();
    let h = model.hparams;
    assert_eq!(
        (
            h.n_vocab,
            h.n_audio_ctx,
            h.n_audio_state,
            h.n_audio_head,
            h.n_audio_layer
        ),
        (51864, 24, 64, 1, 2)
    );
    assert_eq!(
        (
            h.n_text_ctx,
            h.n_text_state,
            h.n_text_head,
            h.n_text_layer,
            h.n_mels,
            h.ftype
        ),
        (16, 64, 1, 2, 80, 1)
    );
    assert!(!h.is_multilingual());
    assert_eq!(model.vocab.len(), 50256);
    assert_eq!(
        model.vocab[1], b"\n",
        "byte-level tokens are stored as bytes"
    );
    assert_eq!(model.vocab[7], b" t7");
}

#[test]
fn q8_0_conversion_quantises_matrices_within_the_error_bound() {
    let tmp = tempfile::tempdir().unwrap();
    write_synthetic_model(&tmp.path().join("src"), &TINY, false);
    let out = convert(tmp.path(), WeightType::Q8_0);
    let cmp = assert_matches_source(&tmp.path().join("src"), &out, WeightType::Q8_0);
    // Per encoder block 6 matrices (q, k, v, out, mlp.0, mlp.2), per decoder block 10, plus
    // the token embedding.
    assert_eq!(cmp.quantised, 6 * 2 + 10 * 2 + 1);
    assert!(
        cmp.worst_q8_ratio > 0.1,
        "the check saw real rounding errors"
    );
    let (model, _) = GgmlModel::open(&out).unwrap();
    assert_eq!(model.hparams.ftype, 2007);
    let f16_size = std::fs::metadata(convert(tmp.path(), WeightType::F16))
        .unwrap()
        .len();
    let q8_size = std::fs::metadata(&out).unwrap().len();
    assert!(q8_size < f16_size * 6 / 10, "{q8_size} vs {f16_size}");
}

#[test]
fn q8_0_head_conversion_quantises_the_token_embedding_alone() {
    let tmp = tempfile::tempdir().unwrap();
    write_synthetic_model(&tmp.path().join("src"), &TINY, false);
    let out = convert(tmp.path(), WeightType::F16Q8Head);
    let cmp = assert_matches_source(&tmp.path().join("src"), &out, WeightType::F16Q8Head);
    assert_eq!(cmp.quantised, 1);
    let (model, _) = GgmlModel::open(&out).unwrap();
    assert_eq!(model.hparams.ftype, 0x10000 | 1);
    let embedding = model.tensor("decoder.token_embedding.weight").unwrap();
    assert_eq!(embedding.ttype, GgmlType::Q8_0);
    assert_eq!(
        model.tensor("decoder.blocks.0.mlp.0.weight").unwrap().ttype,
        GgmlType::F16
    );
}

#[test]
fn int8_ctranslate2_weights_are_dequantised_with_their_scales() {
    let tmp = tempfile::tempdir().unwrap();
    write_synthetic_model(&tmp.path().join("src"), &TINY, true);
    let out = convert(tmp.path(), WeightType::F16);
    assert_matches_source(&tmp.path().join("src"), &out, WeightType::F16);
}

#[test]
fn a_truncated_model_bin_is_refused_and_leaves_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_synthetic_model(&src, &TINY, false);
    let bin = std::fs::read(src.join("model.bin")).unwrap();
    std::fs::write(src.join("model.bin"), &bin[..bin.len() / 2]).unwrap();
    let out = tmp.path().join("out.bin");
    let err = convert_dir(&src, &out, WeightType::F16, &mut |_, _| {}).unwrap_err();
    assert!(format!("{err:#}").contains("truncated"), "{err:#}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".converting"))
        .collect();
    assert!(leftovers.is_empty(), "temporary file left behind");
}

#[test]
fn a_tokenizer_that_disagrees_with_the_vocabulary_size_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_synthetic_model(&src, &TINY, false);
    // One ordinary token more: <|endoftext|> moves to 50257, where only a multilingual model
    // (n_vocab 51865) would have it.
    let text = std::fs::read_to_string(src.join("vocabulary.txt")).unwrap();
    std::fs::write(src.join("vocabulary.txt"), format!("Ġextra\n{text}")).unwrap();
    let err = convert_dir(
        &src,
        &tmp.path().join("o.bin"),
        WeightType::F16,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("<|endoftext|> at id 50257"),
        "{err:#}"
    );
}

#[test]
fn a_missing_tensor_is_refused_before_anything_is_written() {
    use scorejar_models::ct2::write::write_model_bin;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_synthetic_model(&src, &TINY, false);
    let vars: Vec<_> = common::synthetic_variables(&TINY, false)
        .into_iter()
        .filter(|v| v.name != "decoder/layer_1/attention/linear_2/weight")
        .collect();
    let mut bin = Vec::new();
    write_model_bin(&mut bin, 6, "WhisperSpec", 3, &vars, &[]).unwrap();
    std::fs::write(src.join("model.bin"), bin).unwrap();
    let out = tmp.path().join("o.bin");
    let err = convert_dir(&src, &out, WeightType::F16, &mut |_, _| {}).unwrap_err();
    assert!(
        format!("{err:#}").contains("decoder.blocks.1.cross_attn.out.weight is missing"),
        "{err:#}"
    );
    assert!(!out.exists());
}
