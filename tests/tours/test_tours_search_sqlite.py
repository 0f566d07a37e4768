"""Search on SQLite with its trigram index (tours/services/search_sqlite.py, migration 0007).

The index may only narrow down which rows are scored: every test here holds the indexed search to the
search that scores every row (what runs without the index, and the same expressions as PostgreSQL), and
the index to the tours table after every kind of write.
"""

import importlib
import random
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from tests.factories import ProjectFactory
from tests.support.tours import make_tour, tours_url
from tests.tours import trigram_reference
from tests.tours.search_data import term as random_term
from tests.tours.search_data import tours as random_tours
from tours.models import ProductTour
from tours.services import search_sqlite, trigram
from tours.services.search import (
    MIN_DESCRIPTION_WORD_SIMILARITY,
    SESSION_WORD_SIMILARITY_THRESHOLD,
    _description_passes,
    _name_passes,
    _project_of,
    search_term_normalize,
    tours_search,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigram index"),
]
MIGRATION = importlib.import_module("tours.migrations.0009_search_sqlite_keys_by_project")


def ranked(project, term: str) -> list[tuple[str, str]]:
    return [
        (t.name, t.search_match_type)
        for t in tours_search(queryset=ProductTour.objects.filter(project=project), term=term)
    ]


def unindexed(monkeypatch, project, term: str) -> list[tuple[str, str]]:
    """The search that scores every row: what runs while the index is missing."""
    with monkeypatch.context() as patched:
        patched.setattr(search_sqlite, "index_ready", lambda connection: False)
        return ranked(project, term)


def index_contents() -> list[tuple[str, str, str]]:
    """(tour id, name document, description document) per entry, each entry keyed in its project's range."""
    names, descriptions = search_sqlite.COLUMN_TABLES["name"], search_sqlite.COLUMN_TABLES["description"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, t.project_id, d.tour_id, n.name, s.description FROM {search_sqlite.DOC_TABLE} AS d"
            f" JOIN {names} AS n ON n.rowid = d.id JOIN {descriptions} AS s ON s.rowid = d.id"
            f" LEFT JOIN {ProductTour._meta.db_table} AS t ON t.id = d.tour_id ORDER BY d.tour_id"
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {search_sqlite.DOC_TABLE}), (SELECT count(*) FROM {names}),"
            f" (SELECT count(*) FROM {descriptions})"
        )
        assert cursor.fetchone() == (len(rows),) * 3, "an index entry without its tour, or the reverse"
    for key, project_id, *_ in rows:
        low, high = search_sqlite.project_keys(project_id)
        assert low < key < high, (key, project_id)
    return [tuple(row[2:]) for row in rows]


def assert_index_in_sync() -> None:
    expected = sorted(
        (t.id.hex, search_sqlite.document(t.name), search_sqlite.document(t.description))
        for t in ProductTour.objects.all()
    )
    assert index_contents() == expected


def seed(project, rng: random.Random, count: int, *, unicode: bool) -> None:
    ProductTour.objects.bulk_create(
        ProductTour(project=project, name=name, description=description, content={"steps": []})
        for name, description in random_tours(rng, count, unicode=unicode)
    )


# --- the index is there and in step with the table --------------------------------------------------------


def test_index_and_triggers_exist_after_migrating():
    """A later migration that rebuilds tours_producttour (SQLite's ALTER) drops its triggers: recreate them."""
    assert search_sqlite.index_ready(connection)


def test_document_holds_every_trigram_of_its_text():
    rng = random.Random(3)
    for name, description in random_tours(rng, 400, unicode=True):
        for value in (name, description):
            document = search_sqlite.document(value)
            windows = {document[i : i + 3] for i in range(len(document) - 2)}
            assert trigram_reference.trigram_set(value) <= windows, value
            assert all(w in trigram_reference.trigram_set(value) or w.endswith("  ") for w in windows), value


