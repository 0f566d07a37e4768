"""§12 search: literal matches win, else trigram-similar; ranking; caps. Runs on PostgreSQL and SQLite."""

import pytest
from django.db import connection, transaction
from django.db.models import F
from rest_framework import serializers

from tests.factories import ProjectFactory
from tests.support.errors import assert_error
from tests.support.tours import make_tour, tours_url
from tours.models import ProductTour
from tours.services.search import TrigramIContains, search_session, search_term_normalize, tours_search

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes and settings")


def search(tenant, term, **params):
    response = tenant.client.get(tours_url(tenant), {"search": term, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def names(body) -> list[str]:
    return [row["name"] for row in body["results"]]


@pytest.mark.parametrize(
    ("tour_names", "term", "first", "absent"),
    [
        (
            ["Ad Sales", "Email Sales", "Sales", "Sales Funnel", "Weekly Sales", "Unrelated"],
            "Sales",
            "Sales",
            "Unrelated",
        ),
        (["Onboarding tour", "Unrelated"], "onbarding", "Onboarding tour", "Unrelated"),
        (["Marketing tour", "Engineering tour"], "Marke", "Marketing tour", "Engineering tour"),
        (["NPS Tour", "Engineering tour"], "nps", "NPS Tour", "Engineering tour"),
        (["NPS Tour", "Engineering tour"], "NPS", "NPS Tour", "Engineering tour"),
    ],
)
def test_search_relevance(tenant, tour_names, term, first, absent):
    """T-search-relevance."""
    for name in tour_names:
        make_tour(tenant.project, name=name)
    found = names(search(tenant, term))
    assert found and found[0] == first
    assert absent not in found


def test_typo_match_is_similar(tenant):
    make_tour(tenant.project, name="Onboarding tour")
    body = search(tenant, "onbarding")
    assert [(row["name"], row["search_match_type"]) for row in body["results"]] == [("Onboarding tour", "similar")]
    assert body["count"] == 1


def test_ranking_ties_break_by_name(tenant):
    for name in ["Sales B", "Sales A", "Sales C"]:
        make_tour(tenant.project, name=name)
    assert names(search(tenant, "sales")) == ["Sales A", "Sales B", "Sales C"]


def test_description_ranks_lower(tenant):
    """T-search-description-ranks-lower."""
    revenue = make_tour(tenant.project, name="revenue")
    review = make_tour(tenant.project, name="Q4 review", description="Quarterly revenue tour")
    make_tour(tenant.project, name="Unrelated")
    body = search(tenant, "revenue")
    assert [row["id"] for row in body["results"]][:2] == [str(revenue.id), str(review.id)]
    assert "Unrelated" not in names(body)
    assert {row["search_match_type"] for row in body["results"]} == {"exact"}


def test_similar_description_match(tenant):
    make_tour(tenant.project, name="Q4", description="Quarterly revenue review")
    make_tour(tenant.project, name="Other", description="Nothing here")
    body = search(tenant, "revenu review")
    assert [(row["name"], row["search_match_type"]) for row in body["results"]] == [("Q4", "similar")]


@pytest.mark.parametrize("term", ["   ", "", "\x00\x00\x00", " \x00 "])
def test_blank_search_does_not_filter(tenant, term):
    """T-search-blank (and NULs only)."""
    make_tour(tenant.project, name="Alpha")
    make_tour(tenant.project, name="Beta")
    body = search(tenant, term)
    assert set(names(body)) == {"Alpha", "Beta"}
    assert all("search_match_type" not in row for row in body["results"])


@pytest.mark.parametrize("term", ["&|!", "'; DROP TABLE--", "\x00\x00\x00", "%", "_", "\\", "100%_off", "' OR 1=1 --"])
def test_pathological_terms(tenant, term):
    """T-search-pathological: SQL and LIKE metacharacters are plain text."""
    make_tour(tenant.project, name="Tour overview")
    body = search(tenant, term)
    if term.strip("\x00").strip():
        assert "Tour overview" not in names(body)
    make_tour(tenant.project, name="Deal: 100%_off now")
    assert names(search(tenant, "100%_off")) == ["Deal: 100%_off now"]


def test_nul_bytes_are_stripped_inside_terms(tenant):
    make_tour(tenant.project, name="Alpha")
    make_tour(tenant.project, name="Beta")
    assert names(search(tenant, "Al\x00pha")) == ["Alpha"]


@pytest.mark.parametrize(("length", "status"), [(200, 200), (201, 400), (10_000, 400)])
def test_search_length_cap(tenant, length, status):
    """T-search-length-cap."""
    response = tenant.client.get(tours_url(tenant), {"search": "a" * length})
    if status == 200:
        assert response.status_code == 200
    else:
        body = assert_error(
            response,
            400,
            attr="search",
            detail="Search query must be 200 characters or fewer.",
            type="validation_error",
        )
        assert "200 characters" in body["detail"]


def test_length_is_measured_before_trimming(tenant):
    assert_error(tenant.client.get(tours_url(tenant), {"search": " " * 201}), 400, attr="search")
    with pytest.raises(serializers.ValidationError):
        search_term_normalize("x" * 201)
    assert search_term_normalize("  a\x00b  ") == "ab"


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("alerts+ops@example.com", "alerts+ops@example.com"),
        ("run 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"),
        ("com.acme.billing tour", "com.acme.billing"),
    ],
)
def test_literal_substring(tenant, name, term):
    """T-search-literal-substring."""
    make_tour(tenant.project, name=name)
    make_tour(tenant.project, name="Totally unrelated")
    body = search(tenant, term)
    assert [(row["name"], row["search_match_type"]) for row in body["results"]] == [(name, "exact")]


