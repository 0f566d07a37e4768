import pytest

from accounts.models import User
from flags.models import FeatureFlag
from flags.services import feature_flag_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tenant):
    admin = User.objects.create_superuser(email="admin@example.com", password="pw-123456")
    client.force_login(admin)
    return client


def test_admin_list_search_and_filters(admin_client, tenant):
    feature_flag_create(project=tenant.project, user=tenant.user, key="checkout-banner", name="Banner")
    feature_flag_create(project=tenant.project, user=tenant.user, key="other", active=False)
    response = admin_client.get("/admin/flags/featureflag/", {"q": "banner"})
    assert response.status_code == 200
    assert b"checkout-banner" in response.content and b">other<" not in response.content
    response = admin_client.get("/admin/flags/featureflag/", {"active__exact": "0"})
    assert b">other<" in response.content and b"checkout-banner" not in response.content
    assert admin_client.get("/admin/flags/featureflag/", {"deleted__exact": "1"}).status_code == 200


def test_admin_disable_action_goes_through_the_service(admin_client, tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="kill-switch")
    response = admin_client.post(
        "/admin/flags/featureflag/", {"action": "disable_flags", "_selected_action": [flag.id]}, follow=True
    )
    assert response.status_code == 200
    flag.refresh_from_db()
    assert (flag.active, flag.version, flag.last_modified_by.email) == (False, 2, "admin@example.com")
    assert admin_client.get(f"/admin/flags/featureflag/{flag.id}/change/").status_code == 200  # view-only page
    assert admin_client.post(f"/admin/flags/featureflag/{flag.id}/change/", {"key": "x"}).status_code == 403
    assert FeatureFlag.objects.get(id=flag.id).key == "kill-switch"