def test_writes_of_every_kind_keep_the_index_in_step(tenant):
    project = tenant.project
    first = make_tour(project, name="Onboarding tour", description="Welcome")
    second = make_tour(project, name="Billing", description="Invoices and receipts")
    assert_index_in_sync()

    first.name = "Onboarding checklist"
    first.save()
    ProductTour.objects.filter(pk=second.pk).update(description="Paying invoices")
    ProductTour.objects.filter(pk=second.pk).update(archived=True)  # not a searched column
    assert_index_in_sync()

    table = ProductTour._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET name = %s WHERE id = %s", ["Raw SQL rename", first.id.hex])
        cursor.execute(
            f"INSERT INTO {table} (id, project_id, name, description, content, auto_launch, archived, created_at,"
            " updated_at) SELECT %s, project_id, 'Raw insert', 'from SQL', content, auto_launch, 0, created_at,"
            f" updated_at FROM {table} WHERE id = %s",
            ["0" * 31 + "1", first.id.hex],
        )
        # INSERT OR REPLACE drops the old row without firing delete triggers.
        cursor.execute(
            f"INSERT OR REPLACE INTO {table} (id, project_id, name, description, content, auto_launch, archived,"
            " created_at, updated_at) SELECT id, project_id, 'Replaced', description, content, auto_launch,"
            f" archived, created_at, updated_at FROM {table} WHERE id = %s",
            ["0" * 31 + "1"],
        )
        cursor.execute(f"UPDATE {table} SET id = %s WHERE id = %s", ["0" * 31 + "2", "0" * 31 + "1"])
    assert_index_in_sync()

    other = ProjectFactory()
    moved = make_tour(project, name="Moving tour")
    ProductTour.objects.filter(pk=moved.pk).update(project=other)
    assert ranked(other, "movng tour") == [("Moving tour", "similar")]
    assert ranked(project, "movng tour") == []
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET project_id = %s WHERE id = %s", [project.id, moved.id.hex])
    assert ranked(project, "movng tour") == [("Moving tour", "similar")]
    moved.delete()
    assert_index_in_sync()

    ProductTour.objects.bulk_create([ProductTour(project=project, name=f"Bulk {i}", content={}) for i in range(5)])
    bulk = list(ProductTour.objects.filter(name__startswith="Bulk"))
    for tour in bulk:
        tour.name = tour.name.replace("Bulk", "Bulk renamed")
    ProductTour.objects.bulk_update(bulk, ["name"])
    assert_index_in_sync()

    second.delete()
    ProductTour.objects.filter(name__startswith="Bulk renamed 1").delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", ["0" * 31 + "2"])
    assert_index_in_sync()
    assert [name for name, _ in ranked(project, "renamed")] == [f"Bulk renamed {i}" for i in (0, 2, 3, 4)]
    assert ranked(project, "Onbording") == []  # the old name is gone
    assert ranked(project, "raw sql renme") == [("Raw SQL rename", "similar")]

    project.delete()  # cascades to the tours
    assert index_contents() == []


def test_migration_backfills_existing_tours(tenant):
    make_tour(tenant.project, name="Before the index", description="Existing tour")
    with connection.cursor() as cursor:
        for statement in MIGRATION.TEARDOWN:
            cursor.execute(statement)
    assert not search_sqlite.index_ready(connection)
    assert ranked(tenant.project, "befor the indx") == [("Before the index", "similar")]  # every row scored
    MIGRATION.forwards(None, SimpleNamespace(connection=connection))
    assert search_sqlite.index_ready(connection)
    assert_index_in_sync()
    assert ranked(tenant.project, "befor the indx") == [("Before the index", "similar")]


def test_without_a_trigger_search_scores_every_row(tenant):
    make_tour(tenant.project, name="Onboarding tour")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_sqlite.TRIGGERS[1]}")
    assert not search_sqlite.index_ready(connection)
    ProductTour.objects.update(name="Renamed without the trigger")
    assert ranked(tenant.project, "renamd without") == [("Renamed without the trigger", "similar")]


