"""pg_trgm's functions in Python (SQLite search) and the plain port they are tested against, both
against values PostgreSQL computes."""

import random

import pytest
from django.db import connection

from tests.tours.trigram_reference import similarity, trigram_set, trigrams_sequence, word_similarity, words_split
from tours.services.trigram import sql_similarity, sql_word_similarity

# Values read from PostgreSQL 15's pg_trgm (`word_similarity(a, b)::float8`, `similarity(a, b)::float8`).
PG_VALUES = [
    ("word", "two words", 0.800000011920929, 0.3636363744735718),
    ("word", "words", 0.800000011920929, 0.5714285969734192),
    ("onbarding", "Onboarding tour", 0.6153846383094788, 0.4444444477558136),
    ("onbarding", "Unrelated", 0.0, 0.0),
    ("Sales", "Ad Sales", 1.0, 0.6666666865348816),
    ("nps", "NPS Tour", 1.0, 0.4444444477558136),
    ("revenue", "Q4 review", 0.375, 0.20000000298023224),
    ("revenue", "Quarterly revenue tour", 1.0, 0.3478260934352875),
    ("", "abc", 0.0, 0.0),
    ("abc", "", 0.0, 0.0),
    ("a-b_c", "A B C", 1.0, 1.0),
    ("Marke", "Engineering tour", 0.0, 0.0),
    ("onboarding", "onbarding flow", 0.6153846383094788, 0.4444444477558136),
    ("straße", "STRASSE", 0.5714285969734192, 0.3636363744735718),
    ("tour", "tourtour tour", 1.0, 0.7142857313156128),
]


def test_words_are_alphanumeric_runs():
    assert words_split("alerts+ops@example.com") == ["alerts", "ops", "example", "com"]
    assert words_split("x_y  z-1") == ["x", "y", "z", "1"]
    assert words_split("  ,;  ") == []


def test_trigrams_pad_each_lowercased_word():
    assert trigrams_sequence("Word") == ["  w", " wo", "wor", "ord", "rd "]
    assert trigrams_sequence("a B") == ["  a", " a ", "  b", " b "]
    assert trigram_set("aa aa") == {"  a", " aa", "aa "}
    assert trigrams_sequence("") == []


@pytest.mark.parametrize(("a", "b", "word_sim", "sim"), PG_VALUES)
def test_matches_pg_trgm_values(a, b, word_sim, sim):
    assert word_similarity(a, b) == word_sim
    assert similarity(a, b) == sim
    assert sql_word_similarity(a, b) == word_sim
    assert sql_similarity(a, b) == sim


def test_similarity_is_symmetric_and_word_similarity_is_not():
    assert similarity("word", "two words") == similarity("two words", "word")
    assert word_similarity("word", "two words") != word_similarity("two words", "word")


def test_sql_wrappers_pass_null_through():
    assert sql_similarity(None, "x") is None
    assert sql_word_similarity("x", None) is None
    assert sql_word_similarity("nps", "NPS Tour") == 1.0


def _pairs(count: int) -> list[tuple[str, str]]:
    rng = random.Random(7)
    words = ["onboarding", "tour", "sales", "nps", "marketing", "revenue", "a", "ab", "words", "x_y", "straße", "日本"]
    pairs = []
    for _ in range(count):
        if rng.random() < 0.5:
            a = " ".join(rng.choice(words) for _ in range(rng.randint(0, 3)))
            b = " ".join(rng.choice(words) for _ in range(rng.randint(0, 5)))
        else:
            a = "".join(rng.choice("abcab -.") for _ in range(rng.randint(0, 8)))
            b = "".join(rng.choice("abcab -.") for _ in range(rng.randint(0, 20)))
        pairs.append((a, b))
    return pairs


@pytest.mark.django_db
def test_database_functions_agree_with_python():
    """On PostgreSQL this is pg_trgm itself; on SQLite the functions registered from Python."""
    with connection.cursor() as cursor:
        for a, b in _pairs(300):
            cursor.execute(
                "SELECT CAST(word_similarity(%s, %s) AS double precision), CAST(similarity(%s, %s) AS double precision)",
                [a, b, a, b],
            )
            assert tuple(cursor.fetchone()) == (word_similarity(a, b), similarity(a, b)), (a, b)
