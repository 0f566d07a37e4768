"""Personal API keys: created and deleted are logged where the key reaches, never with its secret."""

import json

import pytest

from accounts.models import PersonalAPIKey, User
from accounts.services import personal_api_key_create, personal_api_key_delete
from activity.models import ActivityLog
from tests.factories import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db

K = "PersonalAPIKey"


def key_entries(key_id: str) -> list[ActivityLog]:
    return list(ActivityLog.objects.filter(scope=K, item_id=key_id).order_by("created_at", "id"))


def test_unscoped_key_is_logged_in_each_organization_of_its_owner(tenant):
    second = ProjectFactory()
    MembershipFactory(user=tenant.user, organization=second.organization)
    created = personal_api_key_create(user=tenant.user, label="ci", scopes=["*"])
    entries = key_entries(created.key.id)
    assert {(e.activity, e.organization_id, e.project_id) for e in entries} == {
        ("created", tenant.organization.id, None),
        ("created", second.organization.id, None),
    }
    by_org = {e.organization_id: e for e in entries}
    assert by_org[tenant.organization.id].detail == {
        "name": "ci",
        "short_id": None,
        "type": None,
        "changes": None,
        "trigger": None,
        "context": {
            "user_id": tenant.user.id,
            "user_email": tenant.user.email,
            "user_name": tenant.user.get_full_name(),
            "organization_name": tenant.organization.name,
            "team_name": None,
        },
    }
    assert all(e.user_id == tenant.user.id for e in entries)


def test_project_scoped_key_is_logged_in_its_projects_and_shown_in_the_project_log(tenant):
    created = personal_api_key_create(
        user=tenant.user, label="scoped", scopes=["*"], scoped_projects=[tenant.project.id]
    )
    (entry,) = key_entries(created.key.id)
    assert (entry.project_id, entry.organization_id) == (tenant.project.id, tenant.organization.id)
    assert entry.detail["context"]["team_name"] == tenant.project.name
    body = tenant.client.get(tenant.url("activity_log/"), {"scope": K}).json()
    assert [r["item_id"] for r in body["results"]] == [created.key.id]


def test_delete_service(tenant):
    created = personal_api_key_create(user=tenant.user, label="gone", scopes=["*"])
    key_id = created.key.id
    personal_api_key_delete(key=created.key, actor=tenant.user)
    assert not PersonalAPIKey.objects.filter(pk=key_id).exists()
    assert [(e.activity, e.detail["name"]) for e in key_entries(key_id)] == [("created", "gone"), ("deleted", "gone")]


def test_the_log_never_holds_the_secret(tenant):
    created = personal_api_key_create(
        user=tenant.user, label="secret", scopes=["*"], scoped_projects=[tenant.project.id]
    )
    key_id, secure_value = created.key.id, created.key.secure_value
    personal_api_key_delete(key=created.key, actor=tenant.user)
    logged = key_entries(key_id)
    assert [e.activity for e in logged] == ["created", "deleted"]
    dumped = json.dumps([e.detail for e in logged])
    assert created.value not in dumped and secure_value not in dumped
    assert created.value[4:] not in dumped


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser(email="admin@example.com", password="pw-123456")
    client.force_login(admin)
    return client, admin


def test_admin_create_and_delete_go_through_the_services(admin_client, tenant):
    client, admin = admin_client
    response = client.post(
        "/admin/accounts/personalapikey/add/",
        {
            "user": tenant.user.id,
            "label": "from admin",
            "scopes": '["*"]',
            "scoped_projects": "[]",
            "scoped_organizations": "[]",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    key = PersonalAPIKey.objects.get(label="from admin")
    assert (
        key.user_id == tenant.user.id and key.secure_value.startswith("sha256$") and key.mask_value.startswith("phx_")
    )
    (created,) = key_entries(key.id)
    assert (created.activity, created.user_id, created.organization_id) == ("created", admin.id, tenant.organization.id)

    response = client.post(f"/admin/accounts/personalapikey/{key.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not PersonalAPIKey.objects.filter(pk=key.id).exists()
    assert [(e.activity, e.user_id) for e in key_entries(key.id)] == [("created", admin.id), ("deleted", admin.id)]


def test_admin_bulk_delete_logs_each_key(admin_client, tenant):
    client, _ = admin_client
    keys = [personal_api_key_create(user=tenant.user, label=f"k{i}", scopes=["*"]).key for i in range(2)]
    response = client.post(
        "/admin/accounts/personalapikey/",
        {"action": "delete_selected", "_selected_action": [k.id for k in keys], "post": "yes"},
    )
    assert response.status_code == 302
    for key in keys:
        assert [e.activity for e in key_entries(key.id)] == ["created", "deleted"]


def test_admin_rejects_malformed_scoped_projects(admin_client, tenant):
    client, _ = admin_client
    response = client.post(
        "/admin/accounts/personalapikey/add/",
        {
            "user": tenant.user.id,
            "label": "bad",
            "scopes": '["*"]',
            "scoped_projects": '["x"]',
            "scoped_organizations": "[]",
        },
    )
    assert response.status_code == 200 and b"Scoped projects must be a list of project ids" in response.content
    assert not PersonalAPIKey.objects.filter(label="bad").exists()
