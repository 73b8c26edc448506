//! whisper.cpp's legacy single-file model format (`ggml-*.bin`, what `whisper_init_from_file`
//! loads), written and read.
//!
//! Layout (little-endian, all integers `i32` unless said):
//! 1. magic `0x67676d6c` ("ggml");
//! 2. hparams: `n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx,
//!    n_text_state, n_text_head, n_text_layer, n_mels, ftype`;
//! 3. mel filters: `n_mel`, `n_bins`, then `n_mel * n_bins` f32;
//! 4. vocabulary: a count, then per token `u32 len` + bytes (ordinary tokens only);
//! 5. tensors until end of file: `n_dims, name_len, ttype`, `ne[n_dims]` (ggml order: the
//!    fastest-varying dimension first, i.e. a PyTorch shape reversed), the name, the data.
//!
//! whisper.cpp decides each tensor's type itself (`ftype` picks the type of the big matrices)
//! and only checks the byte count, so the writer must store each tensor in exactly the type the
//! loader allocates: see [`TensorClass`]. One exception is ours: the whisper.cpp that scorejar
//! builds (`vendor/whisper-rs-sys`) also reads [`FTYPE_TOKEN_EMBD_Q8_0`], which gives the token
//! embedding its own type ([`WeightType::F16Q8Head`]).

pub mod q8_0;
pub mod reader;

use crate::mel::MelFilters;
use std::io::{self, Write};

pub const MAGIC: u32 = 0x6767_6d6c;
/// ggml multiplies the quantisation format version into `ftype` (`ftype % 1000` is the type).
pub const QNT_VERSION: i32 = 2;
pub const QNT_VERSION_FACTOR: i32 = 1000;
/// A flag in `ftype`, read by scorejar's patched whisper.cpp (vendor/README.md): the token
/// embedding is q8_0 while the other matrices keep the type the rest of `ftype` names. Stock
/// whisper.cpp refuses such a file as a bad `ftype` instead of misreading it.
pub const FTYPE_TOKEN_EMBD_Q8_0: i32 = 0x10000;

/// ggml tensor types, numbered as in `ggml.h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GgmlType {
    F32,
    F16,
    Q8_0,
}

impl GgmlType {
    pub fn id(self) -> i32 {
        match self {
            GgmlType::F32 => 0,
            GgmlType::F16 => 1,
            GgmlType::Q8_0 => 8,
        }
    }

    pub fn from_id(id: i32) -> Option<Self> {
        match id {
            0 => Some(GgmlType::F32),
            1 => Some(GgmlType::F16),
            8 => Some(GgmlType::Q8_0),
            _ => None,
        }
    }

    /// Bytes for `n` elements (a q8_0 block packs 32 elements in 34 bytes).
    pub fn n_bytes(self, n: usize) -> usize {
        match self {
            GgmlType::F32 => 4 * n,
            GgmlType::F16 => 2 * n,
            GgmlType::Q8_0 => n / q8_0::BLOCK * q8_0::BLOCK_BYTES,
        }
    }
}

/// The type of the model's large matrices, and so the file's `ftype`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WeightType {
    #[default]
    F16,
    Q8_0,
    /// f16, except the token embedding — also the decoder's output projection, the largest
    /// product of every decoding step — in q8_0: nearly q8_0's decoding speed at f16's
    /// accuracy (docs/transcription.md). Loads only in scorejar's whisper.cpp.
    F16Q8Head,
}

impl WeightType {
    /// The type of the matrices other than the token embedding.
    pub fn ggml_type(self) -> GgmlType {
        match self {
            WeightType::F16 | WeightType::F16Q8Head => GgmlType::F16,
            WeightType::Q8_0 => GgmlType::Q8_0,
        }
    }

    /// The type of the token embedding.
    pub fn token_embedding_type(self) -> GgmlType {
        match self {
            WeightType::F16 => GgmlType::F16,
            WeightType::Q8_0 | WeightType::F16Q8Head => GgmlType::Q8_0,
        }
    }

    /// The hparams `ftype`: ggml's file type (1 mostly-f16, 7 mostly-q8_0), quantised types
    /// carrying the quantisation version (`2 * 1000 + 7`), as whisper.cpp's quantize tool
    /// writes; with [`FTYPE_TOKEN_EMBD_Q8_0`] for [`WeightType::F16Q8Head`].
    pub fn ftype(self) -> i32 {
        match self {
            WeightType::F16 => 1,
            WeightType::Q8_0 => QNT_VERSION * QNT_VERSION_FACTOR + 7,
            WeightType::F16Q8Head => FTYPE_TOKEN_EMBD_Q8_0 | 1,
        }
    }

