"""Random tour names, descriptions and search terms for the search property tests (seeded, reproducible)."""

import random

WORDS = (
    "onboarding", "billing", "invoices", "dashboards", "reports", "exports", "webhooks", "team", "settings",
    "tour", "tours", "sales", "nps", "a", "ab", "abc", "x", "q4", "2024", "api", "keys", "walkthrough", "tips",
    "what's", "new", "setup", "guide", "deep", "dive", "feature", "flags", "aaa", "abab", "tourtour",
)  # fmt: skip
# Characters where lower-casing, word splitting or LIKE's ASCII-only case folding are easy to get wrong:
# `İ` lower-cases to two characters, `Σ` to `ς` or `σ` by position, `K` (Kelvin) to ASCII `k`, `ß` has no
# one-character upper case, `𝔘` (a letter) and `😀` (not one) lie outside the BMP; `_` is a word
# separator for pg_trgm though regexes call it a word character.
UNICODE = "ÄäÉéßİıKΣσςΟΔ日本ǅ½²𝔘😀"
PUNCTUATION = " -_.,:;'\"%\\#@/()!?"


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 2:
        return word + rng.choice("aeiou")
    i = rng.randrange(len(word))
    edit = rng.choice(("drop", "swap", "replace", "insert"))
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == "replace":
        return word[:i] + rng.choice("abcdeilnorstuy") + word[i + 1 :]
    return word[:i] + rng.choice("abcdeilnorstuy") + word[i:]


def text(rng: random.Random, *, words: int, unicode: bool) -> str:
    parts = []
    for _ in range(words):
        roll = rng.random()
        if unicode and roll < 0.15:
            word = "".join(rng.choice(UNICODE + "abc") for _ in range(rng.randint(1, 6)))
        elif roll < 0.3:
            word = typo(rng, rng.choice(WORDS))
        else:
            word = rng.choice(WORDS)
        if rng.random() < 0.3:
            word = word.capitalize() if rng.random() < 0.5 else word.upper()
        parts.append(word)
        parts.append(rng.choice(PUNCTUATION) if rng.random() < 0.25 else " ")
    return "".join(parts).strip()


def term(rng: random.Random, *, unicode: bool) -> str:
    roll = rng.random()
    if roll < 0.35:
        return typo(rng, rng.choice(WORDS))
    if roll < 0.55:
        return text(rng, words=rng.randint(1, 3), unicode=unicode)
    if roll < 0.7:
        word = rng.choice(WORDS)
        start = rng.randrange(len(word))
        return word[start : start + rng.randint(1, 5)]  # a fragment
    if roll < 0.8 and unicode:
        return "".join(rng.choice(UNICODE + "ab ") for _ in range(rng.randint(1, 5)))
    return " ".join(typo(rng, rng.choice(WORDS)) for _ in range(rng.randint(2, 3)))


def tours(rng: random.Random, count: int, *, unicode: bool) -> list[tuple[str, str]]:
    """(name, description) pairs, names unique (non-archived tours of a project must be)."""
    seen: set[str] = set()
    rows = []
    while len(rows) < count:
        name = text(rng, words=rng.randint(1, 4), unicode=unicode)
        if not name or name in seen:
            continue
        seen.add(name)
        description = text(rng, words=rng.randint(0, 14), unicode=unicode) if rng.random() < 0.8 else ""
        rows.append((name, description))
    return rows
