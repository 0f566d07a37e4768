import pytest

from flags.models import FeatureFlag
from tests.support.tours import create, make_tour
from tours.models import ProductTour

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="admin@example.com", password="pw")
    client.force_login(user)
    return client


def test_admin_lists_searches_and_filters(admin_client, tenant):
    make_tour(tenant.project, name="Launched tour", start_date="2025-01-01T00:00:00Z")
    make_tour(tenant.project, name="Draft tour")
    make_tour(tenant.project, name="Archived tour", archived=True)
    url = "/admin/tours/producttour/"
    body = admin_client.get(url).content.decode()
    assert all(name in body for name in ["Launched tour", "Draft tour", "Archived tour"])
    body = admin_client.get(url, {"q": "launched"}).content.decode()
    assert "Launched tour" in body and "Draft tour" not in body
    body = admin_client.get(url, {"launched": "yes"}).content.decode()
    assert "Launched tour" in body and "Draft tour" not in body
    body = admin_client.get(url, {"archived__exact": "1"}).content.decode()
    assert "Archived tour" in body and "Draft tour" not in body


def test_admin_delete_removes_internal_flag(admin_client, tenant):
    body = create(tenant, {"name": "Admin doomed", "auto_launch": True}).json()
    response = admin_client.post(
        "/admin/tours/producttour/",
        {"action": "delete_selected", "_selected_action": [body["id"]], "post": "yes"},
    )
    assert response.status_code == 302
    assert not ProductTour.objects.filter(pk=body["id"]).exists()
    assert not FeatureFlag.objects.filter(pk=body["internal_targeting_flag"]["id"]).exists()
