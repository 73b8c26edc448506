//! Which ggml tensor comes from which rows of which CTranslate2 variable — pure, no I/O.
//!
//! Mostly renaming (`encoder/layer_0/ffn/linear_0/weight` → `encoder.blocks.0.mlp.0.weight`,
//! `gamma`/`beta` → `weight`/`bias`), plus two splits: self-attention's `linear_0` holds the
//! query, key and value projections stacked by rows, cross-attention's `linear_1` the key and
//! value. Whisper's key projections have no bias; CTranslate2 stores zeros for them, which are
//! dropped (a key bias adds the same amount to every attention logit of a query, so softmax
//! ignores it even where it is not zero). Because every output is a contiguous range of rows
//! of one source, the converter can stream it.

use crate::ct2::Variable;
use crate::error::FormatError;
use crate::ggml::TensorClass;
use std::ops::Range;

/// One ggml tensor to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorPlan {
    pub ggml_name: String,
    /// The CTranslate2 variable it is read from.
    pub source: String,
    /// Rows (first dimension) of the source.
    pub rows: Range<usize>,
    /// Shape in ggml order (fastest-varying first).
    pub ne: Vec<usize>,
    pub class: TensorClass,
}

/// Source rows deliberately not written (the key biases), so tests can account for every value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedRows {
    pub source: String,
    pub rows: Range<usize>,
}

/// The whole mapping of a model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub tensors: Vec<TensorPlan>,
    pub dropped: Vec<DroppedRows>,
}

/// Plans every non-scalar variable, in file order (so the converter reads the source front to
/// back). Scalars are configuration (`num_heads`, flags) and int8 `weight_scale`s are applied
/// to their weights; anything else unknown is an error rather than silently lost.
pub fn plan(variables: &[Variable]) -> Result<Plan, FormatError> {
    let mut out = Plan::default();
    for var in variables {
        if var.shape.is_empty() || var.name.ends_with("/weight_scale") {
            continue;
        }
        plan_variable(var, &mut out)?;
    }
    Ok(out)
}

fn plan_variable(var: &Variable, out: &mut Plan) -> Result<(), FormatError> {
    let unknown = || FormatError::unsupported(format!("unexpected variable {}", var.name));
    let parts: Vec<&str> = var.name.split('/').collect();
    let whole = |name: &str, class: TensorClass| TensorPlan {
        ggml_name: name.to_string(),
        source: var.name.clone(),
        rows: 0..var.rows(),
        ne: var.shape.iter().rev().copied().collect(),
        class,
    };
    use TensorClass::{Conv, Small, TokenEmbedding};
    let planned = match parts.as_slice() {
        ["encoder", conv @ ("conv1" | "conv2"), "weight"] => {
            whole(&format!("encoder.{conv}.weight"), Conv)
        }
        // whisper.cpp adds the conv bias to a [time, channels] result: it wants [n] as [1, n].
        ["encoder", conv @ ("conv1" | "conv2"), "bias"] => TensorPlan {
            ne: vec![1, var.rows()],
            ..whole(&format!("encoder.{conv}.bias"), Small)
        },
        [side @ ("encoder" | "decoder"), "position_encodings", "encodings"] => {
            whole(&format!("{side}.positional_embedding"), Small)
        }
        ["encoder", "layer_norm", p] => {
            whole(&format!("encoder.ln_post.{}", norm_param(p)?), Small)
        }
        ["decoder", "layer_norm", p] => whole(&format!("decoder.ln.{}", norm_param(p)?), Small),
        ["decoder", "embeddings", "weight"] => {
            whole("decoder.token_embedding.weight", TokenEmbedding)
        }
        [side @ ("encoder" | "decoder"), layer, module, rest @ ..] => {
            let index: usize = layer
                .strip_prefix("layer_")
                .and_then(|n| n.parse().ok())
                .ok_or_else(unknown)?;
            let prefix = format!("{side}.blocks.{index}");
            return plan_block(var, &prefix, *side == "decoder", module, rest, out)
                .ok_or_else(unknown);
        }
        _ => return Err(unknown()),
    };
    out.tensors.push(planned);
    Ok(())
}

/// A variable inside a block; `None` if the name is not one Whisper has.
fn plan_block(
    var: &Variable,
    prefix: &str,
    decoder: bool,
    module: &str,
    rest: &[&str],
    out: &mut Plan,
) -> Option<()> {
    // (ggml name of the layer norm, ggml names of each linear with the parts it fuses)
    let (norm, linears): (&str, &[&[&str]]) = match module {
        "self_attention" => (
            "attn_ln",
            &[&["attn.query", "attn.key", "attn.value"], &["attn.out"]],
        ),
        "attention" if decoder => (
            "cross_attn_ln",
            &[
                &["cross_attn.query"],
                &["cross_attn.key", "cross_attn.value"],
                &["cross_attn.out"],
            ],
        ),
        "ffn" => ("mlp_ln", &[&["mlp.0"], &["mlp.2"]]),
        _ => return None,
    };
    match rest {
        ["layer_norm", p] => {
            out.tensors.push(TensorPlan {
                ggml_name: format!("{prefix}.{norm}.{}", norm_param(p).ok()?),
                source: var.name.clone(),
                rows: 0..var.rows(),
                ne: vec![var.rows()],
                class: TensorClass::Small,
            });
        }
        [linear, param @ ("weight" | "bias")] => {
            let k: usize = linear.strip_prefix("linear_")?.parse().ok()?;
            let names = linears.get(k)?;
            if !var.rows().is_multiple_of(names.len())
                || var.shape.len() != if *param == "weight" { 2 } else { 1 }
            {
                return None;
            }
            let part = var.rows() / names.len();
            for (i, name) in names.iter().enumerate() {
                let rows = i * part..(i + 1) * part;
                if *param == "bias" && name.ends_with(".key") {
                    out.dropped.push(DroppedRows {
                        source: var.name.clone(),
                        rows,
                    });
                    continue;
                }
                let (ne, class) = if *param == "weight" {
                    (vec![var.shape[1], part], TensorClass::Matrix)
                } else {
                    (vec![part], TensorClass::Small)
                };
                out.tensors.push(TensorPlan {
                    ggml_name: format!("{prefix}.{name}.{param}"),
                    source: var.name.clone(),
                    rows,
                    ne,
                    class,
                });
            }
        }
        _ => return None,
    }
    Some(())
}

fn norm_param(p: &str) -> Result<&'static str, FormatError> {
    match p {
        "gamma" => Ok("weight"),
        "beta" => Ok("bias"),
        other => Err(FormatError::unsupported(format!(
            "unexpected layer norm parameter {other}"
        ))),
    }
}

#[cfg(test)]
mod tests;
