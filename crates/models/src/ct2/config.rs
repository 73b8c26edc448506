//! The `config.json` beside a faster-whisper `model.bin`. It carries no dimensions (those come
//! from the tensors) but names the language tokens, which the converter uses to check that the
//! model's vocabulary size means what whisper.cpp will take it to mean.

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct WhisperConfig {
    /// `[layer, head]` pairs used for word timestamps.
    #[serde(default)]
    pub alignment_heads: Vec<[u32; 2]>,
    /// The ids of the language tokens (`<|en|>`, `<|zh|>`, …).
    #[serde(default)]
    pub lang_ids: Vec<u32>,
    #[serde(default)]
    pub suppress_ids: Vec<u32>,
    #[serde(default)]
    pub suppress_ids_begin: Vec<u32>,
}

impl WhisperConfig {
    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_faster_whisper_fields_and_ignores_others() {
        let c = WhisperConfig::parse(
            r#"{"alignment_heads": [[1, 0], [2, 5]], "lang_ids": [50259, 50260],
                "suppress_ids": [1, 2], "suppress_ids_begin": [220, 50257], "other": true}"#,
        )
        .unwrap();
        assert_eq!(c.alignment_heads, vec![[1, 0], [2, 5]]);
        assert_eq!(c.lang_ids, vec![50259, 50260]);
        assert_eq!(c.suppress_ids_begin, vec![220, 50257]);
        assert_eq!(
            WhisperConfig::parse("{}").unwrap(),
            WhisperConfig::default()
        );
        assert!(WhisperConfig::parse("[1]").is_err());
    }
}
