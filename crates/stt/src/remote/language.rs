//! Language names as providers report them, to the lower-case codes scorejar stores.
//!
//! OpenAI's `verbose_json` says `"english"`; other servers say `"en"`. The table is Whisper's
//! own list of languages (the only ones these models detect) with its accepted aliases.

/// `(code, name)` for every language Whisper knows.
const LANGUAGES: &[(&str, &str)] = &[
    ("af", "afrikaans"),
    ("am", "amharic"),
    ("ar", "arabic"),
    ("as", "assamese"),
    ("az", "azerbaijani"),
    ("ba", "bashkir"),
    ("be", "belarusian"),
    ("bg", "bulgarian"),
    ("bn", "bengali"),
    ("bo", "tibetan"),
    ("br", "breton"),
    ("bs", "bosnian"),
    ("ca", "catalan"),
    ("cs", "czech"),
    ("cy", "welsh"),
    ("da", "danish"),
    ("de", "german"),
    ("el", "greek"),
    ("en", "english"),
    ("es", "spanish"),
    ("et", "estonian"),
    ("eu", "basque"),
    ("fa", "persian"),
    ("fi", "finnish"),
    ("fo", "faroese"),
    ("fr", "french"),
    ("gl", "galician"),
    ("gu", "gujarati"),
    ("ha", "hausa"),
    ("haw", "hawaiian"),
    ("he", "hebrew"),
    ("hi", "hindi"),
    ("hr", "croatian"),
    ("ht", "haitian creole"),
    ("hu", "hungarian"),
    ("hy", "armenian"),
    ("id", "indonesian"),
    ("is", "icelandic"),
    ("it", "italian"),
    ("ja", "japanese"),
    ("jw", "javanese"),
    ("ka", "georgian"),
    ("kk", "kazakh"),
    ("km", "khmer"),
    ("kn", "kannada"),
    ("ko", "korean"),
    ("la", "latin"),
    ("lb", "luxembourgish"),
    ("ln", "lingala"),
    ("lo", "lao"),
    ("lt", "lithuanian"),
    ("lv", "latvian"),
    ("mg", "malagasy"),
    ("mi", "maori"),
    ("mk", "macedonian"),
    ("ml", "malayalam"),
    ("mn", "mongolian"),
    ("mr", "marathi"),
    ("ms", "malay"),
    ("mt", "maltese"),
    ("my", "myanmar"),
    ("ne", "nepali"),
    ("nl", "dutch"),
    ("nn", "nynorsk"),
    ("no", "norwegian"),
    ("oc", "occitan"),
    ("pa", "punjabi"),
    ("pl", "polish"),
    ("ps", "pashto"),
    ("pt", "portuguese"),
    ("ro", "romanian"),
    ("ru", "russian"),
    ("sa", "sanskrit"),
    ("sd", "sindhi"),
    ("si", "sinhala"),
    ("sk", "slovak"),
    ("sl", "slovenian"),
    ("sn", "shona"),
    ("so", "somali"),
    ("sq", "albanian"),
    ("sr", "serbian"),
    ("su", "sundanese"),
    ("sv", "swedish"),
    ("sw", "swahili"),
    ("ta", "tamil"),
    ("te", "telugu"),
    ("tg", "tajik"),
    ("th", "thai"),
    ("tk", "turkmen"),
    ("tl", "tagalog"),
    ("tr", "turkish"),
    ("tt", "tatar"),
    ("uk", "ukrainian"),
    ("ur", "urdu"),
    ("uz", "uzbek"),
    ("vi", "vietnamese"),
    ("yi", "yiddish"),
    ("yo", "yoruba"),
    ("yue", "cantonese"),
    ("zh", "chinese"),
];

/// Other names Whisper accepts for the same languages.
const ALIASES: &[(&str, &str)] = &[
    ("burmese", "my"),
    ("castilian", "es"),
    ("flemish", "nl"),
    ("haitian", "ht"),
    ("letzeburgesch", "lb"),
    ("mandarin", "zh"),
    ("moldavian", "ro"),
    ("moldovan", "ro"),
    ("panjabi", "pa"),
    ("pushto", "ps"),
    ("sinhalese", "si"),
    ("valencian", "ca"),
];

/// The code for a provider's language name or code (`"English"` → `en`, `"es"` → `es`,
/// `"en-US"` → `en`). A name outside Whisper's list is kept, lower-cased, rather than lost;
/// an empty one is `None`.
pub fn normalise_language(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    if lower.is_empty() {
        return None;
    }
    let code = LANGUAGES
        .iter()
        .find(|(code, name)| *code == lower || *name == lower)
        .map(|(code, _)| *code)
        .or_else(|| {
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == lower)
                .map(|(_, code)| *code)
        })
        .or_else(|| {
            // A regional tag (`en-US`, `pt_BR`) names its base language.
            let base = lower.split(['-', '_']).next()?;
            LANGUAGES
                .iter()
                .find(|(code, _)| *code == base)
                .map(|(code, _)| *code)
        });
    Some(code.map_or(lower, str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_table() {
        let cases = [
            ("english", Some("en")),
            ("English", Some("en")),
            ("spanish", Some("es")),
            (" castilian ", Some("es")),
            ("en", Some("en")),
            ("ES", Some("es")),
            ("en-US", Some("en")),
            ("pt_BR", Some("pt")),
            ("cantonese", Some("yue")),
            ("haitian creole", Some("ht")),
            ("mandarin", Some("zh")),
            ("klingon", Some("klingon")),
            ("", None),
            ("   ", None),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_language(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn codes_and_names_are_unique() {
        for (i, (code, name)) in LANGUAGES.iter().enumerate() {
            for (other_code, other_name) in &LANGUAGES[i + 1..] {
                assert_ne!(code, other_code);
                assert_ne!(name, other_name);
            }
            assert!(ALIASES.iter().all(|(alias, _)| alias != name));
        }
    }
}
