"""The cached SDK payload follows writes made through the REST API (PATCH, publish_draft, DELETE)."""

import pytest
from django.test import Client

from tests.support.public import get_tours, tours_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(tenant):
    response = tenant.client.post(
        tenant.url("product_tours/"),
        {"name": "Live", "start_date": "2026-01-01T00:00:00Z", "content": {"steps": [{"id": "s1", "type": "modal"}]}},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def names(tenant) -> list[str]:
    return [t["name"] for t in tours_of(get_tours(Client(), tenant.project.api_token))]


def test_patch_publish_and_delete_invalidate_the_cached_payload(tenant, launched, django_capture_on_commit_callbacks):
    tour_url = tenant.url(f"product_tours/{launched['id']}/")
    assert names(tenant) == ["Live"]  # cache warm

    with django_capture_on_commit_callbacks(execute=True):
        assert tenant.client.patch(tour_url, {"name": "Patched"}, format="json").status_code == 200
    assert names(tenant) == ["Patched"]

    with django_capture_on_commit_callbacks(execute=True):
        assert tenant.client.patch(tour_url + "draft/", {"name": "Drafted"}, format="json").status_code == 200
    assert names(tenant) == ["Patched"]  # a draft never reaches the SDK

    with django_capture_on_commit_callbacks(execute=True):
        assert tenant.client.post(tour_url + "publish_draft/", {}, format="json").status_code == 200
    assert names(tenant) == ["Drafted"]

    with django_capture_on_commit_callbacks(execute=True):
        assert tenant.client.delete(tour_url).status_code == 204
    assert names(tenant) == []
