"""`GET /product_tours/?search=`: literal matches win, otherwise trigram-similar ones, best first.

One filter and one ranking on both databases: PostgreSQL runs pg_trgm's `word_similarity`/`similarity`;
SQLite runs the same algorithm in Python (`tours.services.trigram`, registered in `tours/apps.py`), on
the candidates its trigram index picks (`tours.services.search_sqlite`: a superset of the matches, so
the result is the same as scoring every row, which is what it does while that index is missing).

On PostgreSQL every filter is shaped so the GIN `gin_trgm_ops` indexes on `name` and `description`
(migration 0002) can serve it: literal matches are `col ILIKE '%term%'` (not Django's
`UPPER(col::text) LIKE UPPER(...)`), and the similarity thresholds are guarded by pg_trgm's
`term <% col` operator. That operator compares against the `pg_trgm.word_similarity_threshold`
setting, so evaluate the queryset inside `search_session()`, which lowers it for the transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField, CharField, Expression, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import BuiltinLookup, Exact, IContains, Lookup
from django.db.models.sql.where import AND
from rest_framework import serializers

from tours.services import search_sqlite

MAX_SEARCH_LENGTH = 200
MIN_NAME_WORD_SIMILARITY = 0.3  # inclusive (pg_trgm's `<%`)
# Descriptions are prose: short terms clear 0.3 against long text too easily.
MIN_DESCRIPTION_WORD_SIMILARITY = 0.4
# `<%` must let through everything either exact threshold could accept.
SESSION_WORD_SIMILARITY_THRESHOLD = min(MIN_NAME_WORD_SIMILARITY, MIN_DESCRIPTION_WORD_SIMILARITY)
DESCRIPTION_SCORE_WEIGHT = 0.5
# The planner's default cost of one operator (0.0025) fits `=` on an integer, not a case-folding ILIKE or
# a trigram comparison; costed so, scanning and filtering a large project's rows looks cheaper than the
# trigram indexes (measured: 19–50 ms against 2–5 ms for 10,000 tours). Raised for the search transaction.
SEARCH_CPU_OPERATOR_COST = 0.05
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


class _SQLiteRowScore(Func):
    """One of a row's three search values on SQLite, `f(term, name, description)`: all three are computed
    together and kept for the row, so a row's filter and score cost one computation (search_sqlite)."""

    output_field = FloatField()
    arity = 3

    def __init__(self, function: str, term: Expression) -> None:
        super().__init__(term, F("name"), F("description"), function=function)


def _name_passes(word_similarity: float) -> bool:
    """The similarity filter's test of a name (`TrigramWordSimilar` at the session threshold)."""
    return word_similarity >= SESSION_WORD_SIMILARITY_THRESHOLD


def _description_passes(word_similarity: float) -> bool:
    return word_similarity >= SESSION_WORD_SIMILARITY_THRESHOLD and word_similarity > MIN_DESCRIPTION_WORD_SIMILARITY


class TrigramIContains(IContains):
    """`icontains` as `col ILIKE '%term%'` on PostgreSQL, which a `gin_trgm_ops` index can serve.

    Django's own PostgreSQL SQL, `UPPER(col::text) LIKE UPPER(...)`, hides the column from the index.
    The pattern is built and LIKE-escaped by `IContains` as usual; SQLite keeps Django's SQL.
    Used as an expression: `TrigramIContains(F("name"), term)`.
    """

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value() or self.bilateral_transforms:
            return super().as_sql(compiler, connection)
        # Skip BuiltinLookup's `UPPER(%s::text)` wrapping of the column; keep everything else.
        lhs_sql, params = super(BuiltinLookup, self).process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} ILIKE {rhs_sql}", [*params, *rhs_params]


class TrigramWordSimilar(Lookup):
    """`word_similarity(term, column) >= SESSION_WORD_SIMILARITY_THRESHOLD`.

    On PostgreSQL it is pg_trgm's `term <% column`, which the GIN trigram indexes serve; it compares with
    `pg_trgm.word_similarity_threshold`, set by `search_session()`. Elsewhere the comparison is written
    out. Used as an expression: `TrigramWordSimilar(term, F(col))`.
    """

    lookup_name = "trigram_word_similar"  # not registered on any field
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs_sql, params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"word_similarity({lhs_sql}, {rhs_sql}) >= %s", [*params, *rhs_params, SESSION_WORD_SIMILARITY_THRESHOLD]

    def as_postgresql(self, compiler, connection):
        lhs_sql, params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} <%% {rhs_sql}", [*params, *rhs_params]


@contextmanager
def search_session(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Evaluate `tours_search` querysets inside this (count and page alike).

    On PostgreSQL: a transaction whose `pg_trgm.word_similarity_threshold` is lowered to the smallest
    threshold we accept (SET LOCAL semantics, so pooled connections never keep it); `<%` would
    otherwise drop matches between 0.3 and pg_trgm's default 0.6. The transaction also costs operators
    as what they are here (`SEARCH_CPU_OPERATOR_COST`), so the planner picks the trigram indexes.
    On SQLite: nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), set_config('cpu_operator_cost', %s, true)",
                [str(SESSION_WORD_SIMILARITY_THRESHOLD), str(SEARCH_CPU_OPERATOR_COST)],
            )
        yield


