//! Whisper's vocabulary as whisper.cpp wants it: the ordinary (byte-level BPE) tokens as raw
//! bytes, in id order, without the special tokens.
//!
//! `tokenizer.json` and `vocabulary.txt` spell each token in GPT-2's byte-to-unicode alphabet
//! (every byte mapped to a printable character, e.g. a space to `Ġ`); whisper.cpp stores the
//! bytes themselves. The special tokens (`<|endoftext|>` and everything after it) are not
//! written: whisper.cpp numbers them itself from the model's vocabulary size, which is why the
//! converter checks that `<|endoftext|>` sits where whisper.cpp will look for it.

use crate::error::FormatError;
use std::collections::HashMap;

/// The ordinary tokens of a Whisper vocabulary, indexed by id; the first special token
/// (`<|endoftext|>`) has id `tokens.len()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vocabulary {
    pub tokens: Vec<Vec<u8>>,
}

const END_OF_TEXT: &str = "<|endoftext|>";

impl Vocabulary {
    /// The id of `<|endoftext|>`: 50256 for English-only models, 50257 for multilingual ones.
    pub fn end_of_text(&self) -> usize {
        self.tokens.len()
    }

    /// From a Hugging Face `tokenizer.json` (`model.vocab` maps token → id; the special
    /// tokens may be there or only under `added_tokens`).
    pub fn from_tokenizer_json(json: &str) -> Result<Self, FormatError> {
        #[derive(serde::Deserialize)]
        struct Tokenizer {
            model: Model,
            #[serde(default)]
            added_tokens: Vec<Added>,
        }
        #[derive(serde::Deserialize)]
        struct Model {
            vocab: HashMap<String, usize>,
        }
        #[derive(serde::Deserialize)]
        struct Added {
            id: usize,
            content: String,
        }
        let t: Tokenizer = serde_json::from_str(json)
            .map_err(|e| FormatError::malformed(format!("tokenizer.json: {e}")))?;
        let eot = t
            .added_tokens
            .iter()
            .find(|a| a.content == END_OF_TEXT)
            .map(|a| a.id)
            .or_else(|| t.model.vocab.get(END_OF_TEXT).copied())
            .ok_or_else(|| FormatError::malformed("tokenizer.json: no <|endoftext|> token"))?;
        let mut by_id: Vec<Option<&str>> = vec![None; eot];
        for (token, &id) in &t.model.vocab {
            if id < eot {
                if by_id[id].is_some() {
                    return Err(FormatError::malformed(format!(
                        "tokenizer.json: id {id} is used twice"
                    )));
                }
                by_id[id] = Some(token);
            }
        }
        let tokens = by_id
            .into_iter()
            .enumerate()
            .map(|(id, token)| {
                let token = token.ok_or_else(|| {
                    FormatError::malformed(format!("tokenizer.json: no token with id {id}"))
                })?;
                decode_token(token)
            })
            .collect::<Result<_, _>>()?;
        Ok(Vocabulary { tokens })
    }

    /// From CTranslate2's `vocabulary.txt`: one token per line, the line number is the id.
    pub fn from_vocabulary_txt(text: &str) -> Result<Self, FormatError> {
        let lines: Vec<&str> = text.split('\n').collect();
        let eot = lines
            .iter()
            .position(|&l| l == END_OF_TEXT)
            .ok_or_else(|| FormatError::malformed("vocabulary.txt: no <|endoftext|> token"))?;
        let tokens = lines[..eot]
            .iter()
            .map(|l| decode_token(l))
            .collect::<Result<_, _>>()?;
        Ok(Vocabulary { tokens })
    }
}

/// Decodes one token from GPT-2's byte-to-unicode alphabet to its bytes.
pub fn decode_token(token: &str) -> Result<Vec<u8>, FormatError> {
    token
        .chars()
        .map(|c| {
            unicode_to_byte(c).ok_or_else(|| {
                FormatError::malformed(format!(
                    "token {token:?}: character {c:?} is outside the byte-level alphabet"
                ))
            })
        })
        .collect()
}

/// GPT-2's mapping, inverted. Printable Latin-1 bytes (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) stand for
/// themselves; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen) were moved, in
/// byte order, to U+0100.. so that no token contains whitespace or control characters.
pub fn unicode_to_byte(c: char) -> Option<u8> {
    let cp = c as u32;
    if is_printable_latin1(cp) {
        return Some(cp as u8);
    }
    // The moved bytes, in order: 0x00..=0x20 (33), 0x7F..=0xA0 (34), 0xAD (1).
    match cp.checked_sub(256)? {
        n @ 0..=32 => Some(n as u8),
        n @ 33..=66 => Some((0x7f + n - 33) as u8),
        67 => Some(0xad),
        _ => None,
    }
}

