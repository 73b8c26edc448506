//! The tensors whisper.cpp's loader allocates for given hparams: names, shapes (ggml order) and
//! classes, as in `whisper_model_load` (`src/whisper.cpp`). The loader refuses a file with a
//! tensor it does not know, a shape it does not expect, or a tensor missing; the converter
//! checks its plan against this list so such a file is never written.

use crate::ggml::{Hparams, TensorClass};

/// One tensor whisper.cpp expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub name: String,
    pub ne: Vec<usize>,
    pub class: TensorClass,
}

pub fn expected_tensors(h: &Hparams) -> Vec<Expected> {
    let audio = h.n_audio_state as usize;
    let text = h.n_text_state as usize;
    let mut out = Vec::new();
    let mut push = |name: String, ne: &[usize], class: TensorClass| {
        out.push(Expected {
            name,
            ne: ne.to_vec(),
            class,
        })
    };
    use TensorClass::{Conv, Small, TokenEmbedding};

    push(
        "encoder.positional_embedding".into(),
        &[audio, h.n_audio_ctx as usize],
        Small,
    );
    push(
        "encoder.conv1.weight".into(),
        &[3, h.n_mels as usize, audio],
        Conv,
    );
    push("encoder.conv1.bias".into(), &[1, audio], Small);
    push("encoder.conv2.weight".into(), &[3, audio, audio], Conv);
    push("encoder.conv2.bias".into(), &[1, audio], Small);
    push("encoder.ln_post.weight".into(), &[audio], Small);
    push("encoder.ln_post.bias".into(), &[audio], Small);
    for i in 0..h.n_audio_layer {
        block(&mut push, &format!("encoder.blocks.{i}"), audio, false);
    }

    push(
        "decoder.positional_embedding".into(),
        &[text, h.n_text_ctx as usize],
        Small,
    );
    push(
        "decoder.token_embedding.weight".into(),
        &[text, h.n_vocab as usize],
        TokenEmbedding,
    );
    push("decoder.ln.weight".into(), &[text], Small);
    push("decoder.ln.bias".into(), &[text], Small);
    for i in 0..h.n_text_layer {
        block(&mut push, &format!("decoder.blocks.{i}"), text, true);
    }
    out
}

/// One transformer block: MLP, self-attention and (decoder) cross-attention. Key projections
/// have no bias in Whisper.
fn block(
    push: &mut impl FnMut(String, &[usize], TensorClass),
    prefix: &str,
    d: usize,
    cross: bool,
) {
    use TensorClass::{Matrix, Small};
    push(format!("{prefix}.mlp_ln.weight"), &[d], Small);
    push(format!("{prefix}.mlp_ln.bias"), &[d], Small);
    push(format!("{prefix}.mlp.0.weight"), &[d, 4 * d], Matrix);
    push(format!("{prefix}.mlp.0.bias"), &[4 * d], Small);
    push(format!("{prefix}.mlp.2.weight"), &[4 * d, d], Matrix);
    push(format!("{prefix}.mlp.2.bias"), &[d], Small);
    let attentions: &[&str] = if cross {
        &["attn", "cross_attn"]
    } else {
        &["attn"]
    };
    for attn in attentions {
        push(format!("{prefix}.{attn}_ln.weight"), &[d], Small);
        push(format!("{prefix}.{attn}_ln.bias"), &[d], Small);
        push(format!("{prefix}.{attn}.query.weight"), &[d, d], Matrix);
        push(format!("{prefix}.{attn}.query.bias"), &[d], Small);
        push(format!("{prefix}.{attn}.key.weight"), &[d, d], Matrix);
        push(format!("{prefix}.{attn}.value.weight"), &[d, d], Matrix);
        push(format!("{prefix}.{attn}.value.bias"), &[d], Small);
        push(format!("{prefix}.{attn}.out.weight"), &[d, d], Matrix);
        push(format!("{prefix}.{attn}.out.bias"), &[d], Small);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_whisper_cpp_for_tiny_and_base() {
        // 11 tensors outside the blocks, 15 per encoder block, 24 per decoder block: 167 for
        // tiny (the 139 tensors of the CTranslate2 file once fused q/k/v are split).
        for (layers, expected) in [(4, 167), (6, 11 + 39 * 6)] {
            let h = Hparams {
                n_vocab: 51864,
                n_audio_ctx: 1500,
                n_audio_state: 384,
                n_audio_head: 6,
                n_audio_layer: layers,
                n_text_ctx: 448,
                n_text_state: 384,
                n_text_head: 6,
                n_text_layer: layers,
                n_mels: 80,
                ftype: 1,
            };
            let list = expected_tensors(&h);
            assert_eq!(list.len(), expected, "{layers} layers");
            let conv1 = list
                .iter()
                .find(|e| e.name == "encoder.conv1.weight")
                .unwrap();
            assert_eq!(conv1.ne, vec![3, 80, 384]);
            let names: std::collections::HashSet<_> = list.iter().map(|e| &e.name).collect();
            assert_eq!(names.len(), list.len(), "names are unique");
            assert!(!names.contains(&"encoder.blocks.0.attn.key.bias".to_string()));
            assert!(names.contains(&"decoder.blocks.3.cross_attn.value.bias".to_string()));
        }
    }
}
