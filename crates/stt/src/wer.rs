//! Word error rate, as the fixtures' README defines it: lower-case, punctuation stripped,
//! words compared by edit distance. Pure; used by tests and `bench/transcribe`.

/// The words of `text`, normalised for comparison.
pub fn normalise(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate of `hypothesis` against `reference`: (substitutions + deletions +
/// insertions) / reference words. 0 for two empty texts, 1 per inserted word for an empty
/// reference.
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    let r = normalise(reference);
    let h = normalise(hypothesis);
    let distance = edit_distance(&r, &h);
    if r.is_empty() {
        return h.len() as f64;
    }
    distance as f64 / r.len() as f64
}

fn edit_distance(a: &[String], b: &[String]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(x != y);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("hello world", "hello world", 0.0),
            ("Hello, World!", "hello world", 0.0),
            ("hello world", "hello", 0.5),
            ("hello world", "hello there world", 0.5),
            ("a b c d", "a x c d", 0.25),
            ("a b c d", "", 1.0),
            ("", "", 0.0),
            ("", "extra", 1.0),
            ("don't stop", "dont stop", 0.5),
        ];
        for (reference, hypothesis, want) in cases {
            assert_eq!(
                wer(reference, hypothesis),
                want,
                "{reference:?} vs {hypothesis:?}"
            );
        }
    }
}