    pub fn from_ftype(ftype: i32) -> Option<Self> {
        let head = ftype & FTYPE_TOKEN_EMBD_Q8_0 != 0;
        match ((ftype & !FTYPE_TOKEN_EMBD_Q8_0) % QNT_VERSION_FACTOR, head) {
            (1, false) => Some(WeightType::F16),
            (7, false) => Some(WeightType::Q8_0),
            (1, true) => Some(WeightType::F16Q8Head),
            _ => None,
        }
    }
}

/// What whisper.cpp allocates for a tensor, which decides how it is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorClass {
    /// Biases, layer norms, positional embeddings, conv biases: always f32.
    Small,
    /// Convolution kernels: f16 (whisper.cpp never quantises them).
    Conv,
    /// The 2-D matrices of attention and MLP: the model's weight type.
    Matrix,
    /// The token embedding, also the decoder's output projection: the model's weight type,
    /// or q8_0 in [`WeightType::F16Q8Head`].
    TokenEmbedding,
}

impl TensorClass {
    pub fn ggml_type(self, weights: WeightType) -> GgmlType {
        match self {
            TensorClass::Small => GgmlType::F32,
            TensorClass::Conv => GgmlType::F16,
            TensorClass::Matrix => weights.ggml_type(),
            TensorClass::TokenEmbedding => weights.token_embedding_type(),
        }
    }
}

/// The model dimensions in the file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    pub ftype: i32,
}

impl Hparams {
    /// whisper.cpp's rule: a vocabulary of 51865 or more is multilingual. It places
    /// `<|endoftext|>` at 50256, one later for multilingual models.
    pub fn is_multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }

    pub fn end_of_text(&self) -> usize {
        50256 + usize::from(self.is_multilingual())
    }

    /// How many language tokens whisper.cpp will assume (99 for base and small, 100 for
    /// large-v3; English-only models get a count too, unused).
    pub fn num_languages(&self) -> i32 {
        self.n_vocab - 51765 - i32::from(self.is_multilingual())
    }

    fn fields(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_fields(f: [i32; 11]) -> Self {
        Hparams {
            n_vocab: f[0],
            n_audio_ctx: f[1],
            n_audio_state: f[2],
            n_audio_head: f[3],
            n_audio_layer: f[4],
            n_text_ctx: f[5],
            n_text_state: f[6],
            n_text_head: f[7],
            n_text_layer: f[8],
            n_mels: f[9],
            ftype: f[10],
        }
    }
}

/// Writes everything before the tensors: magic, hparams, mel filters, vocabulary.
pub fn write_header(
    w: &mut impl Write,
    hparams: &Hparams,
    mel: &MelFilters,
    vocab: &[Vec<u8>],
) -> io::Result<()> {
    w.write_all(&MAGIC.to_le_bytes())?;
    for field in hparams.fields() {
        w.write_all(&field.to_le_bytes())?;
    }
    w.write_all(&(mel.n_mels as i32).to_le_bytes())?;
    w.write_all(&(mel.n_bins as i32).to_le_bytes())?;
    for v in &mel.data {
        w.write_all(&v.to_le_bytes())?;
    }
    w.write_all(&(vocab.len() as i32).to_le_bytes())?;
    for token in vocab {
        w.write_all(&(token.len() as u32).to_le_bytes())?;
        w.write_all(token)?;
    }
    Ok(())
}

/// Writes a tensor's header; its data follows (`ttype.n_bytes(ne.product())` bytes).
/// `ne` is in ggml order (fastest-varying dimension first).
pub fn write_tensor_header(
    w: &mut impl Write,
    name: &str,
    ne: &[usize],
    ttype: GgmlType,
) -> io::Result<()> {
    w.write_all(&(ne.len() as i32).to_le_bytes())?;
    w.write_all(&(name.len() as i32).to_le_bytes())?;
    w.write_all(&ttype.id().to_le_bytes())?;
    for &n in ne {
        w.write_all(&(n as i32).to_le_bytes())?;
    }
    w.write_all(name.as_bytes())
}

/// Encodes f32 values as `ttype` (for q8_0, `values.len()` must be a multiple of 32 and the
/// blocks run along rows, so rows must be too).
pub fn encode(values: &[f32], ttype: GgmlType, out: &mut Vec<u8>) {
    match ttype {
        GgmlType::F32 => out.extend(values.iter().flat_map(|v| v.to_le_bytes())),
        GgmlType::F16 => out.extend(
            values
                .iter()
                .flat_map(|&v| half::f16::from_f32(v).to_le_bytes()),
        ),
        GgmlType::Q8_0 => q8_0::quantize(values, out),
    }
}

