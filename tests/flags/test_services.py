"""The flag services other apps call (tours, inside their own transaction)."""

import json

import pytest
from django.db import transaction

from core.errors import Conflict, InvalidInput
from flags.models import FeatureFlag
from flags.services import (
    feature_flag_create,
    feature_flag_soft_delete,
    feature_flag_update,
    filters_validate,
    flag_dependents,
)
from tests.support.tenants import make_tenant

pytestmark = pytest.mark.django_db

TOURS_FILTERS = {
    "groups": [
        {
            "variant": "",
            "rollout_percentage": 100,
            "properties": [
                {
                    "key": "$product_tour_completed/abc",
                    "type": "person",
                    "value": "is_not_set",
                    "operator": "is_not_set",
                },
                {
                    "key": "$product_tour_last_seen_date/tour",
                    "value": "7d",
                    "operator": "is_date_before",
                    "type": "person",
                },
                {"key": "plan", "value": "pro", "operator": "exact", "type": "person"},
            ],
        }
    ]
}
EXPECTED = {
    "aggregation_group_type_index": None,
    "groups": [
        {
            "variant": "",
            "rollout_percentage": 100,
            "aggregation_group_type_index": None,
            "properties": TOURS_FILTERS["groups"][0]["properties"],
        }
    ],
}


def error_of(call) -> dict:
    with pytest.raises(InvalidInput) as info:
        call()
    return {"attr": info.value.attr, "code": info.value.code, "detail": info.value.detail}


def test_create_and_update_round_trip_the_tours_shape_exactly(tenant):
    flag = feature_flag_create(
        project=tenant.project,
        user=tenant.user,
        key="product-tour-targeting-round-trip-0a1b2c3d",
        name="Product Tour: Round trip",
        filters=TOURS_FILTERS,
        active=True,
        creation_context="product_tours",
    )
    stored = FeatureFlag.objects.get(id=flag.id)
    assert stored.filters == EXPECTED
    assert json.dumps(flag.filters) == json.dumps(EXPECTED)  # key order too (the in-memory row)
    assert (stored.version, stored.created_by_id, stored.last_modified_by_id) == (1, tenant.user.id, tenant.user.id)

    feature_flag_update(flag=flag, user=tenant.user, filters=TOURS_FILTERS)
    assert FeatureFlag.objects.get(id=flag.id).filters == EXPECTED
    assert flag.version == 2


def test_update_mutates_the_given_instance_and_bumps_version_every_time(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="f")
    other = make_tenant().user
    returned = feature_flag_update(flag=flag, user=other, active=False, name="n")
    assert returned is flag
    assert (flag.active, flag.name, flag.version, flag.last_modified_by_id) == (False, "n", 2, other.id)
    feature_flag_update(flag=flag, user=other, active=False)  # no actual change still counts as a save
    stored = FeatureFlag.objects.get(id=flag.id)
    assert (stored.active, stored.name, stored.version) == (False, "n", 3)
    assert stored.field_versions == {"active": 2, "name": 2}


def test_update_with_stale_expected_version(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="f")
    feature_flag_update(flag=flag, user=tenant.user, filters={"groups": [{"rollout_percentage": 10}]})
    with pytest.raises(Conflict) as info:
        feature_flag_update(flag=flag, user=tenant.user, expected_version=1, filters={"groups": []})
    assert info.value.detail == (
        f"The feature flag was updated by {tenant.user.email} since you started editing it. Please refresh and try again."
    )
    feature_flag_update(flag=flag, user=tenant.user, expected_version=1, name="unrelated")
    assert FeatureFlag.objects.get(id=flag.id).version == 3


def test_services_work_inside_callers_transaction_and_roll_back_with_it(tenant):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            flag = feature_flag_create(project=tenant.project, user=tenant.user, key="inside")
            feature_flag_update(flag=flag, user=tenant.user, active=False)
            raise RuntimeError("caller fails later")
    assert not FeatureFlag.objects.filter(key="inside").exists()


