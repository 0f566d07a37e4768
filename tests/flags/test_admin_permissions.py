"""Admin flag actions change state: they need Django's change permission on flags, not just view."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from flags.models import FeatureFlag

pytestmark = pytest.mark.django_db

URL = "/admin/flags/featureflag/"


def staff_with(*codenames: str) -> User:
    user = User.objects.create_user(
        email=f"staff-{'-'.join(codenames)}@example.com", password="pw-123456", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="flags", codename__in=codenames))
    return user


@pytest.mark.parametrize("action, active", [("disable_flags", True), ("enable_flags", False)])
def test_view_only_staff_cannot_run_the_actions(tenant, client, action, active):
    flag = FeatureFlag.objects.create(project=tenant.project, key="f", active=active)
    client.force_login(staff_with("view_featureflag"))
    listing = client.get(URL)
    assert listing.status_code == 200 and action.encode() not in listing.content
    client.post(URL, {"action": action, "_selected_action": [flag.id]})
    flag.refresh_from_db()
    assert (flag.active, flag.version) == (active, 1)


def test_staff_with_change_permission_can(tenant, client):
    flag = FeatureFlag.objects.create(project=tenant.project, key="f", active=True)
    client.force_login(staff_with("view_featureflag", "change_featureflag"))
    assert b"disable_flags" in client.get(URL).content
    client.post(URL, {"action": "disable_flags", "_selected_action": [flag.id]})
    flag.refresh_from_db()
    assert (flag.active, flag.version) == (False, 2)


def test_the_change_form_stays_read_only_even_with_change_permission(tenant, client):
    flag = FeatureFlag.objects.create(project=tenant.project, key="f")
    client.force_login(staff_with("view_featureflag", "change_featureflag"))
    assert client.post(f"{URL}{flag.id}/change/", {"key": "renamed"}).status_code == 403
    assert FeatureFlag.objects.get(id=flag.id).key == "f"