def test_exact_matches_hide_similar_ones(tenant):
    """T-search-hides-similar."""
    for name in ["onboarding tour", "tour for onboarding", "onbarding flow", "Engineering tour"]:
        make_tour(tenant.project, name=name)
    body = search(tenant, "onboarding")
    assert {row["name"]: row["search_match_type"] for row in body["results"]} == {
        "onboarding tour": "exact",
        "tour for onboarding": "exact",
    }
    assert body["count"] == 2


def test_exact_match_is_case_insensitive_and_covers_description(tenant):
    make_tour(tenant.project, name="Welcome", description="Shows the BILLING page")
    body = search(tenant, "billing")
    assert [(row["name"], row["search_match_type"]) for row in body["results"]] == [("Welcome", "exact")]


def test_no_match_type_without_search(tenant):
    """T-search-no-match-type-without-search."""
    make_tour(tenant.project, name="Alpha")
    body = tenant.client.get(tours_url(tenant)).json()
    assert body["results"] and all("search_match_type" not in row for row in body["results"])


def test_search_is_project_scoped(tenant, other_tenant):
    make_tour(other_tenant.project, name="Onboarding tour")
    make_tour(tenant.project, name="Onbarding flow")
    # The other project's literal match neither shows up nor hides this project's similar match.
    body = search(tenant, "onboarding")
    assert [(row["name"], row["search_match_type"]) for row in body["results"]] == [("Onbarding flow", "similar")]


def test_search_paginates(tenant):
    for i in range(5):
        make_tour(tenant.project, name=f"Sales {i}")
    body = search(tenant, "sales", limit=2, offset=0)
    assert body["count"] == 5 and names(body) == ["Sales 0", "Sales 1"]
    assert "search=sales" in body["next"]
    # The total comes with the page (COUNT(*) OVER ()); a page past the end counts separately.
    last = search(tenant, "sales", limit=2, offset=4)
    assert last["count"] == 5 and names(last) == ["Sales 4"] and last["next"] is None
    beyond = search(tenant, "sales", limit=2, offset=10)
    assert beyond["count"] == 5 and beyond["results"] == []
    assert search(tenant, "nothing-like-this-anywhere")["count"] == 0
    assert all("_window_total" not in row for row in body["results"])


def test_archived_tours_are_searchable(tenant):
    make_tour(tenant.project, name="Old sales tour", archived=True)
    assert names(search(tenant, "sales")) == ["Old sales tour"]


# --- Index-servable query shape (PostgreSQL) and the semantics it must keep on both databases ---------


def found(project, term: str) -> list[tuple[str, str]]:
    queryset = tours_search(queryset=ProductTour.objects.filter(project=project), term=term)
    return [(tour.name, tour.search_match_type) for tour in queryset]


def index_conditions(plan: str) -> set[tuple[str, str]]:
    """(index, operator) for each trigram index scan in an EXPLAIN text."""
    conditions, index = set(), None
    for line in plan.splitlines():
        if "Index Scan on " in line:
            index = line.split("Index Scan on ")[1].split()[0]
        elif "Index Cond:" in line and index:
            conditions |= {(index, op) for op in ("~~*", "%>") if op in line}
    return conditions


def trigram_tours_seed(count: int = 300) -> None:
    project = ProjectFactory()
    areas = ["billing", "invoices", "dashboards", "reports", "exports", "webhooks"]
    ProductTour.objects.bulk_create(
        ProductTour(
            project=project, name=f"{areas[i % 6].capitalize()} tour #{i}", description=f"How {areas[i % 5]} works"
        )
        for i in range(count)
    )


@postgres_only
def test_literal_search_is_served_by_trigram_indexes():
    trigram_tours_seed()
    # Unscoped: on a table this small the planner would rather read a whole project through its btree
    # index. With sequential scans off, a condition no trigram index can serve shows up as a Seq Scan.
    queryset = tours_search(queryset=ProductTour.objects.all(), term="invoices")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "Seq Scan" not in plan, plan
    assert {("tour_name_trgm_idx", "~~*"), ("tour_description_trgm_idx", "~~*")} <= index_conditions(plan), plan


