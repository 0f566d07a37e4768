"""What product tour writes record: exact entries for create, update, publish, draft save, delete."""

import pytest

from flags.models import FeatureFlag
from tests.support.activity import change, created_detail, entries, summary
from tests.support.tours import NOW, create, make_tour, patch, tour_url
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

T, F = "ProductTour", "FeatureFlag"


def made(tenant, body: dict) -> dict:
    response = create(tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()


def flag_repr(flag: FeatureFlag) -> dict:
    return {
        "id": flag.id, "key": flag.key, "name": flag.name, "filters": flag.filters,
        "team_id": flag.project_id, "deleted": flag.deleted, "active": flag.active,
    }  # fmt: skip


def test_create_logs_created_with_the_name(tenant):
    tour = made(tenant, {"name": "A", "content": {"steps": []}})
    (entry,) = entries()
    assert (entry.scope, entry.activity, entry.item_id) == (T, "created", tour["id"])
    assert entry.detail == created_detail("A")
    assert (entry.project_id, entry.organization_id) == (tenant.project.id, tenant.organization.id)
    assert (entry.user_id, entry.is_system, entry.was_impersonated) == (tenant.user.id, False, False)


def test_create_with_auto_launch_logs_the_internal_flag_then_the_tour(tenant):
    tour = made(tenant, {"name": "Auto", "auto_launch": True})
    flag = FeatureFlag.objects.get(pk=tour["internal_targeting_flag"]["id"])
    assert summary() == [(F, "created", str(flag.id)), (T, "created", tour["id"])]
    flag_entry, tour_entry = entries()
    assert flag_entry.detail == created_detail(flag.key) and flag.key.startswith("product-tour-targeting-auto-")
    assert tour_entry.detail == created_detail("Auto")
    assert flag_entry.user_id == tour_entry.user_id == tenant.user.id


def test_name_change(tenant):
    tour = made(tenant, {"name": "A"})
    assert patch(tenant, tour["id"], {"name": "B"}).status_code == 200
    entry = entries(activity="updated")[0]
    assert (entry.scope, entry.item_id) == (T, tour["id"])
    assert entry.detail["name"] == "B"
    assert entry.detail["changes"] == [change(T, "changed", "name", "A", "B")]


def test_patch_that_changes_nothing_is_not_logged(tenant):
    tour = made(tenant, {"name": "A", "description": "d", "content": {"steps": []}})
    response = patch(tenant, tour["id"], {"name": "A", "description": "d", "content": {"steps": []}})
    assert response.status_code == 200
    assert summary() == [(T, "created", tour["id"])]


def test_content_and_dates(tenant):
    tour = made(tenant, {"name": "A", "content": {"steps": []}})
    steps = {"steps": [{"id": "s1", "type": "modal", "title": "Hi", "content": None}]}
    assert patch(tenant, tour["id"], {"content": steps, "start_date": NOW}).status_code == 200
    changes = entries(activity="updated")[0].detail["changes"]
    stored = ProductTour.objects.get(pk=tour["id"]).content
    assert changes == [
        change(T, "changed", "content", {"steps": []}, stored),
        change(T, "created", "start_date", after="2025-01-01T12:00:00+00:00"),
    ]


def test_turning_auto_launch_on_then_off(tenant):
    tour = made(tenant, {"name": "A", "start_date": NOW})
    assert patch(tenant, tour["id"], {"auto_launch": True}).status_code == 200
    flag = FeatureFlag.objects.get(targeted_tours__id=tour["id"])
    assert flag.active is True
    assert summary(activity__in=["created", "updated"])[1:] == [
        (F, "created", str(flag.id)),
        (T, "updated", tour["id"]),
    ]
    on = entries(scope=T, activity="updated")[0]
    assert on.detail["changes"] == [
        change(T, "created", "internal_targeting_flag", after=flag_repr(flag)),
        change(T, "changed", "auto_launch", False, True),
    ]

    assert patch(tenant, tour["id"], {"auto_launch": False}).status_code == 200
    flag_update = entries(scope=F, activity="updated")
    assert len(flag_update) == 1
    assert flag_update[0].item_id == str(flag.id) and flag_update[0].detail["name"] == flag.key
    assert flag_update[0].detail["changes"] == [
        change(F, "changed", "active", True, False),
        change(F, "changed", "version", 1, 2),
    ]
    off = entries(scope=T, activity="updated")[1]
    assert off.detail["changes"] == [change(T, "changed", "auto_launch", True, False)]


def test_publish_draft_is_an_update_and_a_draft_save_is_nothing(tenant):
    tour = make_tour(tenant.project, name="Live")
    response = tenant.client.patch(tour_url(tenant, tour.id, "draft/"), {"name": "Drafted"}, format="json")
    assert response.status_code == 200
    assert entries() == []  # the draft save

    assert tenant.client.post(tour_url(tenant, tour.id, "publish_draft/")).status_code == 200
    (entry,) = entries()
    assert (entry.scope, entry.activity, entry.item_id) == (T, "updated", str(tour.id))
    changes = {c["field"]: c for c in entry.detail["changes"]}
    assert changes["name"] == change(T, "changed", "name", "Live", "Drafted")
    assert changes["draft_content"]["action"] == "deleted"
    assert changes["draft_content"]["before"]["name"] == "Drafted"
    assert set(changes) == {"name", "draft_content"}


def test_delete_logs_deleted_with_the_name_and_the_internal_flag(tenant):
    tour = made(tenant, {"name": "Doomed", "auto_launch": True})
    flag_id = tour["internal_targeting_flag"]["id"]
    flag_key = FeatureFlag.objects.get(pk=flag_id).key
    assert tenant.client.delete(tour_url(tenant, tour["id"])).status_code == 204
    deleted = entries(activity="deleted")
    assert [(e.scope, e.item_id, e.detail) for e in deleted] == [
        (T, tour["id"], created_detail("Doomed")),
        (F, str(flag_id), created_detail(flag_key)),
    ]


def test_failed_update_logs_nothing(tenant):
    made(tenant, {"name": "Taken"})
    tour = made(tenant, {"name": "Mine"})
    assert patch(tenant, tour["id"], {"name": "Taken"}).status_code == 400
    assert summary(activity="updated") == []


def test_system_change_without_a_user(tenant):
    from tours.services.tours import tour_update

    tour = make_tour(tenant.project, name="A")
    tour_update(tour=tour, user=None, data={"name": "B"})
    (entry,) = entries()
    assert (entry.user_id, entry.is_system) == (None, True)
