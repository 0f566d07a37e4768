"""The activity log admin is read-only."""

import pytest

from accounts.models import User
from activity.models import ActivityLog
from tests.support.tours import create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser(email="admin@example.com", password="pw-123456"))
    return client


def test_admin_lists_filters_and_shows_entries_read_only(admin_client, tenant):
    tour = create(tenant, {"name": "Admin tour"}).json()
    entry = ActivityLog.objects.get(scope="ProductTour", item_id=tour["id"])
    url = "/admin/activity/activitylog/"
    body = admin_client.get(url).content.decode()
    assert "Admin tour" in body and tour["id"] in body
    assert tour["id"] in admin_client.get(url, {"scope": "ProductTour"}).content.decode()
    assert tour["id"] not in admin_client.get(url, {"scope": "FeatureFlag"}).content.decode()
    assert tour["id"] in admin_client.get(url, {"q": tour["id"]}).content.decode()
    assert admin_client.get(f"{url}{entry.pk}/change/").status_code == 200  # view-only page
    assert admin_client.post(f"{url}{entry.pk}/change/", {"activity": "x"}).status_code == 403
    assert admin_client.get(f"{url}add/").status_code == 403
    assert admin_client.post(f"{url}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ActivityLog.objects.get(pk=entry.pk).activity == "created"


def test_deleting_a_project_in_the_admin_is_not_blocked_by_its_log(admin_client, tenant):
    create(tenant, {"name": "Tour"})
    response = admin_client.post(f"/admin/accounts/project/{tenant.project.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert ActivityLog.objects.filter(project_id=tenant.project.id).exists()