# --- the index only narrows down: same results as scoring every row --------------------------------------


@pytest.mark.parametrize("seed_value", [1, 2, 3, 4])
def test_indexed_search_equals_scoring_every_row(monkeypatch, seed_value):
    """Random tours and terms with Unicode, punctuation and typos; another project's tours share the index."""
    rng = random.Random(seed_value)
    project, other = ProjectFactory(), ProjectFactory()
    seed(project, rng, 200, unicode=True)
    seed(other, rng, 100, unicode=True)
    compared = 0
    for _ in range(80):
        term = random_term(rng, unicode=True)
        if not search_term_normalize(term):
            continue
        assert ranked(project, term) == unindexed(monkeypatch, project, term), term
        compared += 1
    assert compared > 60


@pytest.mark.parametrize("by_project", [True, False])
def test_similar_candidates_contain_every_match(by_project):
    """Directly: each row the similarity filter accepts (reference functions) is among the candidates; asked
    for one project's, the candidates are that project's tours only."""
    rng = random.Random(8)
    project, other = ProjectFactory(), ProjectFactory()
    seed(project, rng, 300, unicode=True)
    seed(other, rng, 100, unicode=True)
    rows = {t.id.hex: t for t in ProductTour.objects.filter(project=project)}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, id FROM {ProductTour._meta.db_table}")
        by_rowid = dict(cursor.fetchall())
    narrowed = 0
    for _ in range(300):
        term = search_term_normalize(random_term(rng, unicode=True))
        matches = {
            key
            for key, t in rows.items()
            if trigram_reference.word_similarity(term, t.name) >= SESSION_WORD_SIMILARITY_THRESHOLD
            or (
                trigram_reference.word_similarity(term, t.description) >= SESSION_WORD_SIMILARITY_THRESHOLD
                and trigram_reference.word_similarity(term, t.description) > MIN_DESCRIPTION_WORD_SIMILARITY
            )
        }
        query = search_sqlite.similar_candidates(
            term=term,
            name_passes=_name_passes,
            description_passes=_description_passes,
            project_id=project.id if by_project else None,
        )
        if query is None:
            assert not matches, term
            continue
        with connection.cursor() as cursor:
            cursor.execute(*query)
            candidates = {by_rowid[rowid] for (rowid,) in cursor.fetchall()}
        assert matches <= candidates, term
        if by_project:
            assert candidates <= rows.keys(), term
        narrowed += len(candidates & rows.keys()) < len(rows)
    assert narrowed > 200  # and it does narrow down


@pytest.mark.parametrize("by_project", [True, False])
def test_literal_candidates_contain_every_like_match(by_project):
    rng = random.Random(12)
    project, other = ProjectFactory(), ProjectFactory()
    seed(project, rng, 300, unicode=True)
    seed(other, rng, 100, unicode=True)
    tours = ProductTour.objects.filter(project=project)
    asked = 0
    for _ in range(300):
        term = search_term_normalize(random_term(rng, unicode=rng.random() < 0.3))
        query = search_sqlite.literal_candidates(term, project_id=project.id if by_project else None)
        if query is None:
            continue
        asked += 1
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, project_id FROM {ProductTour._meta.db_table} WHERE rowid IN ({query[0]})", query[1]
            )
            found = cursor.fetchall()
        candidates = {value for value, _ in found}
        like = {t.id.hex for t in tours.filter(name__icontains=term)} | {
            t.id.hex for t in tours.filter(description__icontains=term)
        }
        assert like <= candidates, term
        if by_project:
            assert {project_id for _, project_id in found} <= {project.id}, term
    assert asked > 100


def test_project_of_a_queryset():
    """Searches are narrowed to a project's index keys only when the queryset plainly holds one project."""
    project = ProjectFactory()
    tours = ProductTour.objects
    assert _project_of(tours.filter(project=project)) == project.id
    assert _project_of(tours.select_related("linked_flag").filter(project_id=project.id, archived=False)) == project.id
    for unscoped in (
        tours.all(),
        tours.filter(Q(project=project) | Q(name="x")),
        tours.exclude(project=project),
        tours.filter(linked_flag__project=project),
    ):
        assert _project_of(unscoped) is None


