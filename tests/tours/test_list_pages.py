"""The tour list's pages are remembered per revision (tours.api.list_pages): an unchanged page is not
read again, and any write is seen by the next read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.tours import create, make_flag, make_tour, patch, tours_url

pytestmark = pytest.mark.django_db


def _read(tenant, query: str = "") -> tuple[dict, bytes, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = tenant.client.get(tours_url(tenant) + query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    tour_reads = [q["sql"] for q in queries.captured_queries if '"tours_producttour"' in q["sql"]]
    return response.json(), response.content, tour_reads


@pytest.fixture
def listed(tenant):
    flag = make_flag(tenant.project, key="linked")
    for n in range(3):
        make_tour(tenant.project, name=f"Tour {n}", linked_flag=flag, created_by=tenant.user)
    tenant.client.get(tours_url(tenant))  # the key's first use of the hour writes `last_used_at`
    return tenant, flag


def test_an_unchanged_page_is_not_read_again(listed):
    tenant, _ = listed
    first, first_body, first_reads = _read(tenant, "?limit=2")
    again, again_body, again_reads = _read(tenant, "?limit=2")
    assert len(first_reads) == 2  # the page and its count
    assert again_reads == []
    assert again_body == first_body
    assert [t["name"] for t in again["results"]] == ["Tour 2", "Tour 1"] and again["count"] == 3


def test_other_pages_and_formats_are_their_own(listed):
    tenant, _ = listed
    _read(tenant, "?limit=2")
    second, _, reads = _read(tenant, "?limit=2&offset=2")
    assert reads and [t["name"] for t in second["results"]] == ["Tour 0"]
    response = tenant.client.get(tours_url(tenant) + "?limit=2", HTTP_ACCEPT="application/json; indent=2")
    assert response.content.startswith(b'{\n  "count": 3')


@pytest.mark.parametrize(
    "write",
    [
        lambda tenant, tour_id, flag: patch(tenant, tour_id, {"name": "Renamed"}),
        lambda tenant, tour_id, flag: create(tenant, {"name": "Renamed"}),
        lambda tenant, tour_id, flag: tenant.client.patch(
            f"/api/projects/{tenant.project.id}/feature_flags/{flag.id}/", {"name": "Renamed"}, format="json"
        ),
    ],
    ids=["tour patched", "tour created", "linked flag patched"],
)
def test_a_write_is_seen_by_the_next_read(listed, write):
    tenant, flag = listed
    before, _, _ = _read(tenant)
    response = write(tenant, before["results"][0]["id"], flag)
    assert response.status_code in (200, 201), response.content
    after, _, reads = _read(tenant)
    assert reads
    names = {t["name"] for t in after["results"]} | {
        t["linked_flag"]["name"] for t in after["results"] if t["linked_flag"]
    }
    assert "Renamed" in names


def test_searches_are_ranked_every_time(listed):
    tenant, _ = listed
    first, _, _ = _read(tenant, "?search=Tour%201")
    again, _, reads = _read(tenant, "?search=Tour%201")
    assert reads
    assert again == first and again["results"][0]["name"] == "Tour 1"