/// Decodes `ttype` bytes to f32.
pub fn decode(bytes: &[u8], ttype: GgmlType) -> Vec<f32> {
    match ttype {
        GgmlType::F32 => crate::binio::f32s_from_le(bytes),
        GgmlType::F16 => crate::binio::f16s_from_le(bytes),
        GgmlType::Q8_0 => q8_0::dequantize(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftype_carries_the_quantisation_version() {
        assert_eq!(WeightType::F16.ftype(), 1);
        assert_eq!(WeightType::Q8_0.ftype(), 2007);
        assert_eq!(WeightType::F16Q8Head.ftype(), 65537);
        for w in WeightType::ALL {
            assert_eq!(WeightType::from_ftype(w.ftype()), Some(w));
        }
        assert_eq!(WeightType::from_ftype(1007), Some(WeightType::Q8_0));
        assert_eq!(WeightType::from_ftype(2), None);
        // The flag only goes with f16 (the vendored loader would read it with any type, but
        // the converter never writes that, so the reader refuses it).
        assert_eq!(WeightType::from_ftype(FTYPE_TOKEN_EMBD_Q8_0 | 2007), None);
        // Stock whisper.cpp reads the flagged ftype as ftype 537 (65537 % 1000), which names
        // no type: it refuses the file instead of loading f16 bytes as q8_0.
        assert_eq!(WeightType::F16Q8Head.ftype() % QNT_VERSION_FACTOR, 537);
    }

    #[test]
    fn tensor_classes_get_the_types_whisper_cpp_allocates() {
        let cases = [
            (TensorClass::Small, WeightType::F16, GgmlType::F32),
            (TensorClass::Small, WeightType::Q8_0, GgmlType::F32),
            (TensorClass::Conv, WeightType::F16, GgmlType::F16),
            (TensorClass::Conv, WeightType::Q8_0, GgmlType::F16),
            (TensorClass::Matrix, WeightType::F16, GgmlType::F16),
            (TensorClass::Matrix, WeightType::Q8_0, GgmlType::Q8_0),
            (TensorClass::Matrix, WeightType::F16Q8Head, GgmlType::F16),
            (TensorClass::TokenEmbedding, WeightType::F16, GgmlType::F16),
            (
                TensorClass::TokenEmbedding,
                WeightType::Q8_0,
                GgmlType::Q8_0,
            ),
            (
                TensorClass::TokenEmbedding,
                WeightType::F16Q8Head,
                GgmlType::Q8_0,
            ),
            (TensorClass::Conv, WeightType::F16Q8Head, GgmlType::F16),
            (TensorClass::Small, WeightType::F16Q8Head, GgmlType::F32),
        ];
        for (class, weights, expected) in cases {
            assert_eq!(class.ggml_type(weights), expected, "{class:?} {weights:?}");
        }
    }

    #[test]
    fn vocabulary_size_decides_multilingual_and_special_tokens() {
        let mut h = Hparams::from_fields([0; 11]);
        for (n_vocab, multilingual, eot, langs) in [
            (51864, false, 50256, 99),
            (51865, true, 50257, 99),
            (51866, true, 50257, 100),
        ] {
            h.n_vocab = n_vocab;
            assert_eq!(h.is_multilingual(), multilingual, "{n_vocab}");
            assert_eq!(h.end_of_text(), eot, "{n_vocab}");
            assert_eq!(h.num_languages(), langs, "{n_vocab}");
        }
    }

    #[test]
    fn encodes_and_decodes_each_type() {
        let values: Vec<f32> = (0..64).map(|i| (i as f32 - 30.0) / 8.0).collect();
        for ttype in [GgmlType::F32, GgmlType::F16, GgmlType::Q8_0] {
            let mut bytes = Vec::new();
            encode(&values, ttype, &mut bytes);
            assert_eq!(bytes.len(), ttype.n_bytes(values.len()), "{ttype:?}");
            let back = decode(&bytes, ttype);
            let tolerance = if ttype == GgmlType::Q8_0 { 0.02 } else { 0.0 };
            for (a, b) in values.iter().zip(&back) {
                assert!((a - b).abs() <= tolerance, "{ttype:?}: {a} vs {b}");
            }
            assert_eq!(GgmlType::from_id(ttype.id()), Some(ttype));
        }
    }
}
