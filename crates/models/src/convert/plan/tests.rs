use super::*;
use crate::ct2::DType;
use TensorClass::{Conv, Matrix, Small, TokenEmbedding};

fn var(name: &str, shape: &[usize]) -> Variable {
    Variable {
        name: name.to_string(),
        shape: shape.to_vec(),
        dtype: DType::F16,
        offset: 0,
        n_bytes: 0,
    }
}

type Row = (&'static str, Range<usize>, Vec<usize>, TensorClass);

fn planned(name: &str, shape: &[usize]) -> Vec<Row> {
    let p = plan(&[var(name, shape)]).unwrap();
    p.tensors
        .into_iter()
        .map(|t| {
            assert_eq!(t.source, name);
            let n: &'static str = Box::leak(t.ggml_name.into_boxed_str());
            (n, t.rows, t.ne, t.class)
        })
        .collect()
}

#[test]
fn renames_and_splits_as_whisper_cpp_names_them() {
    let cases: Vec<(&str, Vec<usize>, Vec<Row>)> = vec![
        (
            "encoder/conv1/weight",
            vec![384, 80, 3],
            vec![("encoder.conv1.weight", 0..384, vec![3, 80, 384], Conv)],
        ),
        (
            "encoder/conv2/bias",
            vec![384],
            vec![("encoder.conv2.bias", 0..384, vec![1, 384], Small)],
        ),
        (
            "encoder/position_encodings/encodings",
            vec![1500, 384],
            vec![(
                "encoder.positional_embedding",
                0..1500,
                vec![384, 1500],
                Small,
            )],
        ),
        (
            "decoder/position_encodings/encodings",
            vec![448, 384],
            vec![(
                "decoder.positional_embedding",
                0..448,
                vec![384, 448],
                Small,
            )],
        ),
        (
            "encoder/layer_norm/gamma",
            vec![384],
            vec![("encoder.ln_post.weight", 0..384, vec![384], Small)],
        ),
        (
            "decoder/layer_norm/beta",
            vec![384],
            vec![("decoder.ln.bias", 0..384, vec![384], Small)],
        ),
        (
            "decoder/embeddings/weight",
            vec![51864, 384],
            vec![(
                "decoder.token_embedding.weight",
                0..51864,
                vec![384, 51864],
                TokenEmbedding,
            )],
        ),
        (
            "encoder/layer_2/self_attention/linear_0/weight",
            vec![1152, 384],
            vec![
                (
                    "encoder.blocks.2.attn.query.weight",
                    0..384,
                    vec![384, 384],
                    Matrix,
                ),
                (
                    "encoder.blocks.2.attn.key.weight",
                    384..768,
                    vec![384, 384],
                    Matrix,
                ),
                (
                    "encoder.blocks.2.attn.value.weight",
                    768..1152,
                    vec![384, 384],
                    Matrix,
                ),
            ],
        ),
        (
            "decoder/layer_0/self_attention/linear_0/bias",
            vec![1152],
            vec![
                ("decoder.blocks.0.attn.query.bias", 0..384, vec![384], Small),
                (
                    "decoder.blocks.0.attn.value.bias",
                    768..1152,
                    vec![384],
                    Small,
                ),
            ],
        ),
        (
            "decoder/layer_1/self_attention/linear_1/weight",
            vec![384, 384],
            vec![(
                "decoder.blocks.1.attn.out.weight",
                0..384,
                vec![384, 384],
                Matrix,
            )],
        ),
        (
            "decoder/layer_1/self_attention/layer_norm/gamma",
            vec![384],
            vec![("decoder.blocks.1.attn_ln.weight", 0..384, vec![384], Small)],
        ),
        (
            "decoder/layer_3/attention/layer_norm/beta",
            vec![384],
            vec![(
                "decoder.blocks.3.cross_attn_ln.bias",
                0..384,
                vec![384],
                Small,
            )],
        ),
        (
            "decoder/layer_3/attention/linear_0/weight",
            vec![384, 384],
            vec![(
                "decoder.blocks.3.cross_attn.query.weight",
                0..384,
                vec![384, 384],
                Matrix,
            )],
        ),
        (
            "decoder/layer_3/attention/linear_1/weight",
            vec![768, 384],
            vec![
                (
                    "decoder.blocks.3.cross_attn.key.weight",
                    0..384,
                    vec![384, 384],
                    Matrix,
                ),
                (
                    "decoder.blocks.3.cross_attn.value.weight",
                    384..768,
                    vec![384, 384],
                    Matrix,
                ),
            ],
        ),
        (
            "decoder/layer_3/attention/linear_1/bias",
            vec![768],
            vec![(
                "decoder.blocks.3.cross_attn.value.bias",
                384..768,
                vec![384],
                Small,
            )],
        ),
        (
            "decoder/layer_3/attention/linear_2/bias",
            vec![384],
            vec![(
                "decoder.blocks.3.cross_attn.out.bias",
                0..384,
                vec![384],
                Small,
            )],
        ),
        (
            "encoder/layer_0/ffn/linear_0/weight",
            vec![1536, 384],
            vec![(
                "encoder.blocks.0.mlp.0.weight",
                0..1536,
                vec![384, 1536],
                Matrix,
            )],
        ),
        (
            "encoder/layer_0/ffn/linear_1/weight",
            vec![384, 1536],
            vec![(
                "encoder.blocks.0.mlp.2.weight",
                0..384,
                vec![1536, 384],
                Matrix,
            )],
        ),
        (
            "encoder/layer_0/ffn/layer_norm/gamma",
            vec![384],
            vec![("encoder.blocks.0.mlp_ln.weight", 0..384, vec![384], Small)],
        ),
        // Configuration scalars and int8 scales produce no tensor of their own.
        ("encoder/num_heads", vec![], vec![]),
        (
            "decoder/layer_0/ffn/linear_0/weight_scale",
            vec![1536],
            vec![],
        ),
    ];
    for (name, shape, expected) in cases {
        assert_eq!(planned(name, &shape), expected, "{name}");
    }
}

#[test]
fn key_biases_are_recorded_as_dropped() {
    let p = plan(&[
        var("encoder/layer_0/self_attention/linear_0/bias", &[1152]),
        var("decoder/layer_0/attention/linear_1/bias", &[768]),
    ])
    .unwrap();
    assert_eq!(
        p.dropped,
        vec![
            DroppedRows {
                source: "encoder/layer_0/self_attention/linear_0/bias".into(),
                rows: 384..768
            },
            DroppedRows {
                source: "decoder/layer_0/attention/linear_1/bias".into(),
                rows: 0..384
            },
        ]
    );
}

#[test]
fn unknown_variables_are_errors_not_silent_losses() {
    for (name, shape) in [
        ("encoder/layer_0/attention/linear_0/weight", vec![384, 384]), // no cross-attn in encoder
        (
            "decoder/layer_0/self_attention/linear_2/weight",
            vec![384, 384],
        ),
        (
            "decoder/layer_0/self_attention/linear_0/weight",
            vec![1153, 384],
        ), // not 3 equal parts
        ("decoder/layer_0/ffn/layer_norm/scale", vec![384]),
        ("decoder/layer_x/ffn/linear_0/weight", vec![1536, 384]),
        ("encoder/embeddings/weight", vec![10, 384]),
        ("something/else", vec![3]),
    ] {
        let err = plan(&[var(name, &shape)]).unwrap_err();
        assert!(err.to_string().contains("unexpected"), "{name}: {err}");
    }
}