def test_literal_prefilter_keeps_like_semantics(tenant):
    for name in ["Deal: 100%_off now", "100 off", "com.acme.billing tour", "COM ACME billing", "Straße", "ΟΔΟΣΑ"]:
        make_tour(tenant.project, name=name)
    assert ranked(tenant.project, "100%_off") == [("Deal: 100%_off now", "exact")]
    assert ranked(tenant.project, "com.acme") == [("com.acme.billing tour", "exact")]
    assert ranked(tenant.project, "straße") == [("Straße", "exact")]
    assert ranked(tenant.project, "STRASSE") == [("Straße", "similar")]  # LIKE folds ASCII case only
    # Lower-cased alone, the term ends in a final sigma (ς); inside the name it is a σ: no prefilter from
    # the index for a non-ASCII term, LIKE decides.
    assert ranked(tenant.project, "ΔΟΣ") == [("ΟΔΟΣΑ", "exact")]


def test_endpoint_uses_the_index(tenant):
    make_tour(tenant.project, name="Onboarding tour")
    with CaptureQueriesContext(connection) as queries:
        body = tenant.client.get(tours_url(tenant), {"search": "onbarding"}).json()
    assert [(r["name"], r["search_match_type"]) for r in body["results"]] == [("Onboarding tour", "similar")]
    searched = [q["sql"] for q in queries.captured_queries if "tour_search_name_word_similarity" in q["sql"]]
    assert searched and all(search_sqlite.COLUMN_TABLES["name"] in sql for sql in searched)


# --- each row is scored once per search, and nothing is kept from one search to the next --------------


def test_each_candidate_is_scored_once_and_searches_share_nothing(monkeypatch):
    rng = random.Random(4)
    project = ProjectFactory()
    seed(project, rng, 200, unicode=False)
    calls = []
    real = trigram.trigrams_sequence
    monkeypatch.setattr(trigram, "trigrams_sequence", lambda text: calls.append(text) or real(text))
    term = "onbarding tuor"
    query = search_sqlite.similar_candidates(
        term=term, name_passes=_name_passes, description_passes=_description_passes
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {ProductTour._meta.db_table} WHERE project_id = %s AND rowid IN ({query[0]})",
            [project.id, *query[1]],
        )
        (candidates,) = cursor.fetchone()
    assert candidates

    def scored() -> int:
        calls.clear()
        page = tours_search(queryset=ProductTour.objects.filter(project=project), term=term)
        assert list(page) and page.count()
        return sum(1 for text in calls if text != term)

    # The page query (filter, then sort) and the count: two columns per candidate, once per search.
    assert scored() == 2 * candidates
    assert scored() == 2 * candidates


@pytest.mark.parametrize(
    ("term", "name", "description"),
    [
        ("onbarding", "Onboarding tour", "Welcome"),
        (None, "a", "b"),
        ("a", None, "a b"),
        ("a", "a b", None),
        ("12", 123, 4.5),
    ],
)
def test_row_functions_are_the_reference_functions(term, name, description):
    """NULL in, NULL out, per value (pg_trgm's functions are STRICT); other types read as text, as the
    reference SQL functions read them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {search_sqlite.NAME_WORD_SIMILARITY}(%s, %s, %s), {search_sqlite.NAME_SIMILARITY}(%s, %s, %s),"
            f" {search_sqlite.DESCRIPTION_WORD_SIMILARITY}(%s, %s, %s),"
            " word_similarity(%s, %s), similarity(%s, %s), word_similarity(%s, %s)",
            [term, name, description] * 3 + [term, name, name, term, term, description],
        )
        row = cursor.fetchone()
    assert row[:3] == row[3:]