def test_validation_error_inside_callers_transaction_leaves_it_usable(tenant):
    with transaction.atomic():
        feature_flag_create(project=tenant.project, user=tenant.user, key="dup")
        with pytest.raises(InvalidInput):
            feature_flag_create(project=tenant.project, user=tenant.user, key="dup")
        feature_flag_create(project=tenant.project, user=tenant.user, key="after")
    assert FeatureFlag.objects.filter(key__in=["dup", "after"]).count() == 2


def test_create_errors(tenant):
    feature_flag_create(project=tenant.project, user=tenant.user, key="taken")
    assert error_of(lambda: feature_flag_create(project=tenant.project, user=tenant.user, key="taken")) == {
        "attr": "key",
        "code": "unique",
        "detail": "There is already a feature flag with this key.",
    }
    assert error_of(lambda: feature_flag_create(project=tenant.project, user=tenant.user, key="a\x00")) == {
        "attr": "key",
        "code": "invalid_key",
        "detail": "Only letters, numbers, hyphens (-) & underscores (_) are allowed.",
    }
    assert error_of(
        lambda: feature_flag_create(project=tenant.project, user=tenant.user, key="x", filters={"groups": "no"})
    ) == {"attr": "filters", "code": "invalid_input", "detail": "Filters are not valid (groups must be a list)"}
    with pytest.raises(TypeError):
        feature_flag_create(project=tenant.project, user=tenant.user, key="x", rollout_percentage=5)
    with pytest.raises(TypeError):
        feature_flag_update(flag=FeatureFlag.objects.get(key="taken"), user=tenant.user, project=None)


def test_filters_validate_raises_with_attr_filters(tenant):
    assert error_of(
        lambda: filters_validate(
            {"groups": [{"properties": [{"key": "c", "value": 9, "type": "cohort"}]}]}, project=tenant.project
        )
    ) == {"attr": "filters", "code": "cohort_does_not_exist", "detail": "Cohort with id 9 does not exist"}


def test_dependencies_are_resolved_within_the_project_only(tenant, other_tenant):
    base = feature_flag_create(project=tenant.project, user=tenant.user, key="base")
    condition = {
        "groups": [{"properties": [{"key": base.id, "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}]
    }
    dependent = feature_flag_create(project=tenant.project, user=tenant.user, key="dep", filters=condition)
    assert flag_dependents(base) == [dependent]
    assert error_of(lambda: filters_validate(condition, project=other_tenant.project))["detail"] == (
        f"Flag dependency references non-existent flag with ID {base.id}"
    )


def test_soft_delete(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="bye")
    feature_flag_soft_delete(flag=flag, user=tenant.user)
    stored = FeatureFlag.objects.get(id=flag.id)
    assert (stored.deleted, stored.version) == (True, 2)
    replacement = feature_flag_create(project=tenant.project, user=tenant.user, key="bye")
    assert replacement.id != flag.id
    assert not FeatureFlag.objects.filter(id=flag.id).exists()


def test_soft_deleted_flag_is_not_a_valid_dependency_and_undelete_checks_key(tenant):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="k")
    feature_flag_soft_delete(flag=flag, user=tenant.user)
    condition = {
        "groups": [
            {"properties": [{"key": str(flag.id), "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}
        ]
    }
    assert error_of(lambda: filters_validate(condition, project=tenant.project))["detail"] == (
        f"Flag dependency references non-existent flag with ID {flag.id}"
    )
    FeatureFlag.objects.create(project=tenant.project, key="k")
    assert error_of(lambda: feature_flag_update(flag=flag, user=tenant.user, deleted=False))["code"] == "unique"


def test_soft_delete_lists_at_most_five_dependents(tenant):
    base = feature_flag_create(project=tenant.project, user=tenant.user, key="base")
    condition = {
        "groups": [
            {"properties": [{"key": str(base.id), "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}
        ]
    }
    for i in range(7):
        feature_flag_create(project=tenant.project, user=tenant.user, key=f"d{i}", filters=condition)
    detail = error_of(lambda: feature_flag_soft_delete(flag=base, user=tenant.user))["detail"]
    assert detail.startswith("Cannot delete this feature flag because other flags depend on it: d0 (ID: ")
    assert detail.count("(ID: ") == 5 and ", and 2 more. Please update or delete the dependent flags first." in detail
