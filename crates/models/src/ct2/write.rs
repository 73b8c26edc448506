//! Writing a CTranslate2 `model.bin`: the mirror of the reader, used to build small synthetic
//! models for tests (real ones come from CTranslate2's own converter).

use super::DType;
use std::io::{self, Write};

/// A variable with its bytes, ready to be written.
#[derive(Clone, Debug)]
pub struct VariableData {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub bytes: Vec<u8>,
}

impl VariableData {
    pub fn f32(name: &str, shape: &[usize], values: &[f32]) -> Self {
        Self::new(
            name,
            shape,
            DType::F32,
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
    }

    pub fn f16(name: &str, shape: &[usize], values: &[f32]) -> Self {
        Self::new(
            name,
            shape,
            DType::F16,
            values
                .iter()
                .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
                .collect(),
        )
    }

    pub fn i8(name: &str, shape: &[usize], values: &[i8]) -> Self {
        Self::new(
            name,
            shape,
            DType::I8,
            values.iter().map(|&v| v as u8).collect(),
        )
    }

    /// A scalar configuration entry such as `encoder/num_heads`.
    pub fn i16_scalar(name: &str, value: i16) -> Self {
        Self::new(name, &[], DType::I16, value.to_le_bytes().to_vec())
    }

    fn new(name: &str, shape: &[usize], dtype: DType, bytes: Vec<u8>) -> Self {
        assert_eq!(
            bytes.len(),
            shape.iter().product::<usize>() * dtype.size(),
            "{name}: bytes do not match the shape"
        );
        VariableData {
            name: name.to_string(),
            shape: shape.to_vec(),
            dtype,
            bytes,
        }
    }
}

/// Writes a `model.bin` of the given binary version (1 to 6; the layout differences between
/// versions are the ones the reader handles).
pub fn write_model_bin(
    w: &mut impl Write,
    binary_version: u32,
    spec_name: &str,
    spec_revision: u32,
    variables: &[VariableData],
    aliases: &[(String, String)],
) -> io::Result<()> {
    w.write_all(&binary_version.to_le_bytes())?;
    if binary_version >= 2 {
        write_str(w, spec_name)?;
        w.write_all(&spec_revision.to_le_bytes())?;
    }
    w.write_all(&(variables.len() as u32).to_le_bytes())?;
    for var in variables {
        write_str(w, &var.name)?;
        w.write_all(&[var.shape.len() as u8])?;
        for &d in &var.shape {
            w.write_all(&(d as u32).to_le_bytes())?;
        }
        if binary_version >= 4 {
            w.write_all(&[var.dtype.id()])?;
            w.write_all(&(var.bytes.len() as u32).to_le_bytes())?;
        } else {
            w.write_all(&[var.dtype.size() as u8])?;
            w.write_all(&((var.bytes.len() / var.dtype.size()) as u32).to_le_bytes())?;
        }
        w.write_all(&var.bytes)?;
    }
    if binary_version >= 3 {
        w.write_all(&(aliases.len() as u32).to_le_bytes())?;
        for (alias, target) in aliases {
            write_str(w, alias)?;
            write_str(w, target)?;
        }
    }
    Ok(())
}

fn write_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    w.write_all(&((s.len() + 1) as u16).to_le_bytes())?;
    w.write_all(s.as_bytes())?;
    w.write_all(&[0])
}