def search_term_normalize(raw: str) -> str:
    """The raw parameter is capped; NUL bytes (PostgreSQL rejects them) are dropped, then it is trimmed."""
    if len(raw) > MAX_SEARCH_LENGTH:
        raise serializers.ValidationError({"search": [SEARCH_TOO_LONG]})
    return raw.replace("\x00", "").strip()


def tours_search(*, queryset: QuerySet, term: str) -> QuerySet:
    """Filter and rank `queryset`; each row gets `search_match_type` ("exact" | "similar").

    Literal matches win: one cheap query (`exists()`, index-served) decides whether the result is the
    literal matches or the trigram-similar rows, so each of the queries that follow is a plain OR of
    index-servable conditions and every row of a result has the same match type. On PostgreSQL,
    evaluate the result inside `search_session()`.
    """
    term = search_term_normalize(term)
    if not term:
        return queryset.order_by("-created_at", "id")
    text = Value(term, output_field=CharField())
    literal = queryset.filter(Q(TrigramIContains(F("name"), term)) | Q(TrigramIContains(F("description"), term)))
    connection = connections[queryset.db]
    if connection.vendor == "sqlite" and search_sqlite.index_ready(connection):
        return _sqlite_indexed_search(queryset=queryset, literal=literal, term=term, text=text)
    if literal.exists():
        matches, match_type = literal, "exact"
    else:
        # Names: the index-served comparison is the whole check (the session threshold is the name's).
        similar = Q(TrigramWordSimilar(text, F("name"))) | Q(
            TrigramWordSimilar(text, F("description")), _description_word__gt=MIN_DESCRIPTION_WORD_SIMILARITY
        )
        matches = queryset.alias(_description_word=WordSimilarity(text, F("description"))).filter(similar)
        match_type = "similar"
    return _ranked(
        matches,
        match_type,
        # `alias`, not `annotate`: selected, each trigram function would run twice per row on PostgreSQL
        # (as a column and again inside the sort key); only the score is needed.
        score=WordSimilarity(text, F("name"))
        + Similarity(F("name"), text)
        + WordSimilarity(text, F("description")) * DESCRIPTION_SCORE_WEIGHT,
    )


def _ranked(matches: QuerySet, match_type: str, *, score: Expression) -> QuerySet:
    return (
        matches.alias(_search_score=score)
        .annotate(search_match_type=Value(match_type, output_field=CharField()))
        .order_by("-_search_score", "name", "id")
    )


def _sqlite_indexed_search(*, queryset: QuerySet, literal: QuerySet, term: str, text: Value) -> QuerySet:
    """`tours_search` on SQLite with the trigram index: the same filters and score, written with the row
    score functions, each filter applied to the rows the index says may pass it (search_sqlite)."""
    search_sqlite.row_scores_forget(connections[queryset.db])
    project_id = _project_of(queryset)
    name_word = _SQLiteRowScore(search_sqlite.NAME_WORD_SIMILARITY, text)
    name_similarity = _SQLiteRowScore(search_sqlite.NAME_SIMILARITY, text)
    description_word = _SQLiteRowScore(search_sqlite.DESCRIPTION_WORD_SIMILARITY, text)
    literal_candidates = search_sqlite.literal_candidates(term, project_id=project_id)
    if literal_candidates is not None:
        literal = _rowid_in(literal, *literal_candidates)
    if literal.exists():
        matches, match_type = literal, "exact"
    else:
        match_type = "similar"
        candidates = search_sqlite.similar_candidates(
            term=term, name_passes=_name_passes, description_passes=_description_passes, project_id=project_id
        )
        if candidates is None:
            matches = queryset.none()
        else:
            threshold = SESSION_WORD_SIMILARITY_THRESHOLD
            matches = (
                _rowid_in(queryset, *candidates)
                .alias(_name_word=name_word, _description_word=description_word)
                .filter(
                    Q(_name_word__gte=threshold)
                    | Q(_description_word__gte=threshold, _description_word__gt=MIN_DESCRIPTION_WORD_SIMILARITY)
                )
            )
    return _ranked(matches, match_type, score=name_word + name_similarity + description_word * DESCRIPTION_SCORE_WEIGHT)


def _project_of(queryset: QuerySet) -> int | None:
    """The one project a queryset's rows belong to when it says so plainly (`filter(project_id=…)` at the top
    level of its WHERE, as the API's querysets do), else None: the index is then searched whole."""
    where = queryset.query.where
    if where.connector != AND or where.negated:
        return None
    base = queryset.query.base_table
    for child in where.children:
        if (
            isinstance(child, Exact)
            and isinstance(child.lhs, Col)
            and child.lhs.alias == base
            and child.lhs.target.attname == "project_id"
            and type(child.rhs) is int
        ):
            return child.rhs
    return None


def _rowid_in(queryset: QuerySet, sql: str, params: list) -> QuerySet:
    table = connections[queryset.db].ops.quote_name(queryset.model._meta.db_table)
    return queryset.filter(RawSQL(f"{table}.rowid IN ({sql})", params, output_field=BooleanField()))
