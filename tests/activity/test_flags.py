"""What feature flag writes record (REST API and services): created, updated, deleted, restored."""

import pytest

from flags.models import FeatureFlag
from flags.services import feature_flag_create, feature_flag_soft_delete, feature_flag_update
from tests.support.activity import change, created_detail, entries, summary

pytestmark = pytest.mark.django_db

F = "FeatureFlag"
FILTERS = {"groups": [{"properties": [], "rollout_percentage": 50}]}


def flag_url(tenant, flag_id=None) -> str:
    return tenant.url("feature_flags/" if flag_id is None else f"feature_flags/{flag_id}/")


def test_create_through_the_api(tenant):
    response = tenant.client.post(flag_url(tenant), {"key": "beta", "name": "Beta"}, format="json")
    assert response.status_code == 201
    (entry,) = entries()
    assert (entry.scope, entry.activity, entry.item_id) == (F, "created", str(response.json()["id"]))
    assert entry.detail == created_detail("beta")
    assert (entry.project_id, entry.user_id) == (tenant.project.id, tenant.user.id)


def test_update_records_each_changed_field_and_the_version(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="beta", name="Beta")
    response = tenant.client.patch(flag_url(tenant, flag.id), {"name": "Beta 2", "filters": FILTERS}, format="json")
    assert response.status_code == 200
    (entry,) = entries(activity="updated")
    stored = FeatureFlag.objects.get(pk=flag.id).filters
    assert entry.detail["name"] == "beta"
    assert entry.detail["changes"] == [
        change(F, "changed", "name", "Beta", "Beta 2"),
        change(F, "changed", "filters", {"aggregation_group_type_index": None, "groups": []}, stored),
        change(F, "changed", "version", 1, 2),
    ]


def test_a_key_change_names_the_entry_after_the_new_key(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="old")
    feature_flag_update(flag=flag, user=tenant.user, key="new")
    (entry,) = entries(activity="updated")
    assert entry.detail["name"] == "new"
    assert entry.detail["changes"][0] == change(F, "changed", "key", "old", "new")


def test_patch_that_changes_nothing_is_not_logged(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="beta", name="Beta")
    response = tenant.client.patch(flag_url(tenant, flag.id), {"name": "Beta", "active": True}, format="json")
    assert response.status_code == 200
    assert FeatureFlag.objects.get(pk=flag.id).version == 2  # saved all the same
    assert summary() == [(F, "created", str(flag.id))]


def test_soft_delete_and_restore(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="beta")
    assert tenant.client.patch(flag_url(tenant, flag.id), {"deleted": True}, format="json").status_code == 200
    deleted = entries(activity="deleted")[0]
    assert deleted.detail["name"] == "beta"
    assert deleted.detail["changes"] == [
        change(F, "changed", "deleted", False, True),
        change(F, "changed", "version", 1, 2),
    ]

    feature_flag_update(flag=flag, user=tenant.user, deleted=False)
    restored = entries(activity="restored")[0]
    assert restored.detail["changes"][0] == change(F, "changed", "deleted", True, False)
    assert summary() == [(F, "created", str(flag.id)), (F, "deleted", str(flag.id)), (F, "restored", str(flag.id))]


def test_soft_delete_service(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="beta")
    feature_flag_soft_delete(flag=flag, user=tenant.user)
    assert summary(activity="deleted") == [(F, "deleted", str(flag.id))]


def test_refused_soft_delete_logs_nothing(tenant):
    base = feature_flag_create(project=tenant.project, user=tenant.user, key="base")
    dependent_filters = {
        "groups": [
            {"properties": [{"key": str(base.id), "type": "flag", "value": "true", "operator": "flag_evaluates_to"}]}
        ]
    }
    feature_flag_create(project=tenant.project, user=tenant.user, key="dependent", filters=dependent_filters)
    response = tenant.client.patch(flag_url(tenant, base.id), {"deleted": True}, format="json")
    assert response.status_code == 400
    assert summary(activity__in=["updated", "deleted"]) == []
