"""WER as the bench scripts measure it: lower-case, punctuation stripped (apostrophes kept),
words compared by edit distance — the rule of crates/stt/src/wer.rs and the shared fixtures.
"""


def words(text):
    out = []
    for w in text.split():
        w = "".join(c for c in w if c.isalnum() or c == "'").lower()
        if w:
            out.append(w)
    return out


def wer(reference, hypothesis):
    r, h = words(reference), words(hypothesis)
    prev = list(range(len(h) + 1))
    for i, x in enumerate(r):
        cur = [i + 1] + [0] * len(h)
        for j, y in enumerate(h):
            cur[j + 1] = min(prev[j] + (x != y), prev[j + 1] + 1, cur[j] + 1)
        prev = cur
    return prev[len(h)] / max(len(r), 1)
