//! The string rules serde_json applies to a string it builds but not to one it skips.
//!
//! `IgnoredAny` (how [`super::parse`] skips unknown fields) checks a skipped string's quotes,
//! control characters and escapes, but not that its bytes are UTF-8 nor that a `\u` escape is a
//! whole code point: `{"junk":"\xff"}` and `{"junk":"\ud800"}` would pass, while
//! `serde_json::from_slice::<Value>` refuses both. These two checks run over the whole document,
//! so a skipped part is held to the same rules as a kept one, still without building it.

/// Why a document is not valid JSON text, with where (1-based line, 0-based byte column, as
/// serde_json counts them).
pub(super) struct Refusal {
    pub reason: &'static str,
    pub line: usize,
    pub column: usize,
}

impl Refusal {
    fn at(bytes: &[u8], index: usize, reason: &'static str) -> Self {
        let before = &bytes[..index];
        let start_of_line = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        Refusal {
            reason,
            line: 1 + before[..start_of_line]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
            column: index - start_of_line,
        }
    }
}

/// JSON text is UTF-8 (RFC 8259 §8.1); outside strings only ASCII is valid anyway.
pub(super) fn utf8(bytes: &[u8]) -> Result<&str, Refusal> {
    std::str::from_utf8(bytes)
        .map_err(|e| Refusal::at(bytes, e.valid_up_to(), "invalid UTF-8 in a string"))
}

/// Every `\u` escape of a surrogate is one half of a pair (high then low), as serde_json
/// requires of a string it builds. Run on a document serde_json has accepted: there every
/// backslash is inside a string and starts a valid escape, so the escapes can be read without
/// tracking quotes.
pub(super) fn surrogates(bytes: &[u8]) -> Result<(), Refusal> {
    let lone = |i| Err(Refusal::at(bytes, i, "lone surrogate in hex escape"));
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'\\') {
        let at = i + offset;
        if bytes.get(at + 1) != Some(&b'u') {
            // `\\`, `\"`, `\n`, ...: two bytes, and the escaped one is not a backslash's start.
            i = at + 2;
            continue;
        }
        let Some(unit) = hex4(bytes, at + 2) else {
            return lone(at); // unreachable after serde_json accepted the escape
        };
        i = at + 6;
        match unit {
            0xDC00..=0xDFFF => return lone(at),
            0xD800..=0xDBFF => {
                let low = (bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) == Some(&b'u'))
                    .then(|| hex4(bytes, i + 2))
                    .flatten();
                match low {
                    Some(0xDC00..=0xDFFF) => i += 6,
                    _ => return lone(at),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}
