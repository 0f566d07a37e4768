"""§12 search: literal matches win, else trigram-similar; ranking; caps. Runs on PostgreSQL and SQLite."""

import pytest

from rest_framework import serializers

from tests.helpers import assert_error
from tests.tours.conftest import make_tour, tours_url
from tours.services.search import search_term_normalize

pytestmark = pytest.mark.django_db


def search(tenant, term, **params):
    response = tenant.client.get(tours_url(tenant), {"search": term, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def names(body) -> list[str]:
    return [row["name"] for row in body["results"]]


@pytest.mark.parametrize(
    ("tour_names", "term", "first", "absent"),
    [
        (["Ad Sales", "Email Sales", "Sales", "Sales Funnel", "Weekly Sales", "Unrelated"], "Sales", "Sales", "Unrelated"),
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
            response, 400, attr="search", detail="Search query must be 200 characters or fewer.", type="validation_error"
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


def test_archived_tours_are_searchable(tenant):
    make_tour(tenant.project, name="Old sales tour", archived=True)
    assert names(search(tenant, "sales")) == ["Old sales tour"]
