"""Entries commit or roll back with their change; a failed write never breaks the change."""

import pytest
from django.db import IntegrityError, transaction

from activity.changes import Detail
from activity.models import ActivityLog
from activity.services import log_activity
from flags.models import FeatureFlag
from flags.services import feature_flag_create
from tours.models import ProductTour
from tours.services import tours as tour_services


def _written(scope: str) -> int:
    return ActivityLog.objects.filter(scope=scope).count()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_tour_create_leaves_no_entry(tenant, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("boom")

    # The internal flag and its entry are written, then the tour's own step fails: all of it goes.
    monkeypatch.setattr(tour_services, "tour_activity_created", fail)
    with pytest.raises(RuntimeError):
        tour_services.tour_create(project=tenant.project, user=tenant.user, data={"name": "A", "auto_launch": True})
    assert not ProductTour.objects.exists() and not FeatureFlag.objects.exists()
    assert _written("FeatureFlag") == _written("ProductTour") == 0


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_has_its_entry(tenant):
    tour_services.tour_create(project=tenant.project, user=tenant.user, data={"name": "A", "auto_launch": True})
    assert _written("FeatureFlag") == _written("ProductTour") == 1


@pytest.mark.django_db(transaction=True)
def test_an_outer_rollback_takes_the_entries_with_it(tenant):
    with pytest.raises(RuntimeError), transaction.atomic():
        feature_flag_create(project=tenant.project, user=tenant.user, key="k")
        assert _written("FeatureFlag") == 1  # visible inside the transaction
        raise RuntimeError("boom")
    assert _written("FeatureFlag") == 0 and not FeatureFlag.objects.exists()


@pytest.mark.django_db
def test_a_failed_write_is_swallowed_and_the_transaction_goes_on(tenant, settings):
    settings.ACTIVITY_LOG_RAISE_ERRORS = False
    with transaction.atomic():
        # Neither project nor organization: the check constraint refuses the row.
        entry = log_activity(
            organization_id=None, project_id=None, user=None, item_id="x", scope="S", activity="created",
            detail=Detail(name="x"),
        )  # fmt: skip
        assert entry is None
        flag = feature_flag_create(project=tenant.project, user=tenant.user, key="still-works")
    assert FeatureFlag.objects.filter(pk=flag.pk).exists()
    assert not ActivityLog.objects.filter(scope="S").exists()
    assert ActivityLog.objects.filter(scope="FeatureFlag", item_id=str(flag.pk)).exists()


@pytest.mark.django_db
def test_failures_raise_when_asked_to(tenant):
    with pytest.raises(IntegrityError):
        log_activity(
            organization_id=None, project_id=None, user=None, item_id="x", scope="S", activity="created",
            detail=Detail(name="x"),
        )  # fmt: skip


@pytest.mark.django_db
def test_impersonation_without_a_user_and_empty_updates_are_not_recorded(tenant):
    common = {"organization_id": tenant.organization.id, "project_id": tenant.project.id, "item_id": "1", "scope": "S"}
    assert log_activity(**common, user=None, activity="created", detail=Detail(), was_impersonated=True) is None
    assert log_activity(**common, user=tenant.user, activity="updated", detail=Detail(changes=[])) is None
    forced = log_activity(**common, user=tenant.user, activity="updated", detail=Detail(), force_save=True)
    assert forced is not None and list(ActivityLog.objects.filter(scope="S")) == [forced]


@pytest.mark.django_db
def test_entries_are_append_only(tenant):
    entry = log_activity(
        organization_id=tenant.organization.id, project_id=tenant.project.id, user=tenant.user, item_id="1",
        scope="S", activity="created", detail=Detail(name="x"),
    )  # fmt: skip
    entry.activity = "edited"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


@pytest.mark.django_db
def test_entries_outlive_their_project(tenant):
    feature_flag_create(project=tenant.project, user=tenant.user, key="k")
    project_id = tenant.project.id
    tenant.project.delete()
    assert ActivityLog.objects.filter(project_id=project_id, scope="FeatureFlag").count() == 1
