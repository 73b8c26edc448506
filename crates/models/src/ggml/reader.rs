//! Reading a whisper.cpp ggml model: the header, and an index of its tensors whose values are
//! read on demand. Used to validate converted files and an existing model a user points at,
//! and by the tests that compare a converted model with its source.

use super::{decode, GgmlType, Hparams, WeightType, MAGIC};
use crate::binio::{read_bytes, read_i32, read_u32};
use crate::error::{eof_is_truncation, FormatError};
use crate::mel::MelFilters;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// One tensor of the index.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    /// ggml order: fastest-varying dimension first.
    pub ne: Vec<usize>,
    pub ttype: GgmlType,
    pub offset: u64,
    pub n_bytes: u64,
}

impl TensorInfo {
    pub fn n_elements(&self) -> usize {
        self.ne.iter().product()
    }
}

/// A ggml model file's contents, tensors indexed but not loaded.
#[derive(Clone, Debug)]
pub struct GgmlModel {
    pub hparams: Hparams,
    pub mel: MelFilters,
    pub vocab: Vec<Vec<u8>>,
    pub tensors: Vec<TensorInfo>,
}

impl GgmlModel {
    /// Opens a file and indexes it; the reader is returned for [`read_tensor`].
    pub fn open(path: &Path) -> Result<(Self, BufReader<File>), FormatError> {
        let mut r = BufReader::new(File::open(path)?);
        let model = Self::read_index(&mut r)?;
        Ok((model, r))
    }

    pub fn read_index<R: Read + Seek>(r: &mut R) -> Result<Self, FormatError> {
        let file_len = r.seek(SeekFrom::End(0))?;
        r.seek(SeekFrom::Start(0))?;
        let hparams = read_header(r)?;
        let t = |e| eof_is_truncation(e, "ggml mel filters");
        let n_mels = read_count(r, "mel filter count", 1024).map_err(t)?;
        let n_bins = read_count(r, "mel bin count", 65536).map_err(t)?;
        let data = crate::binio::f32s_from_le(&read_bytes(r, n_mels * n_bins * 4).map_err(t)?);
        let mel = MelFilters {
            n_mels,
            n_bins,
            data,
        };
        let t = |e| eof_is_truncation(e, "ggml vocabulary");
        let n_vocab = read_count(r, "vocabulary size", 1 << 20).map_err(t)?;
        let mut vocab = Vec::with_capacity(n_vocab);
        for _ in 0..n_vocab {
            let len = read_u32(r).map_err(t)? as usize;
            if len > 1024 {
                return Err(FormatError::malformed(format!("a token of {len} bytes")));
            }
            vocab.push(read_bytes(r, len).map_err(t)?);
        }
        let mut tensors = Vec::new();
        while let Some(info) = read_tensor_header(r)? {
            let end = info.offset + info.n_bytes;
            if end > file_len {
                return Err(FormatError::malformed(format!(
                    "ggml file is truncated inside tensor {}",
                    info.name
                )));
            }
            r.seek(SeekFrom::Start(end))?;
            tensors.push(info);
        }
        Ok(GgmlModel {
            hparams,
            mel,
            vocab,
            tensors,
        })
    }

    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }

    pub fn weight_type(&self) -> Option<WeightType> {
        WeightType::from_ftype(self.hparams.ftype)
    }
}

/// Reads the magic and hparams only: a cheap check that a file is a whisper.cpp model.
pub fn read_header(r: &mut impl Read) -> Result<Hparams, FormatError> {
    let t = |e| eof_is_truncation(e, "ggml header");
    let magic = read_u32(r).map_err(t)?;
    if magic != MAGIC {
        return Err(FormatError::malformed(format!(
            "not a whisper.cpp ggml model (magic {magic:#010x}, expected {MAGIC:#010x})"
        )));
    }
    let mut fields = [0i32; 11];
    for f in &mut fields {
        *f = read_i32(r).map_err(t)?;
    }
    let hparams = Hparams::from_fields(fields);
    if WeightType::from_ftype(hparams.ftype).is_none() && hparams.ftype % 1000 != 0 {
        return Err(FormatError::unsupported(format!(
            "ggml ftype {} (this reader knows f32, f16 and q8_0)",
            hparams.ftype
        )));
    }
    Ok(hparams)
}

/// Reads a tensor's values as f32 (q8_0 dequantised).
pub fn read_tensor<R: Read + Seek>(r: &mut R, info: &TensorInfo) -> Result<Vec<f32>, FormatError> {
    r.seek(SeekFrom::Start(info.offset))?;
    let bytes =
        read_bytes(r, info.n_bytes as usize).map_err(|e| eof_is_truncation(e, &info.name))?;
    Ok(decode(&bytes, info.ttype))
}

/// Reads a tensor's stored bytes (to compare encodings exactly).
pub fn read_tensor_bytes<R: Read + Seek>(
    r: &mut R,
    info: &TensorInfo,
) -> Result<Vec<u8>, FormatError> {
    r.seek(SeekFrom::Start(info.offset))?;
    read_bytes(r, info.n_bytes as usize).map_err(|e| eof_is_truncation(e, &info.name))
}

fn read_count(r: &mut impl Read, what: &str, max: usize) -> std::io::Result<usize> {
    let n = read_i32(r)?;
    if n < 0 || n as usize > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("implausible {what}: {n}"),
        ));
    }
    Ok(n as usize)
}

/// The next tensor header, or `None` at a clean end of file.
fn read_tensor_header<R: Read + Seek>(r: &mut R) -> Result<Option<TensorInfo>, FormatError> {
    let mut first = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r.read(&mut first[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    match got {
        0 => return Ok(None),
        4 => {}
        _ => {
            return Err(FormatError::malformed(
                "ggml file ends inside a tensor header",
            ))
        }
    }
    let n_dims = i32::from_le_bytes(first);
    let t = |e| eof_is_truncation(e, "ggml tensor header");
    let name_len = read_i32(r).map_err(t)?;
    let ttype_id = read_i32(r).map_err(t)?;
    if !(1..=4).contains(&n_dims) || !(1..=1024).contains(&name_len) {
        return Err(FormatError::malformed(format!(
            "implausible tensor header (n_dims {n_dims}, name length {name_len})"
        )));
    }
    let mut ne = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        let n = read_i32(r).map_err(t)?;
        if n <= 0 {
            return Err(FormatError::malformed(format!("tensor dimension {n}")));
        }
        ne.push(n as usize);
    }
    let name = String::from_utf8(read_bytes(r, name_len as usize).map_err(t)?)
        .map_err(|_| FormatError::malformed("tensor name is not UTF-8"))?;
    let ttype = GgmlType::from_id(ttype_id)
        .ok_or_else(|| FormatError::unsupported(format!("tensor {name}: ggml type {ttype_id}")))?;
    let n_elements: usize = ne.iter().product();
    if ttype == GgmlType::Q8_0 && !ne[0].is_multiple_of(super::q8_0::BLOCK) {
        return Err(FormatError::malformed(format!(
            "tensor {name}: q8_0 rows of {} elements",
            ne[0]
        )));
    }
    Ok(Some(TensorInfo {
        name,
        n_bytes: ttype.n_bytes(n_elements) as u64,
        ne,
        ttype,
        offset: r.stream_position()?,
    }))
}
