"""tours.services.trigram returns exactly what the plain port of pg_trgm (tests/tours/trigram_reference.py) does."""

import random
import sys

from tests.tours import trigram_reference
from tests.tours.search_data import UNICODE, WORDS, term, text, typo
from tours.services import trigram


def _pairs(seed: int, count: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.4:
            a, b = term(rng, unicode=True), text(rng, words=rng.randint(0, 16), unicode=True)
        elif roll < 0.7:
            # Few characters, many repeats: extents that shrink, grow and meet the same trigram again.
            alphabet = rng.choice(("ab ", "abc -", "aab b", "xyzxy z", "İıiI ", "Σσς ΟΣ"))
            a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
            b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        else:
            word = rng.choice(WORDS)
            a = typo(rng, word)
            b = " ".join(rng.choice((word, typo(rng, word), rng.choice(WORDS))) for _ in range(rng.randint(1, 12)))
        pairs.append((a, b))
    return pairs


def test_words_are_runs_of_alphanumerics_in_all_of_unicode():
    """The fast split is a regular expression; the reference asks `str.isalnum()` character by character."""
    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for start in range(0, len(chars), 4096):
        chunk = chars[start : start + 4096]
        assert trigram.trigrams_sequence(chunk) == trigram_reference.trigrams_sequence(chunk)
    assert trigram.words_lowered("x_y  Z-1") == ["x", "y", "z", "1"]


def test_lower_casing_is_per_word_as_in_the_reference():
    for value in ["İstanbul", "ΟΔΟΣ'Α", "ΟΔΟΣ Α", "straße STRASSE", "Kelvin K", "ǅemal", UNICODE]:
        assert trigram.trigrams_sequence(value) == trigram_reference.trigrams_sequence(value), value


def test_similarities_equal_the_reference_on_random_text():
    for a, b in _pairs(seed=11, count=8_000):
        needle = frozenset(trigram.trigrams_sequence(a))
        haystack = trigram.trigrams_sequence(b)
        assert trigram.word_similarity(needle, haystack) == trigram_reference.word_similarity(a, b), (a, b)
        assert trigram.similarity(frozenset(haystack), needle) == trigram_reference.similarity(b, a), (a, b)


def test_long_repetitive_text():
    rng = random.Random(5)
    for _ in range(300):
        a = "".join(rng.choice("ab ") for _ in range(rng.randint(1, 12)))
        b = "".join(rng.choice("ab ") for _ in range(rng.randint(100, 400)))
        needle = frozenset(trigram.trigrams_sequence(a))
        assert trigram.word_similarity(needle, trigram.trigrams_sequence(b)) == trigram_reference.word_similarity(a, b)


def test_edge_values():
    assert trigram.word_similarity(frozenset(), ["  a"]) == 0.0
    assert trigram.word_similarity(frozenset({"  a"}), []) == 0.0
    assert trigram.word_similarity(frozenset({"  a"}), ["  b"]) == 0.0
    assert trigram.similarity(frozenset(), frozenset({"  a"})) == 0.0
    assert trigram.ratio(1, 3, 1) == trigram_reference._ratio(1, 3, 1)
