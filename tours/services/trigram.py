"""pg_trgm's `similarity()` and `word_similarity()` in Python, for search on SQLite.

PostgreSQL answers tour search with the `pg_trgm` extension. On SQLite the two functions are registered
on every connection (`tours/apps.py`, `sql_similarity`, `sql_word_similarity`), and search scores each
candidate row with the three values the documented ranking needs from one trigram split per column
(`tours.services.search_sqlite`). pg_trgm's model: a string is split into words (runs of alphanumeric
characters), each word is lower-cased and padded with two spaces in front and one behind, and every
three consecutive characters of a padded word form a trigram. Results are rounded to single precision,
as pg_trgm computes them in `float4`, so thresholds and ties compare identically on both databases.

The results equal those of a plain port of pg_trgm kept with the tests (tests/tours/trigram_reference.py;
tests/tours/test_trigram_parity.py compares them on random text, test_trigram.py with PostgreSQL's):

- words are found with a regular expression (`[^\\W_]` is `str.isalnum()`, checked over all of
  Unicode), and ASCII text is lower-cased whole (per word otherwise: `İ` lower-cases to two
  characters and `Σ` depends on its neighbours);
- the greedy extent search is pg_trgm's, but candidate extents are compared as exact fractions
  first and rounded to single precision only when one may be better, which is where the reference
  spends most of its time.
"""

import re
import struct

_WORD = re.compile(r"[^\W_]+")
_FLOAT4 = struct.Struct("f")


def _float4(value: float) -> float:
    return _FLOAT4.unpack(_FLOAT4.pack(value))[0]


def ratio(common: int, length1: int, length2: int) -> float:
    """pg_trgm's CALCSML in single precision, computed as the reference computes it."""
    return _float4(common / (length1 + length2 - common))


def words_lowered(text: str) -> list[str]:
    """pg_trgm's words of `text` (runs of alphanumerics), each lower-cased."""
    if text.isascii():
        return _WORD.findall(text.lower())
    return [word.lower() for word in _WORD.findall(text)]


def trigrams_sequence(text: str) -> list[str]:
    """pg_trgm's trigrams of `text`, word by word, repeats kept (as `trigram.trigrams_sequence`)."""
    padded = [f"  {word} " for word in words_lowered(text)]
    return [word[i : i + 3] for word in padded for i in range(len(word) - 2)]


def word_similarity(needle: set[str] | frozenset[str], haystack: list[str]) -> float:
    """`trigram.word_similarity(a, b)` given `a`'s trigram set and `b`'s trigram sequence.

    The same greedy search, step for step. A trial extent replaces the current one only when its
    single-precision similarity is strictly greater; rounding is monotonic, so a trial whose exact
    fraction is not greater cannot be, and only the others are rounded and compared. No extent can
    score above `shared / len(needle)` (`shared`: needle trigrams anywhere in the haystack), so the
    search stops once the best extent reaches that ceiling.
    """
    unique_needle = len(needle)
    if not unique_needle or not haystack:
        return 0.0
    shared = len(needle.intersection(haystack))
    if not shared:
        return 0.0
    ceiling = ratio(shared, unique_needle, shared)
    last_position: dict[str, int] = {}
    unique_extent = common = 0
    lower = -1
    best = 0.0
    for upper, trigram in enumerate(haystack):
        found = trigram in needle
        if lower >= 0 or found:
            if last_position.get(trigram, -1) < 0:
                unique_extent += 1
                if found:
                    common += 1
            last_position[trigram] = upper
        if not found:
            continue
        if lower == -1:
            lower = upper
            unique_extent = 1

        # The current extent as a fraction: common / (unique_needle + unique_extent - common). The reference
        # tries each start from `lower` to `upper`; a start's extent differs from the previous one's only
        # after a trigram's last occurrence is dropped, so only those starts are compared.
        current_numerator, current_denominator = common, unique_needle + unique_extent - common
        current: float | None = None  # its rounded value, computed when first needed
        trial_common, trial_unique, previous_lower = common, unique_extent, lower
        for dropped_position in range(lower, upper):
            dropped = haystack[dropped_position]
            if last_position.get(dropped) != dropped_position:
                continue
            trial_unique -= 1
            if dropped in needle:
                trial_common -= 1
            trial_denominator = unique_needle + trial_unique - trial_common
            if trial_common * current_denominator > current_numerator * trial_denominator:
                if current is None:
                    current = _float4(current_numerator / current_denominator)
                trial = _float4(trial_common / trial_denominator)
                if trial > current:
                    current, unique_extent, lower, common = trial, trial_unique, dropped_position + 1, trial_common
                    current_numerator, current_denominator = trial_common, trial_denominator
        if current is None:
            current = _float4(current_numerator / current_denominator)
        if current > best:
            best = current
            if best >= ceiling:
                return best
        # Trigrams that fell out of the extent count as new if they appear again.
        for dropped_position in range(previous_lower, lower):
            dropped = haystack[dropped_position]
            if last_position.get(dropped) == dropped_position:
                last_position[dropped] = -1
    return best


def similarity(set_a: set[str] | frozenset[str], set_b: set[str] | frozenset[str]) -> float:
    """Jaccard similarity of two trigram sets; 0 when either is empty."""
    if not set_a or not set_b:
        return 0.0
    return ratio(len(set_a & set_b), len(set_a), len(set_b))


def sql_similarity(a: str | None, b: str | None) -> float | None:
    """SQL `similarity(a, b)`: NULL in, NULL out (pg_trgm's functions are STRICT)."""
    if a is None or b is None:
        return None
    return similarity(frozenset(trigrams_sequence(str(a))), frozenset(trigrams_sequence(str(b))))


def sql_word_similarity(a: str | None, b: str | None) -> float | None:
    """SQL `word_similarity(a, b)`: how well `a` matches some run of words in `b`."""
    if a is None or b is None:
        return None
    return word_similarity(frozenset(trigrams_sequence(str(a))), trigrams_sequence(str(b)))
