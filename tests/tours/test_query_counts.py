"""Queries per request for the editor's API, pinned: flat in the number of tours, and writes read the
tour once (under its lock) and log their activity in one insert. The counts include the savepoints a
test's own transaction turns each write's transaction into (production: BEGIN/COMMIT, not queries)."""

import pytest

from tests.support.tours import create, make_flag, make_tour, patch, tour_url, tours_url

pytestmark = pytest.mark.django_db

TARGETING = {"groups": [{"properties": [{"key": "plan", "value": ["pro"], "operator": "exact", "type": "person"}]}]}
STEPS = {"steps": [{"id": "s1", "type": "modal", "title": "Welcome"}]}


@pytest.fixture
def project_with_tours(tenant):
    flag = make_flag(tenant.project, key="linked")
    for n in range(30):
        make_tour(tenant.project, name=f"Tour {n}", linked_flag=flag, created_by=tenant.user, content=STEPS)
    tour_id = create(tenant, {"name": "Launched", "auto_launch": True, "content": STEPS}).json()["id"]
    tenant.client.get(tenant.url())  # the key's first use of the hour writes `last_used_at`
    return tenant, tour_id


def test_reads(project_with_tours, django_assert_max_num_queries):
    tenant, tour_id = project_with_tours
    with django_assert_max_num_queries(4):  # key, project, page, count
        assert tenant.client.get(tours_url(tenant)).status_code == 200
    with django_assert_max_num_queries(3):  # key, project, tour with its flags and creator
        assert tenant.client.get(tour_url(tenant, tour_id)).status_code == 200
    with django_assert_max_num_queries(3):
        assert tenant.client.get(tour_url(tenant, tour_id, "draft_status/")).status_code == 200


def test_patch_with_flag_sync(project_with_tours, django_assert_max_num_queries):
    tenant, tour_id = project_with_tours
    with django_assert_max_num_queries(12):
        response = patch(tenant, tour_id, {"targeting_flag_filters": TARGETING, "description": "synced"})
    assert response.status_code == 200, response.content
    assert response.json()["targeting_flag_filters"]["groups"][0]["properties"] == TARGETING["groups"][0]["properties"]


def test_publish_draft_with_a_body(project_with_tours, django_assert_max_num_queries):
    tenant, tour_id = project_with_tours
    assert (
        tenant.client.patch(tour_url(tenant, tour_id, "draft/"), {"name": "Renamed"}, format="json").status_code == 200
    )
    with django_assert_max_num_queries(12):
        response = tenant.client.post(tour_url(tenant, tour_id, "publish_draft/"), {"description": "d"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["description"], response.json()["has_draft"]) == (
        "Renamed",
        "d",
        False,
    )


def test_draft_save_discard_and_delete(project_with_tours, django_assert_max_num_queries):
    tenant, tour_id = project_with_tours
    with django_assert_max_num_queries(6):  # key, project, lock, update (+ savepoint pair)
        assert tenant.client.patch(tour_url(tenant, tour_id, "draft/"), {"name": "D"}, format="json").status_code == 200
    with django_assert_max_num_queries(6):
        assert tenant.client.delete(tour_url(tenant, tour_id, "discard_draft/")).status_code == 200
    # Also ends the tour's surveys, and deletes its flag (Django sets both tour references to it to null).
    with django_assert_max_num_queries(14):
        assert tenant.client.delete(tour_url(tenant, tour_id)).status_code == 204
