use super::write::{write_model_bin, VariableData};
use super::*;
use std::io::Cursor;

fn sample_vars() -> Vec<VariableData> {
    vec![
        VariableData::i16_scalar("encoder/num_heads", 6),
        VariableData::f16(
            "decoder/embeddings/weight",
            &[3, 2],
            &[0.5, -1.0, 2.0, 0.25, -0.125, 3.0],
        ),
        VariableData::f32("encoder/layer_norm/gamma", &[2], &[1.5, -2.5]),
        VariableData::i8("w", &[2, 2], &[-128, 127, 0, 5]),
    ]
}

fn model_bytes(version: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let aliases = vec![(
        "decoder/projection/weight".to_string(),
        "decoder/embeddings/weight".to_string(),
    )];
    write_model_bin(
        &mut buf,
        version,
        "WhisperSpec",
        3,
        &sample_vars(),
        &aliases,
    )
    .unwrap();
    buf
}

#[test]
fn every_binary_version_round_trips() {
    for version in SUPPORTED_BINARY_VERSIONS {
        let bytes = model_bytes(version);
        let mut r = Cursor::new(&bytes);
        let index = ModelBin::read_index(&mut r).unwrap();
        assert_eq!(index.binary_version, version);
        assert_eq!(index.variables.len(), 4, "version {version}");
        let emb = index.variable("decoder/embeddings/weight").unwrap();
        assert_eq!(emb.shape, vec![3, 2]);
        if version >= 4 {
            assert_eq!(emb.dtype, DType::F16);
            assert_eq!(index.spec_name, "WhisperSpec");
            assert_eq!(index.spec_revision, 3);
            assert_eq!(
                index.scalar(&mut r, "encoder/num_heads").unwrap(),
                Some(6.0)
            );
        } else {
            // Before version 4 only the item size was stored: 2 bytes reads back as int16.
            assert_eq!(emb.dtype, DType::I16);
        }
        if version >= 3 {
            assert_eq!(
                index.variable("decoder/projection/weight").unwrap().name,
                "decoder/embeddings/weight"
            );
        } else {
            assert!(index.aliases.is_empty());
            assert!(index.variable("decoder/projection/weight").is_none());
        }
        if version < 2 {
            assert_eq!(index.spec_name, "");
        }
    }
}

#[test]
fn reads_row_ranges_decoded_to_f32() {
    let bytes = model_bytes(6);
    let mut r = Cursor::new(&bytes);
    let index = ModelBin::read_index(&mut r).unwrap();
    let emb = index.variable("decoder/embeddings/weight").unwrap().clone();
    assert_eq!(
        read_rows(&mut r, &emb, 1..3).unwrap(),
        vec![2.0, 0.25, -0.125, 3.0]
    );
    assert_eq!(read_rows(&mut r, &emb, 0..1).unwrap(), vec![0.5, -1.0]);
    assert!(read_rows(&mut r, &emb, 2..4).is_err());
    let ln = index.variable("encoder/layer_norm/gamma").unwrap().clone();
    assert_eq!(read_rows(&mut r, &ln, 0..2).unwrap(), vec![1.5, -2.5]);
    let w = index.variable("w").unwrap().clone();
    assert_eq!(
        read_rows(&mut r, &w, 0..2).unwrap(),
        vec![-128.0, 127.0, 0.0, 5.0]
    );
    assert_eq!(index.scalar(&mut r, "missing").unwrap(), None);
    assert!(index.scalar(&mut r, "w").is_err(), "not a scalar");
}

#[test]
fn a_truncated_file_names_the_variable_it_cuts() {
    let bytes = model_bytes(6);
    // Cut inside the int8 variable `w` (the last one): its data is the file's last bytes
    // before the alias table.
    for cut in [bytes.len() - 80, 40, 10, 2] {
        let err = ModelBin::read_index(&mut Cursor::new(&bytes[..cut])).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, FormatError::Malformed(_)),
            "cut at {cut}: {msg}"
        );
        assert!(msg.contains("truncated"), "cut at {cut}: {msg}");
    }
}

#[test]
fn rejects_unknown_versions_dtypes_and_inconsistent_sizes() {
    let mut bytes = model_bytes(6);
    bytes[0..4].copy_from_slice(&7u32.to_le_bytes());
    let err = ModelBin::read_index(&mut Cursor::new(&bytes)).unwrap_err();
    assert!(matches!(err, FormatError::Unsupported(_)), "{err}");

    // One f32 variable whose byte count disagrees with its shape.
    let mut buf = Vec::new();
    let mut var = VariableData::f32("x", &[2], &[1.0, 2.0]);
    var.shape = vec![3];
    write_model_bin(&mut buf, 6, "S", 1, &[var], &[]).unwrap();
    let err = ModelBin::read_index(&mut Cursor::new(&buf)).unwrap_err();
    assert!(err.to_string().contains("expected 12"), "{err}");

    // An unknown dtype id (9) where the f32 id was.
    let mut buf = Vec::new();
    write_model_bin(
        &mut buf,
        6,
        "S",
        1,
        &[VariableData::f32("x", &[1], &[1.0])],
        &[],
    )
    .unwrap();
    let dtype_at = 4 + 2 + 2 + 4 + 4 + 2 + 2 + 1 + 4;
    assert_eq!(buf[dtype_at], 0);
    buf[dtype_at] = 9;
    let err = ModelBin::read_index(&mut Cursor::new(&buf)).unwrap_err();
    assert!(matches!(err, FormatError::Unsupported(_)), "{err}");
}

#[test]
fn dtypes_decode_their_little_endian_values() {
    let cases: Vec<(DType, Vec<u8>, Vec<f32>)> = vec![
        (DType::F32, 1.5f32.to_le_bytes().to_vec(), vec![1.5]),
        (
            DType::F16,
            half::f16::from_f32(-2.0).to_le_bytes().to_vec(),
            vec![-2.0],
        ),
        (
            DType::BF16,
            half::bf16::from_f32(0.5).to_le_bytes().to_vec(),
            vec![0.5],
        ),
        (DType::I8, vec![0xff, 0x02], vec![-1.0, 2.0]),
        (DType::I16, (-300i16).to_le_bytes().to_vec(), vec![-300.0]),
        (DType::I32, 70000i32.to_le_bytes().to_vec(), vec![70000.0]),
    ];
    for (dtype, bytes, expected) in cases {
        assert_eq!(dtype.decode(&bytes), expected, "{dtype:?}");
        assert_eq!(DType::from_id(dtype.id()), Some(dtype));
    }
    assert_eq!(DType::from_id(6), None);
}