@postgres_only
def test_similar_search_is_served_by_trigram_indexes():
    trigram_tours_seed()
    queryset = tours_search(queryset=ProductTour.objects.all(), term="dashbord")
    with search_session(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
        # No literal match, so the similar ones count: "Dashboards tour #…" names, "How dashboards works".
        assert queryset.count() == len([i for i in range(300) if i % 6 == 2 or i % 5 == 2])
    assert "Seq Scan" not in plan, plan
    assert {("tour_name_trgm_idx", "%>"), ("tour_description_trgm_idx", "%>")} <= index_conditions(plan), plan


@pytest.mark.parametrize(
    ("tour_names", "term", "expected"),
    [
        (["100% done", "100 done", "1000 done"], "100%", ["100% done"]),
        (["a_b tour", "axb tour"], "a_b", ["a_b tour"]),
        (["C:\\path tour", "C:path tour"], "c:\\p", ["C:\\path tour"]),
    ],
)
def test_like_metacharacters_match_literally(tenant, tour_names, term, expected):
    for name in tour_names:
        make_tour(tenant.project, name=name)
    assert found(tenant.project, term) == [(name, "exact") for name in expected]
    assert names(search(tenant, term)) == expected


@pytest.mark.parametrize("term", ["sales", "SALES", "Sa", "%", "_", "\\", "les f", "ß", "é"])
def test_trigram_icontains_matches_icontains(tenant, term):
    """On PostgreSQL it is `ILIKE`, elsewhere Django's `icontains` SQL: the same rows either way."""
    for name in ["Sales", "sales funnel", "Weekly SALES", "50% off_", "back\\slash", "Straße", "Café", "Other"]:
        make_tour(tenant.project, name=name)
    tours = ProductTour.objects.filter(project=tenant.project)
    ilike = set(tours.filter(TrigramIContains(F("name"), term)).values_list("name", flat=True))
    assert ilike == set(tours.filter(name__icontains=term).values_list("name", flat=True))
    assert ilike  # every term matches something


def mid_similarity_pair() -> tuple[str, str]:
    """A typo whose word_similarity lies between our 0.3 and pg_trgm's default threshold, 0.6."""
    term, name = "onbrding", "Onboarding checklist"
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(word_similarity(%s, %s) AS double precision)", [term, name])
        (value,) = cursor.fetchone()
    assert 0.3 < value < 0.6, value
    return term, name


def test_similar_match_below_pg_trgm_default_threshold(tenant):
    term, name = mid_similarity_pair()
    make_tour(tenant.project, name=name)
    make_tour(tenant.project, name="Unrelated")
    if connection.vendor == "postgresql":
        # Without the session `<%` uses pg_trgm's 0.6: proof that the prefilter is really in the query.
        assert found(tenant.project, term) == []
    with search_session():
        assert found(tenant.project, term) == [(name, "similar")]


def test_api_finds_similar_match_below_pg_trgm_default_threshold(tenant):
    """The list view evaluates search inside `search_session()`."""
    term, name = mid_similarity_pair()
    make_tour(tenant.project, name=name)
    body = search(tenant, term)
    assert [(row["name"], row["search_match_type"]) for row in body["results"]] == [(name, "similar")]
    assert body["count"] == 1


def test_literal_matches_still_hide_similar_ones_inside_session(tenant):
    make_tour(tenant.project, name="onboarding tour")
    make_tour(tenant.project, name="onbarding flow")
    with search_session():
        assert found(tenant.project, "onboarding") == [("onboarding tour", "exact")]
        assert found(tenant.project, "onbarding") == [("onbarding flow", "exact")]
        assert found(tenant.project, "onbording") == [("onboarding tour", "similar"), ("onbarding flow", "similar")]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_search_session_sets_the_threshold_for_its_transaction_only():
    """SET LOCAL semantics: a pooled connection never keeps the lowered threshold."""
    term, name = mid_similarity_pair()

    def word_similar() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s <%% %s", [term, name])
            return cursor.fetchone()[0]

    assert word_similar() is False
    with search_session():
        assert connection.in_atomic_block
        assert word_similar() is True
    assert word_similar() is False and not connection.in_atomic_block


@postgres_only
def test_searched_columns_keep_small_planner_statistics():
    """Migration 0006: pg_trgm's `<%` estimate samples the histogram only from 100 entries up."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute"
            " WHERE attrelid = 'tours_producttour'::regclass AND attname IN ('name', 'description')"
        )
        assert dict(cursor.fetchall()) == {"name": 20, "description": 20}


@postgres_only
def test_analyzed_project_is_similarity_searched_through_trigram_indexes():
    """With the small statistics (migration 0006, then ANALYZE) and no planner hints, a typo search of a
    10,000-tour project uses the trigram indexes (on a few thousand rows a scan may rightly win)."""
    project = ProjectFactory()
    areas = ["billing", "invoices", "dashboards", "reports", "exports", "webhooks", "alerts", "cohorts"]
    ProductTour.objects.bulk_create(
        ProductTour(project=project, name=f"{areas[i % 8].capitalize()} {i}", description=f"Learn {areas[i % 7]} #{i}")
        for i in range(10000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tours_producttour")
    with search_session():
        plan = tours_search(queryset=ProductTour.objects.filter(project=project), term="dashbord").explain()
    assert {("tour_name_trgm_idx", "%>"), ("tour_description_trgm_idx", "%>")} <= index_conditions(plan), plan
