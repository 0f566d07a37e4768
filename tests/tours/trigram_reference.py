"""A plain port of pg_trgm's `similarity()` and `word_similarity()`: the reference the faster
`tours.services.trigram` is tested against (one function per SQL call, every call re-splitting its
text, the greedy extent search written as pg_trgm writes it).

pg_trgm's model: a string is split into words (runs of alphanumeric characters; everything else
separates words), each word is lower-cased and padded with two spaces in front and one behind,
and every three consecutive characters of a padded word form a trigram.

Results are rounded to single precision, as pg_trgm computes them in `float4`, so thresholds
(`> 0.3`) and ties compare identically on both databases.
"""

import struct


def _float4(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def words_split(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def trigrams_sequence(text: str) -> list[str]:
    """Trigrams in the order pg_trgm generates them (repeats kept): word by word, left to right."""
    trigrams: list[str] = []
    for word in words_split(text):
        padded = f"  {word.lower()} "
        trigrams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return trigrams


def trigram_set(text: str) -> set[str]:
    return set(trigrams_sequence(text))


def _ratio(common: int, length1: int, length2: int) -> float:
    """|A∩B| / |A∪B| given |A∩B|, |A| and |B| (pg_trgm's CALCSML), in float4."""
    return _float4(common / (length1 + length2 - common))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two strings' trigram sets; 0 when either has none."""
    set_a, set_b = trigram_set(a), trigram_set(b)
    if not set_a or not set_b:
        return 0.0
    return _ratio(len(set_a & set_b), len(set_a), len(set_b))


def word_similarity(a: str, b: str) -> float:
    """Greatest similarity between `a`'s trigram set and a contiguous extent of `b`'s trigram sequence.

    A faithful port of pg_trgm's `iterate_word_similarity` (non-strict mode): extents end at a
    trigram shared with `a`; the start only moves right, to where the similarity grows. It is a
    greedy search, so mirroring it (rather than trying every extent) keeps results identical.
    """
    needle = trigram_set(a)
    haystack = trigrams_sequence(b)
    unique_needle = len(needle)
    if not unique_needle or not haystack:
        return 0.0

    last_position: dict[str, int] = {}
    unique_extent = 0  # distinct trigrams in the current extent
    common = 0  # ... of which are in `needle`
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

        current = _ratio(common, unique_needle, unique_extent)
        # Try moving the extent's start right for a better score.
        trial_common, trial_unique, previous_lower = common, unique_extent, lower
        for trial_lower in range(lower, upper + 1):
            trial = _ratio(trial_common, unique_needle, trial_unique)
            if trial > current:
                current, unique_extent, lower, common = trial, trial_unique, trial_lower, trial_common
            dropped = haystack[trial_lower]
            if last_position.get(dropped) == trial_lower:
                trial_unique -= 1
                if dropped in needle:
                    trial_common -= 1
        best = max(best, current)
        # Trigrams that fell out of the extent count as new if they appear again.
        for dropped_position in range(previous_lower, lower):
            dropped = haystack[dropped_position]
            if last_position.get(dropped) == dropped_position:
                last_position[dropped] = -1
    return best
