"""`GET /product_tours/?search=`: literal matches win, otherwise trigram-similar ones, best first.

One queryset on both databases: PostgreSQL runs pg_trgm's `word_similarity`/`similarity`; SQLite
runs the same algorithm in Python (`tours.services.trigram`, registered in `tours/apps.py`).
"""

from django.db.models import Case, CharField, Exists, F, FloatField, Func, Q, QuerySet, Value, When
from rest_framework import serializers

MAX_SEARCH_LENGTH = 200
MIN_NAME_WORD_SIMILARITY = 0.3
# Descriptions are prose: short terms clear 0.3 against long text too easily.
MIN_DESCRIPTION_WORD_SIMILARITY = 0.4
DESCRIPTION_SCORE_WEIGHT = 0.5
SEARCH_TOO_LONG = f"Search query must be {MAX_SEARCH_LENGTH} characters or fewer."


class _TrigramFunc(Func):
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # pg_trgm returns float4; widen it so comparisons and ordering match SQLite's doubles exactly.
        return self.as_sql(compiler, connection, template="(%(function)s(%(expressions)s))::double precision")


class WordSimilarity(_TrigramFunc):
    """`word_similarity(term, column)`: how well `term` matches some run of words in `column`."""

    function = "word_similarity"
    arity = 2


class Similarity(_TrigramFunc):
    function = "similarity"
    arity = 2


def search_term_normalize(raw: str) -> str:
    """The raw parameter is capped; NUL bytes (PostgreSQL rejects them) are dropped, then it is trimmed."""
    if len(raw) > MAX_SEARCH_LENGTH:
        raise serializers.ValidationError({"search": [SEARCH_TOO_LONG]})
    return raw.replace("\x00", "").strip()


def tours_search(*, queryset: QuerySet, term: str) -> QuerySet:
    """Filter and rank `queryset`; each row gets `search_match_type` ("exact" | "similar")."""
    term = search_term_normalize(term)
    if not term:
        return queryset.order_by("-created_at", "id")
    exact = Q(name__icontains=term) | Q(description__icontains=term)
    text = Value(term, output_field=CharField())
    similar = Q(_name_word__gt=MIN_NAME_WORD_SIMILARITY) | Q(_description_word__gt=MIN_DESCRIPTION_WORD_SIMILARITY)
    return (
        queryset.annotate(
            _name_word=WordSimilarity(text, F("name")),
            _name_full=Similarity(F("name"), text),
            _description_word=WordSimilarity(text, F("description")),
            search_match_type=Case(When(exact, then=Value("exact")), default=Value("similar"), output_field=CharField()),
        )
        # Similar rows only count when nothing in the (already project-scoped) set matches literally.
        .filter(exact | (~Exists(queryset.filter(exact)) & similar))
        .annotate(
            _search_score=F("_name_word") + F("_name_full") + F("_description_word") * DESCRIPTION_SCORE_WEIGHT
        )
        .order_by("-_search_score", "name", "id")
    )