/// The forward mapping, byte to character.
pub fn byte_to_unicode(b: u8) -> char {
    let b = b as u32;
    let cp = match b {
        _ if is_printable_latin1(b) => b,
        0x00..=0x20 => 256 + b,
        0x7f..=0xa0 => 256 + 33 + (b - 0x7f),
        _ => 256 + 67, // 0xAD, the soft hyphen
    };
    char::from_u32(cp).expect("Latin-1 and U+0100..U+0143 are valid")
}

fn is_printable_latin1(cp: u32) -> bool {
    (0x21..=0x7e).contains(&cp) || (0xa1..=0xac).contains(&cp) || (0xae..=0xff).contains(&cp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_alphabet_maps_as_gpt2_does() {
        let cases = [
            (b' ', 'Ġ'),
            (b'\n', 'Ċ'),
            (b'\t', 'ĉ'),
            (0u8, 'Ā'),
            (b'a', 'a'),
            (b'!', '!'),
            (0x7f, 'ġ'),
            (0xa0, 'ł'),
            (0xad, 'Ń'),
            (0xe5, 'å'),
        ];
        for (byte, ch) in cases {
            assert_eq!(byte_to_unicode(byte), ch, "byte {byte:#x}");
            assert_eq!(unicode_to_byte(ch), Some(byte), "char {ch:?}");
        }
        for b in 0..=255u8 {
            assert_eq!(unicode_to_byte(byte_to_unicode(b)), Some(b));
        }
        assert_eq!(unicode_to_byte('€'), None);
        assert_eq!(unicode_to_byte(' '), None);
    }

    #[test]
    fn decodes_tokens_to_raw_bytes() {
        assert_eq!(decode_token("Ġthe").unwrap(), b" the");
        // "场" is 0xE5 0x9C 0xBA in UTF-8; GPT-2 spells those bytes "åľº".
        assert_eq!(decode_token("åľº").unwrap(), "场".as_bytes());
        assert_eq!(decode_token("").unwrap(), b"");
        assert!(decode_token("x y").is_err());
    }

    #[test]
    fn tokenizer_json_gives_ordinary_tokens_up_to_end_of_text() {
        // A multilingual-style vocabulary: an empty token just before <|endoftext|>.
        let json = r#"{"added_tokens": [{"id": 4, "content": "<|endoftext|>"},
                                        {"id": 5, "content": "<|startoftranscript|>"}],
                       "model": {"vocab": {"Ġhi": 1, "a": 0, "åľº": 2, "": 3, "<|endoftext|>": 4}}}"#;
        let v = Vocabulary::from_tokenizer_json(json).unwrap();
        assert_eq!(
            v.tokens,
            vec![
                b"a".to_vec(),
                b" hi".to_vec(),
                "场".as_bytes().to_vec(),
                vec![]
            ]
        );
        assert_eq!(v.end_of_text(), 4);

        let gap = r#"{"added_tokens": [{"id": 3, "content": "<|endoftext|>"}],
                      "model": {"vocab": {"a": 0, "b": 2}}}"#;
        assert!(Vocabulary::from_tokenizer_json(gap)
            .unwrap_err()
            .to_string()
            .contains("no token with id 1"));
        let no_eot = r#"{"model": {"vocab": {"a": 0}}}"#;
        assert!(Vocabulary::from_tokenizer_json(no_eot).is_err());
    }

    #[test]
    fn vocabulary_txt_agrees_with_tokenizer_json() {
        let txt = "a\nĠhi\nåľº\n\n<|endoftext|>\n<|startoftranscript|>\n";
        let json = r#"{"added_tokens": [{"id": 4, "content": "<|endoftext|>"}],
                       "model": {"vocab": {"a": 0, "Ġhi": 1, "åľº": 2, "": 3}}}"#;
        assert_eq!(
            Vocabulary::from_vocabulary_txt(txt).unwrap(),
            Vocabulary::from_tokenizer_json(json).unwrap()
        );
        assert!(Vocabulary::from_vocabulary_txt("a\nb\n").is_err());
    }
}
